using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>The result of asample; prompt_logprobs has null for the first prompt token. (SDK <c>types/sample_response.py (JSON form, at 604e00c)</c>)</summary>
public sealed record SampleResponse
{
    [JsonPropertyName("sequences")]
    public IReadOnlyList<SampledSequence> Sequences { get; init; } = [];

    [JsonPropertyName("type")]
    public string Type { get; init; } = "sample";

    [JsonPropertyName("prompt_logprobs")]
    public IReadOnlyList<float?>? PromptLogprobs { get; init; }
}
