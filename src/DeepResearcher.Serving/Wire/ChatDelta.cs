namespace DeepResearcher.Serving.Wire;

/// <summary>What a chunk adds to a choice: the role once, then content, reasoning or tool calls.</summary>
public sealed record ChatDelta
{
    public string? Role { get; init; }

    public string? Content { get; init; }

    public string? ReasoningContent { get; init; }

    public IReadOnlyList<ToolCallOut>? ToolCalls { get; init; }
}
