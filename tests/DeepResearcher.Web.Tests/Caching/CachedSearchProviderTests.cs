using DeepResearcher.Web.Caching;
using DeepResearcher.Web.Search;
using DeepResearcher.Web.Tests.Fakes;

namespace DeepResearcher.Web.Tests.Caching;

public sealed class CachedSearchProviderTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _dir = new();
    private readonly ManualTimeProvider _time = new();
    private SqliteToolCache _cache = null!;

    public async ValueTask InitializeAsync() =>
        _cache = await SqliteToolCache.OpenAsync(_dir.File("cache.db"), _time, TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync()
    {
        _cache.Dispose();
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task ARepeatedQueryIsServedFromTheCache()
    {
        var upstream = FakeSearchProvider.Returning("serper");
        using var cached = new CachedSearchProvider(upstream, _cache);

        IReadOnlyList<SearchResult> first = await cached.SearchAsync(new SearchRequest("fluorine"), TestContext.Current.CancellationToken);
        IReadOnlyList<SearchResult> second = await cached.SearchAsync(new SearchRequest("  fluorine "), TestContext.Current.CancellationToken);

        Assert.Equal(1, upstream.Calls);
        Assert.Equal(first, second);
        Assert.Equal(new SearchCacheStatistics(Hits: 1, Misses: 1, Coalesced: 0, Stores: 1, EmptyNotStored: 0, UpstreamFailures: 0, CacheErrors: 0), cached.Statistics);
        Assert.Equal(0.5, cached.Statistics.HitRate);
    }

    [Fact]
    public async Task AnotherCacheInstanceOnTheSameStoreSeesTheEntry()
    {
        var upstream = FakeSearchProvider.Returning("serper");
        using (var writer = new CachedSearchProvider(upstream, _cache))
        {
            await writer.SearchAsync(new SearchRequest("fluorine"), TestContext.Current.CancellationToken);
        }

        using var reader = new CachedSearchProvider(upstream, _cache);
        IReadOnlyList<SearchResult> results = await reader.SearchAsync(new SearchRequest("fluorine"), TestContext.Current.CancellationToken);

        Assert.Equal(1, upstream.Calls);
        Assert.Equal(FakeSearchProvider.Hits("serper", "fluorine", 3), results);
    }

    [Fact]
    public async Task EmptyAnswersAreNotCached()
    {
        var upstream = new FakeSearchProvider("serper", (_, _, _) => Task.FromResult<IReadOnlyList<SearchResult>>([]));
        using var cached = new CachedSearchProvider(upstream, _cache);

        Assert.Empty(await cached.SearchAsync(new SearchRequest("zzz"), TestContext.Current.CancellationToken));
        Assert.Empty(await cached.SearchAsync(new SearchRequest("zzz"), TestContext.Current.CancellationToken));

        Assert.Equal(2, upstream.Calls);
        Assert.Equal(2, cached.Statistics.EmptyNotStored);
        Assert.Null(await _cache.GetAsync(SearchCacheKey.For("serper", new SearchRequest("zzz")), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task FailuresAreNotCached()
    {
        var upstream = FakeSearchProvider.FailingFirst("serper", 1, SearchFailureKind.Unavailable);
        using var cached = new CachedSearchProvider(upstream, _cache);

        await Assert.ThrowsAsync<SearchProviderException>(() => cached.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken));
        IReadOnlyList<SearchResult> results = await cached.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);

        Assert.Equal(3, results.Count);
        Assert.Equal(2, upstream.Calls);
        Assert.Equal(1, cached.Statistics.UpstreamFailures);
    }

    [Fact]
    public async Task AHundredConcurrentIdenticalQueriesMakeOneUpstreamCall()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var upstream = new FakeSearchProvider("serper", async (request, _, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return FakeSearchProvider.Hits("serper", request.Query, 3);
        });
        using var cached = new CachedSearchProvider(upstream, _cache);

        Task<IReadOnlyList<SearchResult>>[] searches = Enumerable.Range(0, 100)
            .Select(_ => Task.Run(() => cached.SearchAsync(new SearchRequest("who isolated fluorine"), TestContext.Current.CancellationToken), TestContext.Current.CancellationToken))
            .ToArray();
        using (var patience = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken))
        {
            patience.CancelAfter(TimeSpan.FromSeconds(20));
            while (cached.Statistics.Coalesced < 99)
            {
                await Task.Delay(5, patience.Token);
            }
        }

        release.SetResult();
        IReadOnlyList<SearchResult>[] answers = await Task.WhenAll(searches);

        Assert.Equal(1, upstream.Calls);
        Assert.All(answers, answer => Assert.Equal(answers[0], answer));
        Assert.Equal(1, cached.Statistics.Misses);
        Assert.Equal(99, cached.Statistics.Coalesced);
    }

    [Fact]
    public async Task ConcurrentDifferentQueriesAreNotCollapsed()
    {
        var upstream = FakeSearchProvider.Returning("serper");
        using var cached = new CachedSearchProvider(upstream, _cache);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => cached.SearchAsync(new SearchRequest($"q{i}"), TestContext.Current.CancellationToken)));

        Assert.Equal(10, upstream.Calls);
    }

    [Fact]
    public async Task AWaiterThatGivesUpDoesNotCancelTheSharedCall()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var upstream = new FakeSearchProvider("serper", async (request, _, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return FakeSearchProvider.Hits("serper", request.Query, 2);
        });
        using var cached = new CachedSearchProvider(upstream, _cache);
        using var impatient = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        Task<IReadOnlyList<SearchResult>> first = cached.SearchAsync(new SearchRequest("q"), impatient.Token);
        Task<IReadOnlyList<SearchResult>> second = cached.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);
        await impatient.CancelAsync();
        release.SetResult();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal(2, (await second).Count);
        Assert.Equal(1, upstream.Calls);
    }

    [Fact]
    public async Task AnExpiredEntryIsFetchedAgain()
    {
        var upstream = FakeSearchProvider.Returning("serper");
        using var cached = new CachedSearchProvider(upstream, _cache, new CachedSearchOptions { TimeToLive = TimeSpan.FromDays(7) });

        await cached.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromDays(6));
        await cached.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);
        Assert.Equal(1, upstream.Calls);

        _time.Advance(TimeSpan.FromDays(1));
        await cached.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);
        Assert.Equal(2, upstream.Calls);
    }

    [Fact]
    public async Task ABrokenCacheDegradesToUncachedSearchAndIsReported()
    {
        var upstream = FakeSearchProvider.Returning("serper");
        var observed = new List<Exception>();
        using var cached = new CachedSearchProvider(upstream, new BrokenToolCache(), new CachedSearchOptions { CacheErrorObserved = observed.Add });

        IReadOnlyList<SearchResult> results = await cached.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);

        Assert.Equal(3, results.Count);
        Assert.Equal(3, cached.Statistics.CacheErrors);
        Assert.Equal(3, observed.Count);
    }

    [Fact]
    public async Task ACorruptEntryIsTreatedAsAMissAndReplaced()
    {
        var upstream = FakeSearchProvider.Returning("serper");
        string key = SearchCacheKey.For("serper", new SearchRequest("q"));
        await _cache.SetAsync(key, "{not json", TimeSpan.FromDays(1), TestContext.Current.CancellationToken);
        using var cached = new CachedSearchProvider(upstream, _cache);

        await cached.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);
        await cached.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);

        Assert.Equal(1, upstream.Calls);
        Assert.StartsWith("[{\"title\":", await _cache.GetAsync(key, TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheKeyNamespaceDefaultsToTheProviderNameAndCanBeShared()
    {
        var serper = FakeSearchProvider.Returning("serper");
        var brave = FakeSearchProvider.Returning("brave");
        using var viaSerper = new CachedSearchProvider(serper, _cache, new CachedSearchOptions { KeyNamespace = "web" });
        using var viaBrave = new CachedSearchProvider(brave, _cache, new CachedSearchOptions { KeyNamespace = "web" });
        using var braveOwn = new CachedSearchProvider(brave, _cache);

        await viaSerper.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);
        IReadOnlyList<SearchResult> shared = await viaBrave.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);
        IReadOnlyList<SearchResult> own = await braveOwn.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);

        Assert.Equal("serper", shared[0].Provider);
        Assert.Equal("brave", own[0].Provider);
        Assert.Equal(1, brave.Calls);
    }

    private sealed class BrokenToolCache : IToolCache
    {
        public Task<string?> GetAsync(string key, CancellationToken cancellationToken) => throw new IOException("disk on fire");

        public Task SetAsync(string key, string value, TimeSpan timeToLive, CancellationToken cancellationToken) => throw new IOException("disk on fire");

        public Task<int> RemoveExpiredAsync(CancellationToken cancellationToken) => throw new IOException("disk on fire");
    }
}
