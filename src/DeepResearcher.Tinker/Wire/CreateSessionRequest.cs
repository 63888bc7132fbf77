using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>POST /api/v1/create_session. The SDK sends tags from TINKER_TAGS, user_metadata as {} when none. (SDK <c>types/create_session_request.py</c>)</summary>
public sealed record CreateSessionRequest
{
    [JsonPropertyName("tags")]
    public IReadOnlyList<string> Tags { get; init; } = [];

    [JsonPropertyName("user_metadata")]
    public Dictionary<string, string>? UserMetadata { get; init; }

    [JsonPropertyName("sdk_version")]
    public string SdkVersion { get; init; } = "";

    [JsonPropertyName("project_id")]
    public string? ProjectId { get; init; }

    [JsonPropertyName("type")]
    public string Type { get; init; } = "create_session";
}
