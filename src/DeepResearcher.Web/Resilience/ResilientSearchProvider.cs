using System.Threading.RateLimiting;
using DeepResearcher.Web.Search;
using Polly;
using Polly.Retry;

namespace DeepResearcher.Web.Resilience;

/// <summary>
/// Wraps one provider with what the original lacked: a token-bucket rate limit and a concurrency limit (so a rollout batch cannot
/// flood it into 429s), bounded retries with jittered exponential back-off that honour <c>Retry-After</c> (instead of 512 retries a
/// second apart), a per-attempt timeout, and a query budget with a cost estimate (so a run cannot run up an unbounded bill).
/// </summary>
/// <remarks>
/// Every attempt, retries included, takes a rate-limit token, a concurrency slot and a unit of budget, because every attempt is a
/// billed request. Only <c>RateLimited</c> and <c>Unavailable</c> are retried; a bad key, a bad request, a malformed answer or an
/// exhausted budget fail at once so a <see cref="FailoverSearchProvider"/> can move on.
/// </remarks>
public sealed class ResilientSearchProvider : ISearchProvider, IDisposable
{
    private static readonly SearchFailureKind[] Kinds = Enum.GetValues<SearchFailureKind>();

    private readonly ISearchProvider _inner;
    private readonly ResilientSearchOptions _options;
    private readonly TokenBucketRateLimiter _rate;
    private readonly ConcurrencyLimiter _concurrency;
    private readonly ResiliencePipeline<IReadOnlyList<SearchResult>>? _retry;
    private readonly long[] _failures = new long[Kinds.Length];

    private long _queries;
    private long _upstream;
    private long _successes;
    private long _retries;
    private long _budgetUsed;

    public ResilientSearchProvider(ISearchProvider inner, ResilientSearchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _options = options ?? new ResilientSearchOptions();
        _options.Validate(inner.Name);

        // Refill in steps of about 50 ms: fine-grained enough for high rates without a timer firing every millisecond.
        int tokensPerPeriod = Math.Max(1, (int)Math.Ceiling(_options.RequestsPerSecond / 20));
        _rate = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = _options.Burst,
            TokensPerPeriod = Math.Min(tokensPerPeriod, _options.Burst),
            ReplenishmentPeriod = TimeSpan.FromSeconds(Math.Min(tokensPerPeriod, _options.Burst) / _options.RequestsPerSecond),
            QueueLimit = _options.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
        _concurrency = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = _options.MaxConcurrency,
            QueueLimit = _options.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        if (_options.MaxRetries > 0)
        {
            _retry = new ResiliencePipelineBuilder<IReadOnlyList<SearchResult>> { TimeProvider = _options.TimeProvider }
                .AddRetry(new RetryStrategyOptions<IReadOnlyList<SearchResult>>
                {
                    MaxRetryAttempts = _options.MaxRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = _options.BaseDelay,
                    MaxDelay = _options.MaxDelay,
                    ShouldHandle = args => ValueTask.FromResult(IsRetryable(args.Outcome.Exception)),
                    DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is SearchProviderException { RetryAfter: { } wait } ? wait : (TimeSpan?)null),
                    OnRetry = _ =>
                    {
                        Interlocked.Increment(ref _retries);
                        return ValueTask.CompletedTask;
                    },
                })
                .Build();
        }
    }

    public string Name => _inner.Name;

    public SearchProviderMetrics Metrics
    {
        get
        {
            var failures = new Dictionary<SearchFailureKind, long>(Kinds.Length);
            for (int i = 0; i < Kinds.Length; i++)
            {
                failures[Kinds[i]] = Interlocked.Read(ref _failures[i]);
            }

            long upstream = Interlocked.Read(ref _upstream);
            long? budgetLeft = _options.QueryBudget is { } budget ? Math.Max(0, budget - Interlocked.Read(ref _budgetUsed)) : null;
            decimal? cost = _options.PricePer1000Queries is { } price ? price * upstream / 1000m : null;
            return new SearchProviderMetrics(Name, Interlocked.Read(ref _queries), upstream, Interlocked.Read(ref _successes),
                Interlocked.Read(ref _retries), failures, _options.QueryBudget, budgetLeft, cost);
        }
    }

    public async Task<IReadOnlyList<SearchResult>> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        SearchRequestValidation.Validate(Name, request);
        Interlocked.Increment(ref _queries);
        IReadOnlyList<SearchResult> results = _retry is null
            ? await AttemptAsync(request, cancellationToken).ConfigureAwait(false)
            : await _retry.ExecuteAsync(static (state, token) => new ValueTask<IReadOnlyList<SearchResult>>(state.Self.AttemptAsync(state.Request, token)),
                (Self: this, Request: request), cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _successes);
        return results;
    }

    public void Dispose()
    {
        _rate.Dispose();
        _concurrency.Dispose();
    }

    private bool IsRetryable(Exception? exception) =>
        exception is SearchProviderException { Kind: SearchFailureKind.RateLimited or SearchFailureKind.Unavailable } failure
        && (failure.RetryAfter is null || failure.RetryAfter <= _options.MaxRetryAfter);

    private async Task<IReadOnlyList<SearchResult>> AttemptAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        try
        {
            using RateLimitLease token = await _rate.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
            if (!token.IsAcquired)
            {
                throw new SearchProviderException(Name, SearchFailureKind.RateLimited,
                    $"local rate limit: more than {_options.QueueLimit} calls already waiting for a token (ResilientSearchOptions.QueueLimit, RequestsPerSecond)",
                    token.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan wait) ? wait : null);
            }

            using RateLimitLease slot = await _concurrency.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
            if (!slot.IsAcquired)
            {
                throw new SearchProviderException(Name, SearchFailureKind.RateLimited,
                    $"local concurrency limit: more than {_options.QueueLimit} calls already waiting for one of {_options.MaxConcurrency} slots (ResilientSearchOptions.MaxConcurrency)");
            }

            if (!TryTakeBudget())
            {
                throw new SearchProviderException(Name, SearchFailureKind.BudgetExhausted,
                    $"the query budget of {_options.QueryBudget} requests is spent; raise ResilientSearchOptions.QueryBudget or use another provider");
            }

            Interlocked.Increment(ref _upstream);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.CallTimeout);
            try
            {
                return await _inner.SearchAsync(request, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SearchProviderException(Name, SearchFailureKind.Unavailable,
                    $"no answer within {_options.CallTimeout.TotalSeconds:0.###} s (ResilientSearchOptions.CallTimeout)", inner: ex);
            }
        }
        catch (SearchProviderException failure)
        {
            Interlocked.Increment(ref _failures[Array.IndexOf(Kinds, failure.Kind)]);
            throw;
        }
    }

    private bool TryTakeBudget()
    {
        if (_options.QueryBudget is not { } budget)
        {
            Interlocked.Increment(ref _budgetUsed);
            return true;
        }

        while (true)
        {
            long used = Interlocked.Read(ref _budgetUsed);
            if (used >= budget)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _budgetUsed, used + 1, used) == used)
            {
                return true;
            }
        }
    }
}
