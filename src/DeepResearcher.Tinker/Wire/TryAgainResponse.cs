using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>retrieve_future's answer while the request is pending. (SDK <c>types/try_again_response.py</c>)</summary>
public sealed record TryAgainResponse
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "try_again";

    [JsonPropertyName("request_id")]
    public string RequestId { get; init; } = "";

    /// <summary>active, paused_capacity or paused_rate_limit.</summary>
    [JsonPropertyName("queue_state")]
    public string QueueState { get; init; } = "active";
}
