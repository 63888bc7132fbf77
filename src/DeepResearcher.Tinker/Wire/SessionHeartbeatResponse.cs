using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>The heartbeat's acknowledgement. (SDK <c>types/session_heartbeat_response.py</c>)</summary>
public sealed record SessionHeartbeatResponse
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "session_heartbeat";
}
