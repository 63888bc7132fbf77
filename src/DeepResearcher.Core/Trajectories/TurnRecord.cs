using DeepResearcher.Core.Protocol.Parsing;

namespace DeepResearcher.Core.Trajectories;

public enum TurnAction
{
    Answer,
    ToolCall,
    Error,
}

/// <summary>One assistant turn: what the policy wrote, how it was parsed and what the environment answered.</summary>
public sealed record TurnRecord
{
    /// <summary>1-based turn number.</summary>
    public required int Index { get; init; }

    /// <summary>Text placed before the generation (e.g. <c>&lt;think&gt;</c>); part of the prompt, not generated.</summary>
    public string Prefill { get; init; } = string.Empty;

    /// <summary>What the model generated, exactly.</summary>
    public required string Generated { get; init; }

    public required TurnAction Action { get; init; }

    public string? Think { get; init; }

    public string? Answer { get; init; }

    public ToolCallRecord? ToolCall { get; init; }

    public ProtocolError? Error { get; init; }

    public string FinishReason { get; init; } = string.Empty;

    public int CompletionTokens { get; init; }

    public double ModelLatencyMs { get; init; }
}
