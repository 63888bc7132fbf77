namespace DeepResearcher.Core.Agent;

/// <summary>How to sample one turn.</summary>
public sealed record SamplingOptions
{
    public float Temperature { get; init; } = 1.0f;

    public float TopP { get; init; } = 1.0f;

    /// <summary>0 = no top-k cut.</summary>
    public int TopK { get; init; }

    public int MaxTokens { get; init; } = 2000;

    /// <summary>Strings that end a turn early. The returned text still contains the stop string.</summary>
    public IReadOnlyList<string> StopSequences { get; init; } = ["</tool_call>", "</answer>"];

    public long? Seed { get; init; }
}
