using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>retrieve_future's answer for a request that failed: the error and whose fault (user, server, unknown). (SDK <c>types/request_failed_response.py</c>)</summary>
public sealed record RequestFailedResponse
{
    [JsonPropertyName("error")]
    public string Error { get; init; } = "";

    /// <summary>RequestErrorCategory's values: unknown, server, user.</summary>
    [JsonPropertyName("category")]
    public string Category { get; init; } = "unknown";
}
