using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>Decoding settings of asample; max_tokens is required by this project's server (as by SkyRL tx). (SDK <c>types/_pydantic_types/sampling_params.py</c>)</summary>
public sealed record SamplingParams
{
    [JsonPropertyName("max_tokens")]
    public int? MaxTokens { get; init; }

    [JsonPropertyName("seed")]
    public long? Seed { get; init; }

    /// <summary>A string, strings, or token ids.</summary>
    [JsonPropertyName("stop")]
    public StopSequences? Stop { get; init; }

    [JsonPropertyName("temperature")]
    public double Temperature { get; init; } = 1;

    /// <summary>-1 for no limit.</summary>
    [JsonPropertyName("top_k")]
    public int TopK { get; init; } = -1;

    [JsonPropertyName("top_p")]
    public double TopP { get; init; } = 1;
}
