using DeepResearcher.Web.Caching;
using DeepResearcher.Web.Tests.Fakes;
using Microsoft.Data.Sqlite;

namespace DeepResearcher.Web.Tests.Caching;

public sealed class SqliteToolCacheTests : IDisposable
{
    private readonly TemporaryDirectory _dir = new();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task StoresReplacesAndReadsBackEntries()
    {
        using SqliteToolCache cache = await SqliteToolCache.OpenAsync(_dir.File("cache.db"), _time, TestContext.Current.CancellationToken);

        Assert.Null(await cache.GetAsync("k", TestContext.Current.CancellationToken));
        await cache.SetAsync("k", "first", TimeSpan.FromHours(1), TestContext.Current.CancellationToken);
        await cache.SetAsync("k", "second", TimeSpan.FromHours(1), TestContext.Current.CancellationToken);
        await cache.SetAsync("other", "x", TimeSpan.FromHours(1), TestContext.Current.CancellationToken);

        Assert.Equal("second", await cache.GetAsync("k", TestContext.Current.CancellationToken));
        Assert.Equal("x", await cache.GetAsync("other", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task EntriesExpireAfterTheirTimeToLive()
    {
        using SqliteToolCache cache = await SqliteToolCache.OpenAsync(_dir.File("cache.db"), _time, TestContext.Current.CancellationToken);
        await cache.SetAsync("short", "s", TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);
        await cache.SetAsync("week", "w", ToolCacheDefaults.TimeToLive, TestContext.Current.CancellationToken);

        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal("s", await cache.GetAsync("short", TestContext.Current.CancellationToken));

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await cache.GetAsync("short", TestContext.Current.CancellationToken));
        Assert.Equal("w", await cache.GetAsync("week", TestContext.Current.CancellationToken));

        _time.Advance(TimeSpan.FromDays(7));
        Assert.Null(await cache.GetAsync("week", TestContext.Current.CancellationToken));
        Assert.Equal(2, await cache.RemoveExpiredAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await cache.RemoveExpiredAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ReplacingAnEntryRestartsItsTimeToLive()
    {
        using SqliteToolCache cache = await SqliteToolCache.OpenAsync(_dir.File("cache.db"), _time, TestContext.Current.CancellationToken);
        await cache.SetAsync("k", "old", TimeSpan.FromMinutes(10), TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromMinutes(8));
        await cache.SetAsync("k", "new", TimeSpan.FromMinutes(10), TestContext.Current.CancellationToken);

        _time.Advance(TimeSpan.FromMinutes(8));

        Assert.Equal("new", await cache.GetAsync("k", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task UsesWalModeAndTheDocumentedTable()
    {
        string path = _dir.File("cache.db");
        using (SqliteToolCache cache = await SqliteToolCache.OpenAsync(path, _time, TestContext.Current.CancellationToken))
        {
            await cache.SetAsync("k", "v", TimeSpan.FromHours(1), TestContext.Current.CancellationToken);
        }

        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await command.ExecuteScalarAsync(TestContext.Current.CancellationToken) as string);
        command.CommandText = "SELECT value, expires_at - created_at FROM tool_cache WHERE key = 'k'";
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken));
        Assert.Equal("v", reader.GetString(0));
        Assert.Equal((long)TimeSpan.FromHours(1).TotalMilliseconds, reader.GetInt64(1));
    }

    [Fact]
    public async Task EntriesSurviveReopeningAndAreSharedBetweenInstances()
    {
        string path = _dir.File("shared.db");
        using SqliteToolCache first = await SqliteToolCache.OpenAsync(path, _time, TestContext.Current.CancellationToken);
        using SqliteToolCache second = await SqliteToolCache.OpenAsync(path, _time, TestContext.Current.CancellationToken);

        await first.SetAsync("k", "from first", TimeSpan.FromHours(1), TestContext.Current.CancellationToken);

        Assert.Equal("from first", await second.GetAsync("k", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ConcurrentWritersAllLand()
    {
        using SqliteToolCache cache = await SqliteToolCache.OpenAsync(_dir.File("cache.db"), _time, TestContext.Current.CancellationToken);

        await Task.WhenAll(Enumerable.Range(0, 64).Select(i =>
            Task.Run(() => cache.SetAsync($"k{i}", $"v{i}", TimeSpan.FromHours(1), TestContext.Current.CancellationToken), TestContext.Current.CancellationToken)));

        for (int i = 0; i < 64; i++)
        {
            Assert.Equal($"v{i}", await cache.GetAsync($"k{i}", TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task ANonPositiveTimeToLiveIsRejected()
    {
        using SqliteToolCache cache = await SqliteToolCache.OpenAsync(_dir.File("cache.db"), _time, TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => cache.SetAsync("k", "v", TimeSpan.Zero, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AFileThatIsNotADatabaseGivesAClearError()
    {
        string path = _dir.File("not-a-db.db");
        await File.WriteAllTextAsync(path, new string('x', 4096), TestContext.Current.CancellationToken);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => SqliteToolCache.OpenAsync(path, _time, TestContext.Current.CancellationToken));

        Assert.Contains(path, failure.Message, StringComparison.Ordinal);
    }
}
