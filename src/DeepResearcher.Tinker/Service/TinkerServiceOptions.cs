namespace DeepResearcher.Tinker.Service;

/// <summary>What the training service offers and the limits it holds requests to.</summary>
public sealed record TinkerServiceOptions
{
    /// <summary>Where the SQLite state (sessions, futures, checkpoints) and the checkpoints' files live.</summary>
    public required string StateDirectory { get; init; }

    public required IReadOnlyList<BaseModelSource> BaseModels { get; init; }

    /// <summary>Bytes of a request body, at most (the host refuses larger with a 413).</summary>
    public long MaxBodyBytes { get; init; } = 64L << 20;

    /// <summary>Datums of one forward or forward_backward, at most.</summary>
    public int MaxDatums { get; init; } = 4096;

    /// <summary>num_samples of one asample, at most.</summary>
    public int MaxSamples { get; init; } = 64;

    /// <summary>max_tokens of one asample, at most.</summary>
    public int MaxTokensCap { get; init; } = 4096;

    /// <summary>How long retrieve_future holds a pending request before answering try_again (below the SDK's 45 s timeout).</summary>
    public TimeSpan RetrieveWait { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Token budget of one engine micro-batch.</summary>
    public int MicroBatchTokens { get; init; } = 4096;

    /// <summary>LoRA's alpha; Tinker's and SkyRL tx's is 32, whatever the rank.</summary>
    public float LoraAlpha { get; init; } = 32f;

    /// <summary>
    /// Sequences one sampler decodes together, and the tokens its caches may hold (running requests and the conversations
    /// kept for their next turn). The in-process trainer's are 32 and 2^20; at 16 the rollouts of a GRPO step took twice
    /// the decode steps.
    /// </summary>
    public int SamplerBatchSize { get; init; } = 32;

    /// <inheritdoc cref="SamplerBatchSize"/>
    public int SamplerCacheTokens { get; init; } = 1 << 18;

    /// <summary>Sampler snapshots kept loaded at once; the least recently used is dropped past this.</summary>
    public int MaxLoadedSamplers { get; init; } = 4;
}
