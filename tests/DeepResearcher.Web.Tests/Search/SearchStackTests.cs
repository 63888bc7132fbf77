using DeepResearcher.Web.Caching;
using DeepResearcher.Web.Resilience;
using DeepResearcher.Web.Search;
using DeepResearcher.Web.Tests.Fakes;

namespace DeepResearcher.Web.Tests.Search;

/// <summary>The whole stack over real HTTP: cache → failover → (rate limit + retries) → adapters → loopback fake providers.</summary>
public sealed class SearchStackTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private readonly TemporaryDirectory _dir = new();
    private readonly InstantDelayTimeProvider _clock = new();
    private FakeSearchServer _serper = null!;
    private FakeSearchServer _brave = null!;

    public async ValueTask InitializeAsync()
    {
        _serper = await FakeSearchServer.StartAsync(TestContext.Current.CancellationToken);
        _brave = await FakeSearchServer.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _serper.DisposeAsync();
        await _brave.DisposeAsync();
        _http.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task AnOverloadedSerperIsRetriedThenBraveAnswersAndTheAnswerIsCached()
    {
        _serper.Fallback = ProviderWireFormat.Serper.Error(503, "overloaded") with { Headers = new Dictionary<string, string> { ["Retry-After"] = "2" } };
        _brave.Enqueue(FakeReply.Json(ProviderWireFormat.Brave.Results("who isolated fluorine", ProviderWireFormat.SampleHits)));
        var retryPolicy = new ResilientSearchOptions { MaxRetries = 2, TimeProvider = _clock };
        using var serper = new ResilientSearchProvider(new SerperSearchProvider(_http, new SearchProviderOptions { BaseUrl = _serper.BaseUrl, ApiKey = "s" }), retryPolicy);
        using var brave = new ResilientSearchProvider(new BraveSearchProvider(_http, new SearchProviderOptions { BaseUrl = _brave.BaseUrl, ApiKey = "b" }), retryPolicy);
        var chain = new FailoverSearchProvider([serper, brave]);
        using SqliteToolCache store = await SqliteToolCache.OpenAsync(_dir.File("cache.db"), null, TestContext.Current.CancellationToken);
        using var cached = new CachedSearchProvider(chain, store);

        IReadOnlyList<SearchResult> first = await cached.SearchAsync(new SearchRequest("who isolated fluorine"), TestContext.Current.CancellationToken);
        IReadOnlyList<SearchResult> second = await cached.SearchAsync(new SearchRequest("who isolated fluorine"), TestContext.Current.CancellationToken);

        Assert.Equal(3, _serper.Requests.Count);
        Assert.Single(_brave.Requests);
        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)], _clock.Delays);
        Assert.Equal("brave", first[0].Provider);
        Assert.Equal(first, second);
        Assert.Equal(3, serper.Metrics.FailuresByKind[SearchFailureKind.Unavailable]);
        Assert.Equal(1, brave.Metrics.Successes);
        Assert.Equal(1, cached.Statistics.Hits);
        Assert.Equal(SearchFailureKind.Unavailable, chain.Health[0].LastFailureKind);
    }
}
