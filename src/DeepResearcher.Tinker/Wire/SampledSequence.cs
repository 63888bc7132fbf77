using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>One continuation: its tokens, their log-probs, and why it stopped (stop or length). (SDK <c>types/sampled_sequence.py (JSON form of SDK 0.x, types/sampled_sequence.py at 604e00c)</c>)</summary>
public sealed record SampledSequence
{
    [JsonPropertyName("stop_reason")]
    public string StopReason { get; init; } = "stop";

    [JsonPropertyName("tokens")]
    public IReadOnlyList<int> Tokens { get; init; } = [];

    [JsonPropertyName("logprobs")]
    public IReadOnlyList<float>? Logprobs { get; init; }
}
