namespace DeepResearcher.Serving;

/// <summary>The model server's limits: what one request may ask for and how many may run at once.</summary>
public sealed record ServingOptions
{
    /// <summary>Requests generating at once (a request with <c>n</c> choices counts n); more get 429 with Retry-After.</summary>
    public int MaxConcurrency { get; init; } = 16;

    /// <summary>Largest <c>max_tokens</c> a request may ask for, and the default when it asks for none.</summary>
    public int MaxTokensCap { get; init; } = 4096;

    /// <summary>Largest <c>n</c> (choices per request).</summary>
    public int MaxChoices { get; init; } = 16;

    /// <summary>Largest <c>top_logprobs</c> (OpenAI's own limit is 20).</summary>
    public int MaxTopLogProbs { get; init; } = 20;

    /// <summary>Largest request body in bytes; more is a 413.</summary>
    public long MaxBodyBytes { get; init; } = 8L << 20;

    /// <summary>Sequences decoding together in each model's continuous batch.</summary>
    public int MaxBatchSize { get; init; } = 8;

    /// <summary>The Retry-After a 429 carries.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first limit below 1.</summary>
    public void Validate()
    {
        if (MaxConcurrency < 1)
        {
            throw new ArgumentException($"max concurrency must be at least 1, got {MaxConcurrency}");
        }
        if (MaxTokensCap < 1)
        {
            throw new ArgumentException($"max tokens cap must be at least 1, got {MaxTokensCap}");
        }
        if (MaxChoices < 1)
        {
            throw new ArgumentException($"max choices must be at least 1, got {MaxChoices}");
        }
        if (MaxTopLogProbs < 0)
        {
            throw new ArgumentException($"max top logprobs must be at least 0, got {MaxTopLogProbs}");
        }
        if (MaxBodyBytes < 1024)
        {
            throw new ArgumentException($"max body bytes must be at least 1024, got {MaxBodyBytes}");
        }
        if (MaxBatchSize < 1)
        {
            throw new ArgumentException($"max batch size must be at least 1, got {MaxBatchSize}");
        }
    }
}
