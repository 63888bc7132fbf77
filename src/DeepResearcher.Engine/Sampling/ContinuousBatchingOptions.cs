namespace DeepResearcher.Engine.Sampling;

public sealed record ContinuousBatchingOptions
{
    /// <summary>Most sequences decoding together; more requests wait in arrival order.</summary>
    public int MaxBatchSize { get; init; } = 8;

    /// <summary>
    /// Most tokens reserved in KV caches at once: each running request reserves prompt + MaxNewTokens.
    /// A request that alone needs more is rejected.
    /// </summary>
    public int MaxTotalTokens { get; init; } = 32768;

    /// <summary>
    /// Prompt tokens per prefill pass, and roughly the prompt tokens prefilled between two decode steps: bounds activation
    /// memory and how long a long new prompt stalls the running sequences.
    /// </summary>
    public int PrefillChunkTokens { get; init; } = 256;

    public InferenceWeightType WeightType { get; init; } = InferenceWeightType.Float32;

    public void Validate()
    {
        if (MaxBatchSize < 1) throw new ArgumentException($"max batch size must be ≥ 1, got {MaxBatchSize}");
        if (MaxTotalTokens < 2) throw new ArgumentException($"max total tokens must be ≥ 2, got {MaxTotalTokens}");
        if (PrefillChunkTokens < 1) throw new ArgumentException($"prefill chunk must be ≥ 1 token, got {PrefillChunkTokens}");
    }
}
