using DeepResearcher.Web.Caching;
using DeepResearcher.Web.Tests.Fakes;

namespace DeepResearcher.Web.Tests.Caching;

/// <summary>Set-up failures of the PostgreSQL cache, which need no server.</summary>
public sealed class PostgresToolCacheSetupTests
{
    [Fact]
    public async Task AnUnreachableServerGivesItsLocationButNotThePassword()
    {
        Uri closed = ClosedPort.Url();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresToolCache.OpenAsync(
            $"Host=127.0.0.1;Port={closed.Port};Database=cache;Username=cache;Password=hunter2-secret;Timeout=3",
            cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains($"127.0.0.1:{closed.Port}/cache", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tool-cache")]
    [InlineData("tool_cache; DROP TABLE x")]
    [InlineData("1cache")]
    [InlineData("")]
    public async Task TableNamesThatAreNotPlainIdentifiersAreRejected(string table)
    {
        var failure = await Assert.ThrowsAsync<ArgumentException>(() => PostgresToolCache.OpenAsync(
            "Host=127.0.0.1;Database=cache;Username=cache", table, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("table name", failure.Message, StringComparison.Ordinal);
    }
}
