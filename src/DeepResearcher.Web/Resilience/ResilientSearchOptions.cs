namespace DeepResearcher.Web.Resilience;

/// <summary>
/// Limits and retry policy for one provider. Defaults suit a paid API shared by a rollout batch: 5 requests/s with bursts of 10,
/// 8 in flight, 3 retries with jittered exponential back-off from 1 s, and no budget limit.
/// </summary>
public sealed record ResilientSearchOptions
{
    /// <summary>Sustained request rate allowed to the provider (token-bucket refill rate), counting retries.</summary>
    public double RequestsPerSecond { get; init; } = 5;

    /// <summary>Token-bucket size: how many requests may go out back to back after a quiet spell.</summary>
    public int Burst { get; init; } = 10;

    /// <summary>How many callers may wait for a token or a slot; beyond that a call fails fast as locally rate limited.</summary>
    public int QueueLimit { get; init; } = 10_000;

    /// <summary>Requests in flight to the provider at once.</summary>
    public int MaxConcurrency { get; init; } = 8;

    /// <summary>Retries after the first attempt, for <c>RateLimited</c> and <c>Unavailable</c> failures only. 0 disables retrying.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>First back-off delay; it doubles per retry (with jitter) up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest <c>Retry-After</c> worth waiting for; a provider asking for more is given up on at once (so a failover chain can
    /// move on) instead of holding the caller.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Limit on one attempt, on top of the adapter's own HTTP timeout.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Upstream requests (retries included: each is billed) this provider may make; <c>null</c> for no limit.</summary>
    public long? QueryBudget { get; init; }

    /// <summary>Price per 1,000 requests in any currency, for the cost estimate in <see cref="SearchProviderMetrics"/>.</summary>
    public decimal? PricePer1000Queries { get; init; }

    /// <summary>Clock for the back-off delays (tests use one that does not really wait).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate(string provider)
    {
        Require(RequestsPerSecond > 0 && double.IsFinite(RequestsPerSecond), nameof(RequestsPerSecond), "a positive number", RequestsPerSecond);
        Require(Burst >= 1, nameof(Burst), "at least 1", Burst);
        Require(QueueLimit >= 0, nameof(QueueLimit), "0 or more", QueueLimit);
        Require(MaxConcurrency >= 1, nameof(MaxConcurrency), "at least 1", MaxConcurrency);
        Require(MaxRetries >= 0, nameof(MaxRetries), "0 or more", MaxRetries);
        Require(BaseDelay >= TimeSpan.Zero && MaxDelay >= BaseDelay, nameof(MaxDelay), "at least BaseDelay", MaxDelay);
        Require(MaxRetryAfter >= TimeSpan.Zero, nameof(MaxRetryAfter), "0 or more", MaxRetryAfter);
        Require(CallTimeout > TimeSpan.Zero, nameof(CallTimeout), "positive", CallTimeout);
        Require(QueryBudget is null or >= 0, nameof(QueryBudget), "0 or more (or null for no limit)", QueryBudget);
        Require(PricePer1000Queries is null or >= 0, nameof(PricePer1000Queries), "0 or more", PricePer1000Queries);

        void Require(bool ok, string name, string expected, object? actual)
        {
            if (!ok)
            {
                throw new ArgumentException($"{provider}: ResilientSearchOptions.{name} must be {expected} (got {actual})");
            }
        }
    }
}
