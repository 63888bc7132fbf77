namespace DeepResearcher.Engine.Sampling;

/// <summary>
/// A prompt to continue. For a multi-turn conversation pass the whole context so far each turn (previous turns,
/// tool output and the new message). With a <see cref="ConversationId"/> the sampler keeps the conversation's KV cache
/// after the turn and prefills only the part of the next prompt that differs from what it has cached.
/// </summary>
public sealed record SamplingRequest(IReadOnlyList<int> PromptTokenIds, DecodingOptions Options)
{
    /// <summary>Called on the sampler's decode thread after each token, in order; keep it short. An exception fails the request.</summary>
    public Action<SampledToken>? OnToken { get; init; }

    /// <summary>
    /// Keeps this turn's KV cache under this id for the next turn of the same conversation (until evicted for room or
    /// released with <see cref="ContinuousBatchingSampler.ReleaseConversation"/>). Reused keys and values come from
    /// decode steps rather than a fresh prefill, so logits may differ from a cold start in the last bits.
    /// </summary>
    public string? ConversationId { get; init; }
}
