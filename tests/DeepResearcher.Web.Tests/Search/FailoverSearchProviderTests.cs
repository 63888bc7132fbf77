using DeepResearcher.Web.Resilience;
using DeepResearcher.Web.Search;
using DeepResearcher.Web.Tests.Fakes;

namespace DeepResearcher.Web.Tests.Search;

public sealed class FailoverSearchProviderTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly List<SearchProviderException> _observed = [];

    [Fact]
    public async Task TheFirstHealthyProviderAnswersAndTheRestAreNotAsked()
    {
        var serper = FakeSearchProvider.Returning("serper");
        var brave = FakeSearchProvider.Returning("brave");

        IReadOnlyList<SearchResult> results = await Chain(serper, brave).SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);

        Assert.Equal("serper", results[0].Provider);
        Assert.Equal(0, brave.Calls);
    }

    [Fact]
    public async Task AnOutageMovesOnToTheNextProvider()
    {
        var serper = FakeSearchProvider.Failing("serper", SearchFailureKind.Unavailable);
        var brave = FakeSearchProvider.Returning("brave");

        IReadOnlyList<SearchResult> results = await Chain(serper, brave).SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);

        Assert.Equal("brave", results[0].Provider);
        SearchProviderException observed = Assert.Single(_observed);
        Assert.Equal("serper", observed.Provider);
    }

    [Theory]
    [InlineData(SearchFailureKind.Unauthorized)]
    [InlineData(SearchFailureKind.BudgetExhausted)]
    public async Task ABadKeyOrSpentBudgetMovesOnIsReportedButDoesNotOpenTheCircuit(SearchFailureKind kind)
    {
        var serper = FakeSearchProvider.Failing("serper", kind);
        var brave = FakeSearchProvider.Returning("brave");
        FailoverSearchProvider chain = Chain(serper, brave);

        for (int i = 0; i < 5; i++)
        {
            Assert.Equal("brave", (await chain.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken))[0].Provider);
        }

        ProviderHealth health = chain.Health[0];
        Assert.Equal(CircuitState.Closed, health.State);
        Assert.Equal(kind, health.LastFailureKind);
        Assert.Equal(5, health.Failures);
        Assert.Equal(5, serper.Calls);
        Assert.Equal(5, _observed.Count);
    }

    [Fact]
    public async Task WhenEveryProviderFailsTheMessageHasEveryCause()
    {
        FailoverSearchProvider chain = Chain(
            FakeSearchProvider.Failing("serper", SearchFailureKind.Unavailable),
            FakeSearchProvider.Failing("brave", SearchFailureKind.Unauthorized),
            FakeSearchProvider.Failing("local", SearchFailureKind.RateLimited, TimeSpan.FromSeconds(3)));

        var failure = await Assert.ThrowsAsync<SearchProviderException>(() => chain.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken));

        Assert.Equal("failover", failure.Provider);
        Assert.Equal(SearchFailureKind.Unavailable, failure.Kind);
        Assert.Contains("all 3 providers failed", failure.Message, StringComparison.Ordinal);
        Assert.Contains("serper: scripted Unavailable", failure.Message, StringComparison.Ordinal);
        Assert.Contains("brave: scripted Unauthorized", failure.Message, StringComparison.Ordinal);
        Assert.Contains("local: scripted RateLimited", failure.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(3), failure.RetryAfter);
        Assert.Equal(3, Assert.IsType<AggregateException>(failure.InnerException).InnerExceptions.Count);
    }

    [Fact]
    public async Task WhenEveryProviderFailsTheSameWayThatKindIsKept()
    {
        FailoverSearchProvider chain = Chain(
            FakeSearchProvider.Failing("serper", SearchFailureKind.Unauthorized),
            FakeSearchProvider.Failing("brave", SearchFailureKind.Unauthorized));

        var failure = await Assert.ThrowsAsync<SearchProviderException>(() => chain.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken));

        Assert.Equal(SearchFailureKind.Unauthorized, failure.Kind);
    }

    [Fact]
    public async Task ConsecutiveTransientFailuresOpenTheCircuitAndTheProviderIsSkipped()
    {
        var serper = FakeSearchProvider.Failing("serper", SearchFailureKind.Unavailable);
        var brave = FakeSearchProvider.Returning("brave");
        FailoverSearchProvider chain = Chain(serper, brave);

        for (int i = 0; i < 5; i++)
        {
            await chain.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);
        }

        Assert.Equal(3, serper.Calls);
        Assert.Equal(5, brave.Calls);
        ProviderHealth health = chain.Health[0];
        Assert.Equal(CircuitState.Open, health.State);
        Assert.Equal(2, health.Skipped);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(30), health.OpenUntil);
    }

    [Fact]
    public async Task AfterTheCoolDownOneProbeCloses()
    {
        var serper = FakeSearchProvider.FailingFirst("serper", 3, SearchFailureKind.Unavailable);
        var brave = FakeSearchProvider.Returning("brave");
        FailoverSearchProvider chain = Chain(serper, brave);
        for (int i = 0; i < 4; i++)
        {
            await chain.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);
        }

        Assert.Equal(3, serper.Calls);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(CircuitState.HalfOpen, chain.Health[0].State);
        IReadOnlyList<SearchResult> probe = await chain.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);

        Assert.Equal("serper", probe[0].Provider);
        Assert.Equal(CircuitState.Closed, chain.Health[0].State);
        Assert.Equal(0, chain.Health[0].ConsecutiveTransientFailures);
    }

    [Fact]
    public async Task AFailedProbeReopensTheCircuitForAnotherCoolDown()
    {
        var serper = FakeSearchProvider.Failing("serper", SearchFailureKind.RateLimited);
        var brave = FakeSearchProvider.Returning("brave");
        FailoverSearchProvider chain = Chain(serper, brave);
        for (int i = 0; i < 3; i++)
        {
            await chain.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);
        }

        _time.Advance(TimeSpan.FromSeconds(31));
        await chain.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);
        await chain.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);

        Assert.Equal(4, serper.Calls);
        Assert.Equal(CircuitState.Open, chain.Health[0].State);
    }

    [Fact]
    public async Task WhenEveryCircuitIsOpenTheFailureSaysSo()
    {
        var serper = FakeSearchProvider.Failing("serper", SearchFailureKind.Unavailable);
        FailoverSearchProvider chain = Chain(serper);
        for (int i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<SearchProviderException>(() => chain.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken));
        }

        var failure = await Assert.ThrowsAsync<SearchProviderException>(() => chain.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken));

        Assert.Contains("serper: skipped: circuit open after 3 consecutive failures", failure.Message, StringComparison.Ordinal);
        Assert.Equal(3, serper.Calls);
    }

    [Fact]
    public async Task AnEmptyAnswerIsAnAnswer()
    {
        var serper = new FakeSearchProvider("serper", (_, _, _) => Task.FromResult<IReadOnlyList<SearchResult>>([]));
        var brave = FakeSearchProvider.Returning("brave");

        Assert.Empty(await Chain(serper, brave).SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken));
        Assert.Equal(0, brave.Calls);
    }

    [Fact]
    public async Task AnUnexpectedExceptionIsTreatedAsAnOutage()
    {
        var serper = new FakeSearchProvider("serper", (_, _, _) => throw new InvalidOperationException("bug in adapter"));
        var brave = FakeSearchProvider.Returning("brave");

        IReadOnlyList<SearchResult> results = await Chain(serper, brave).SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);

        Assert.Equal("brave", results[0].Provider);
        Assert.Contains("bug in adapter", Assert.Single(_observed).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheCallersCancellationStopsTheChain()
    {
        var serper = new FakeSearchProvider("serper", async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return [];
        });
        var brave = FakeSearchProvider.Returning("brave");
        FailoverSearchProvider chain = Chain(serper, brave);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(50);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chain.SearchAsync(new SearchRequest("q"), cancel.Token));

        Assert.Equal(0, brave.Calls);
        Assert.Equal(0, chain.Health[0].Failures);
    }

    private FailoverSearchProvider Chain(params ISearchProvider[] providers) =>
        new(providers, new FailoverOptions { FailureThreshold = 3, CoolDown = TimeSpan.FromSeconds(30), TimeProvider = _time, FailureObserved = _observed.Add });
}
