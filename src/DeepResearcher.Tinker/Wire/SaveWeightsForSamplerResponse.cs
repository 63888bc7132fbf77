using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>The result of save_weights_for_sampler (the SDK's internal form, with the sampling session). (SDK <c>types/_pydantic_types/save_weights_for_sampler_response.py</c>)</summary>
public sealed record SaveWeightsForSamplerResponse
{
    [JsonPropertyName("path")]
    public string? Path { get; init; }

    [JsonPropertyName("sampling_session_id")]
    public string? SamplingSessionId { get; init; }

    [JsonPropertyName("type")]
    public string? Type { get; init; }
}
