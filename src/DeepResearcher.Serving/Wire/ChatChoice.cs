namespace DeepResearcher.Serving.Wire;

/// <summary>One choice of a chat completion; <see cref="TokenIds"/> (vLLM's <c>return_token_ids</c>) are every sampled id, a stop token included.</summary>
public sealed record ChatChoice(int Index, AssistantMessage Message, string FinishReason)
{
    public ChatLogProbs? Logprobs { get; init; }

    public IReadOnlyList<int>? TokenIds { get; init; }

    /// <summary>vLLM's: the stop string or token id that ended the choice, when one did.</summary>
    public object? StopReason { get; init; }
}
