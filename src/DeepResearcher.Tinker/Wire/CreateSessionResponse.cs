using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>The new session; the messages are for the user's log. (SDK <c>types/create_session_response.py</c>)</summary>
public sealed record CreateSessionResponse
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "create_session";

    [JsonPropertyName("info_message")]
    public string? InfoMessage { get; init; }

    [JsonPropertyName("warning_message")]
    public string? WarningMessage { get; init; }

    [JsonPropertyName("error_message")]
    public string? ErrorMessage { get; init; }

    [JsonPropertyName("session_id")]
    public string SessionId { get; init; } = "";
}
