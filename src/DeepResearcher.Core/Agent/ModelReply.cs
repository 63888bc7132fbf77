namespace DeepResearcher.Core.Agent;

/// <summary>Why generation stopped.</summary>
public enum FinishReason
{
    /// <summary>A stop sequence or the end-of-turn token.</summary>
    Stop,

    /// <summary>The per-turn token limit.</summary>
    Length,
}

/// <summary>A generated turn. Token-level models fill <see cref="TokenIds"/> and <see cref="LogProbs"/>.</summary>
public sealed record ModelReply
{
    /// <summary>The generated text, stop string included, prefill excluded.</summary>
    public required string Text { get; init; }

    public FinishReason FinishReason { get; init; }

    public int PromptTokens { get; init; }

    public int CompletionTokens { get; init; }

    public int[]? TokenIds { get; init; }

    public float[]? LogProbs { get; init; }
}
