using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>SamplingParams' <c>stop</c>: a string, a list of strings, or a list of token ids (never mixed).</summary>
[JsonConverter(typeof(StopSequencesConverter))]
public sealed record StopSequences
{
    public IReadOnlyList<string> Strings { get; init; } = [];

    public IReadOnlyList<int> TokenIds { get; init; } = [];

    /// <summary>True when the SDK sent a bare string rather than a list.</summary>
    public bool Single { get; init; }
}
