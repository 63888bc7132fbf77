using DeepResearcher.Engine.Sampling;

namespace DeepResearcher.Tinker.Service;

/// <summary>A sampler over one base model or sampler snapshot, with the scorer of its model's own forward (prompt log-probs).</summary>
internal sealed class LoadedSampler(ContinuousBatchingSampler sampler, int microBatchTokens)
{
    public ContinuousBatchingSampler Sampler => sampler;

    /// <summary>Prompt log-probs (and one-token samples) of these weights, batched across requests.</summary>
    public PromptScorer Scorer { get; } = new(sampler.Model, microBatchTokens);

    /// <summary>The sequences whose caches the sampler holds, for the next turn of the same conversation to continue.</summary>
    public PrefixIndex Prefixes { get; } = new(256, sampler.ReleaseConversation);

    public int InFlight;

    public long LastUsed;
}
