using DeepResearcher.Web.Caching;
using DeepResearcher.Web.Search;
using DeepResearcher.Web.Tests.Fakes;
using Npgsql;

namespace DeepResearcher.Web.Tests.Caching;

/// <summary>Needs a real PostgreSQL server: see <see cref="PostgresTestServer"/> and scripts/postgres-test-server.sh.</summary>
public sealed class PostgresToolCacheTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new();
    private readonly string _table = PostgresTestServer.UniqueTable();
    private readonly List<PostgresToolCache> _opened = [];
    private string? _connectionString;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (PostgresToolCache cache in _opened)
        {
            await cache.DisposeAsync();
        }

        if (_connectionString is not null)
        {
            await using NpgsqlDataSource dataSource = NpgsqlDataSource.Create(_connectionString);
            await using NpgsqlCommand drop = dataSource.CreateCommand($"DROP TABLE IF EXISTS {_table}");
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task StoresReplacesAndReadsBackEntries()
    {
        PostgresToolCache cache = await OpenAsync();

        Assert.Null(await cache.GetAsync("k", TestContext.Current.CancellationToken));
        await cache.SetAsync("k", "first", TimeSpan.FromHours(1), TestContext.Current.CancellationToken);
        await cache.SetAsync("k", "second — ünïcödé", TimeSpan.FromHours(1), TestContext.Current.CancellationToken);

        Assert.Equal("second — ünïcödé", await cache.GetAsync("k", TestContext.Current.CancellationToken));
        Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM {_table}"));
    }

    [Fact]
    public async Task EntriesExpireAfterTheirTimeToLive()
    {
        PostgresToolCache cache = await OpenAsync();
        await cache.SetAsync("short", "s", TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);
        await cache.SetAsync("week", "w", ToolCacheDefaults.TimeToLive, TestContext.Current.CancellationToken);

        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal("s", await cache.GetAsync("short", TestContext.Current.CancellationToken));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await cache.GetAsync("short", TestContext.Current.CancellationToken));
        Assert.Equal("w", await cache.GetAsync("week", TestContext.Current.CancellationToken));

        Assert.Equal(1, await cache.RemoveExpiredAsync(TestContext.Current.CancellationToken));
        Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM {_table}"));
    }

    [Fact]
    public async Task TwoToolServersShareEntriesThroughTheDatabase()
    {
        // Two cache instances with their own connection pools, as two tool-server processes on two machines would have.
        PostgresToolCache machineA = await OpenAsync();
        PostgresToolCache machineB = await OpenAsync();
        var upstreamA = FakeSearchProvider.Returning("serper");
        var upstreamB = FakeSearchProvider.Returning("serper");
        using var serverA = new CachedSearchProvider(upstreamA, machineA);
        using var serverB = new CachedSearchProvider(upstreamB, machineB);

        IReadOnlyList<SearchResult> fromA = await serverA.SearchAsync(new SearchRequest("who isolated fluorine"), TestContext.Current.CancellationToken);
        IReadOnlyList<SearchResult> fromB = await serverB.SearchAsync(new SearchRequest("who  isolated fluorine "), TestContext.Current.CancellationToken);

        Assert.Equal(1, upstreamA.Calls);
        Assert.Equal(0, upstreamB.Calls);
        Assert.Equal(fromA, fromB);
        Assert.Equal(1, serverB.Statistics.Hits);
    }

    [Fact]
    public async Task ServersStartingTogetherCreateTheTableOnce()
    {
        PostgresToolCache[] caches = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => OpenAsync()));

        await caches[0].SetAsync("k", "v", TimeSpan.FromHours(1), TestContext.Current.CancellationToken);

        Assert.All(await Task.WhenAll(caches.Select(c => c.GetAsync("k", TestContext.Current.CancellationToken))), value => Assert.Equal("v", value));
    }

    [Fact]
    public async Task ConcurrentWritesToOneKeyLeaveOneWholeEntry()
    {
        PostgresToolCache cache = await OpenAsync();
        string[] values = [.. Enumerable.Range(0, 20).Select(i => new string((char)('a' + i), 1000))];

        await Task.WhenAll(values.Select(v => cache.SetAsync("k", v, TimeSpan.FromHours(1), TestContext.Current.CancellationToken)));

        Assert.Contains(await cache.GetAsync("k", TestContext.Current.CancellationToken), values);
        Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM {_table}"));
    }

    private async Task<PostgresToolCache> OpenAsync()
    {
        _connectionString ??= PostgresTestServer.ConnectionString();
        PostgresToolCache cache = await PostgresToolCache.OpenAsync(_connectionString, _table, _time, TestContext.Current.CancellationToken);
        lock (_opened)
        {
            _opened.Add(cache);
        }

        return cache;
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using NpgsqlDataSource dataSource = NpgsqlDataSource.Create(_connectionString!);
        await using NpgsqlCommand command = dataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }
}
