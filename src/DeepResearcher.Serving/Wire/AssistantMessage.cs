namespace DeepResearcher.Serving.Wire;

/// <summary>The assistant's reply; <see cref="ReasoningContent"/> (vLLM's and DeepSeek's name) holds the <c>&lt;think&gt;</c> text when tools are given.</summary>
public sealed record AssistantMessage(string? Content)
{
    public string Role => "assistant";

    public string? ReasoningContent { get; init; }

    public IReadOnlyList<ToolCallOut>? ToolCalls { get; init; }
}
