using System.Text.Json.Serialization;

namespace DeepResearcher.Serving.Wire;

/// <summary>One choice of a text completion; <see cref="PromptTokenIds"/> and <see cref="TokenIds"/> are vLLM's <c>return_token_ids</c>.</summary>
public sealed record TextChoice(int Index, string Text, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? FinishReason)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public TextLogProbs? Logprobs { get; init; }

    public IReadOnlyList<int>? PromptTokenIds { get; init; }

    public IReadOnlyList<int>? TokenIds { get; init; }

    public object? StopReason { get; init; }
}
