using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>POST /api/v1/session_heartbeat, every 10 s from the SDK. (SDK <c>types/session_heartbeat_request.py</c>)</summary>
public sealed record SessionHeartbeatRequest
{
    [JsonPropertyName("session_id")]
    public string SessionId { get; init; } = "";

    [JsonPropertyName("type")]
    public string Type { get; init; } = "session_heartbeat";
}
