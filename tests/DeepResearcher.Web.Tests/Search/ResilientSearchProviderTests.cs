using DeepResearcher.Web.Resilience;
using DeepResearcher.Web.Search;
using DeepResearcher.Web.Tests.Fakes;

namespace DeepResearcher.Web.Tests.Search;

public sealed class ResilientSearchProviderTests
{
    private readonly InstantDelayTimeProvider _clock = new();

    [Fact]
    public async Task RetriesAnUnavailableProviderWithJitteredBackoff()
    {
        var inner = FakeSearchProvider.FailingFirst("serper", 2, SearchFailureKind.Unavailable);
        using var resilient = new ResilientSearchProvider(inner, Options(maxRetries: 3));

        IReadOnlyList<SearchResult> results = await resilient.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);

        Assert.Equal(3, results.Count);
        Assert.Equal(3, inner.Calls);
        Assert.Equal(2, _clock.Delays.Count);
        Assert.All(_clock.Delays, delay => Assert.InRange(delay, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(30)));
        SearchProviderMetrics metrics = resilient.Metrics;
        Assert.Equal(1, metrics.Queries);
        Assert.Equal(3, metrics.UpstreamRequests);
        Assert.Equal(1, metrics.Successes);
        Assert.Equal(2, metrics.Retries);
        Assert.Equal(2, metrics.FailuresByKind[SearchFailureKind.Unavailable]);
        Assert.Equal(2, metrics.Failures);
    }

    [Fact]
    public async Task WaitsExactlyTheRetryAfterTheProviderAskedFor()
    {
        var inner = FakeSearchProvider.FailingFirst("serper", 1, SearchFailureKind.RateLimited, retryAfter: TimeSpan.FromSeconds(7));
        using var resilient = new ResilientSearchProvider(inner, Options(maxRetries: 3));

        await resilient.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);

        Assert.Equal([TimeSpan.FromSeconds(7)], _clock.Delays);
        Assert.Equal(1, resilient.Metrics.FailuresByKind[SearchFailureKind.RateLimited]);
    }

    [Fact]
    public async Task ARetryAfterBeyondTheLimitIsNotWaitedFor()
    {
        var inner = FakeSearchProvider.Failing("serper", SearchFailureKind.RateLimited, retryAfter: TimeSpan.FromMinutes(10));
        using var resilient = new ResilientSearchProvider(inner, Options(maxRetries: 3));

        var failure = await Assert.ThrowsAsync<SearchProviderException>(() => resilient.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken));

        Assert.Equal(SearchFailureKind.RateLimited, failure.Kind);
        Assert.Equal(1, inner.Calls);
        Assert.Empty(_clock.Delays);
    }

    [Fact]
    public async Task GivesUpAfterTheLastRetry()
    {
        var inner = FakeSearchProvider.Failing("serper", SearchFailureKind.Unavailable);
        using var resilient = new ResilientSearchProvider(inner, Options(maxRetries: 3));

        var failure = await Assert.ThrowsAsync<SearchProviderException>(() => resilient.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken));

        Assert.Equal(SearchFailureKind.Unavailable, failure.Kind);
        Assert.Equal(4, inner.Calls);
        Assert.Equal(3, resilient.Metrics.Retries);
        Assert.Equal(0, resilient.Metrics.Successes);
    }

    [Theory]
    [InlineData(SearchFailureKind.Unauthorized)]
    [InlineData(SearchFailureKind.BadRequest)]
    [InlineData(SearchFailureKind.BadResponse)]
    [InlineData(SearchFailureKind.BudgetExhausted)]
    public async Task FailuresThatRetryingCannotFixAreNotRetried(SearchFailureKind kind)
    {
        var inner = FakeSearchProvider.Failing("serper", kind);
        using var resilient = new ResilientSearchProvider(inner, Options(maxRetries: 3));

        var failure = await Assert.ThrowsAsync<SearchProviderException>(() => resilient.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken));

        Assert.Equal(kind, failure.Kind);
        Assert.Equal(1, inner.Calls);
        Assert.Equal(0, resilient.Metrics.Retries);
        Assert.Equal(1, resilient.Metrics.FailuresByKind[kind]);
    }

    [Fact]
    public async Task TheBudgetStopsRequestsAndTheCostIsEstimated()
    {
        var inner = FakeSearchProvider.Returning("serper");
        using var resilient = new ResilientSearchProvider(inner, Options(maxRetries: 0) with { QueryBudget = 3, PricePer1000Queries = 5m });

        for (int i = 0; i < 3; i++)
        {
            await resilient.SearchAsync(new SearchRequest($"q{i}"), TestContext.Current.CancellationToken);
        }

        var failure = await Assert.ThrowsAsync<SearchProviderException>(() => resilient.SearchAsync(new SearchRequest("q4"), TestContext.Current.CancellationToken));

        Assert.Equal(SearchFailureKind.BudgetExhausted, failure.Kind);
        Assert.Contains("QueryBudget", failure.Message, StringComparison.Ordinal);
        Assert.Equal(3, inner.Calls);
        SearchProviderMetrics metrics = resilient.Metrics;
        Assert.Equal(4, metrics.Queries);
        Assert.Equal(3, metrics.UpstreamRequests);
        Assert.Equal(3, metrics.QueryBudget);
        Assert.Equal(0, metrics.BudgetLeft);
        Assert.Equal(0.015m, metrics.EstimatedCost);
        Assert.Equal(1, metrics.FailuresByKind[SearchFailureKind.BudgetExhausted]);
    }

    [Fact]
    public async Task RetriesSpendTheBudgetToo()
    {
        var inner = FakeSearchProvider.Failing("serper", SearchFailureKind.Unavailable);
        using var resilient = new ResilientSearchProvider(inner, Options(maxRetries: 5) with { QueryBudget = 2 });

        var failure = await Assert.ThrowsAsync<SearchProviderException>(() => resilient.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken));

        Assert.Equal(SearchFailureKind.BudgetExhausted, failure.Kind);
        Assert.Equal(2, inner.Calls);
        Assert.Equal(0, resilient.Metrics.BudgetLeft);
    }

    [Fact]
    public async Task ASlowAttemptTimesOutAsUnavailable()
    {
        var inner = new FakeSearchProvider("serper", async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return [];
        });
        using var resilient = new ResilientSearchProvider(inner, Options(maxRetries: 0) with { CallTimeout = TimeSpan.FromMilliseconds(100) });

        var failure = await Assert.ThrowsAsync<SearchProviderException>(() => resilient.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken));

        Assert.Equal(SearchFailureKind.Unavailable, failure.Kind);
        Assert.Contains("CallTimeout", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoMoreThanMaxConcurrencyCallsAreInFlight()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inner = new FakeSearchProvider("serper", async (request, _, ct) =>
        {
            await gate.Task.WaitAsync(ct);
            return FakeSearchProvider.Hits("serper", request.Query, 1);
        });
        using var resilient = new ResilientSearchProvider(inner, Options(maxRetries: 0) with { MaxConcurrency = 2 });

        Task[] searches = [.. Enumerable.Range(0, 5).Select(i => resilient.SearchAsync(new SearchRequest($"q{i}"), TestContext.Current.CancellationToken))];
        await WaitUntil(() => inner.Calls >= 2);
        await Task.Delay(100, TestContext.Current.CancellationToken);
        int inFlightWhileBlocked = inner.Calls;
        gate.SetResult();
        await Task.WhenAll(searches);

        Assert.Equal(2, inFlightWhileBlocked);
        Assert.Equal(5, inner.Calls);
    }

    [Fact]
    public async Task AnEmptyTokenBucketWithNoQueueRejectsLocallyWithoutCallingTheProvider()
    {
        var inner = FakeSearchProvider.Returning("serper");
        using var resilient = new ResilientSearchProvider(inner, Options(maxRetries: 0) with { Burst = 2, RequestsPerSecond = 0.001, QueueLimit = 0 });

        await resilient.SearchAsync(new SearchRequest("a"), TestContext.Current.CancellationToken);
        await resilient.SearchAsync(new SearchRequest("b"), TestContext.Current.CancellationToken);
        var failure = await Assert.ThrowsAsync<SearchProviderException>(() => resilient.SearchAsync(new SearchRequest("c"), TestContext.Current.CancellationToken));

        Assert.Equal(SearchFailureKind.RateLimited, failure.Kind);
        Assert.Contains("local rate limit", failure.Message, StringComparison.Ordinal);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task CallsBeyondTheBurstWaitForTokensInsteadOfFailing()
    {
        var inner = FakeSearchProvider.Returning("serper");
        using var resilient = new ResilientSearchProvider(inner, Options(maxRetries: 0) with { Burst = 1, RequestsPerSecond = 40 });

        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => resilient.SearchAsync(new SearchRequest($"q{i}"), TestContext.Current.CancellationToken)));

        Assert.Equal(4, inner.Calls);
        Assert.Equal(0, resilient.Metrics.Failures);
    }

    [Fact]
    public async Task TheCallersCancellationIsNotCountedAsAFailure()
    {
        var inner = new FakeSearchProvider("serper", async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return [];
        });
        using var resilient = new ResilientSearchProvider(inner, Options(maxRetries: 3));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(50);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => resilient.SearchAsync(new SearchRequest("q"), cancel.Token));

        Assert.Equal(1, inner.Calls);
        Assert.Equal(0, resilient.Metrics.Failures);
    }

    [Fact]
    public void InvalidOptionsNameTheProviderAndTheOption()
    {
        var failure = Assert.Throws<ArgumentException>(() => new ResilientSearchProvider(FakeSearchProvider.Returning("brave"), new ResilientSearchOptions { RequestsPerSecond = 0 }));

        Assert.Contains("brave: ResilientSearchOptions.RequestsPerSecond", failure.Message, StringComparison.Ordinal);
    }

    private ResilientSearchOptions Options(int maxRetries) => new()
    {
        MaxRetries = maxRetries,
        BaseDelay = TimeSpan.FromSeconds(1),
        MaxDelay = TimeSpan.FromSeconds(30),
        RequestsPerSecond = 1000,
        Burst = 1000,
        TimeProvider = _clock,
    };

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        patience.CancelAfter(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(5, patience.Token);
        }
    }
}
