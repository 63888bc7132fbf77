using DeepResearcher.Engine.Sampling;

namespace DeepResearcher.Tinker.Service;

/// <summary>A sampler over one base model or sampler snapshot, with the lock its model's own forward (prompt log-probs) needs.</summary>
internal sealed class LoadedSampler(ContinuousBatchingSampler sampler)
{
    public ContinuousBatchingSampler Sampler => sampler;

    public SemaphoreSlim ForwardLock { get; } = new(1, 1);

    public int InFlight;

    public long LastUsed;
}
