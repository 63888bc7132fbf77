using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Environments.Composition;
using DeepResearcher.Server.Tools;
using DeepResearcher.Testing;
using DeepResearcher.Web.Remote;
using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;

namespace DeepResearcher.Server.Tests;

public sealed class ToolboxMetricsTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "dr-metrics-" + Guid.NewGuid().ToString("N"));

    public async ValueTask InitializeAsync()
        => await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = Path.Combine(_root, "world"), Seed = 2, Size = WorldSize.Tiny }, null, TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task The_search_cache_hit_rate_reaches_the_metrics_endpoint()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using ComposedToolbox composed = await ToolboxComposer.CreateAsync(
            new ToolboxSpec { WorldDir = Path.Combine(_root, "world"), Search = "local", CachePath = Path.Combine(_root, "tools.db") }, ct);
        await using ToolServer server = await ToolServer.StartAsync(composed.Toolbox, new ToolServerOptions { Meters = [composed.Metrics.Meter] }, null, ct);
        using var remote = new RemoteToolbox(new RemoteToolboxOptions { Servers = [server.BaseUrl] });
        var call = new ToolCall(ResearchTools.WebSearchName, []) { Queries = ["capital city"] };

        await remote.ExecuteAsync(call, new ToolContext("t1", "q"), ct);
        await remote.ExecuteAsync(call, new ToolContext("t2", "q"), ct);
        using var http = new HttpClient();
        string metrics = await http.GetStringAsync(new Uri(server.BaseUrl, "metrics"), ct);

        var scrape = PrometheusScrape.Parse(metrics);
        Assert.Equal(1, scrape.Value("deepresearcher_search_cache_requests_total", ("provider", "local"), ("outcome", "miss")));
        Assert.Equal(1, scrape.Value("deepresearcher_search_cache_requests_total", ("provider", "local"), ("outcome", "hit")));
        Assert.Equal(0.5, scrape.Value("deepresearcher_search_cache_hit_rate", ("provider", "local")));
        Assert.Equal("counter", scrape.TypeOf("deepresearcher_search_cache_requests_total"));
        Assert.Equal("gauge", scrape.TypeOf("deepresearcher_search_cache_hit_rate"));
        Assert.Contains("cached", composed.Description, StringComparison.Ordinal);
    }
}
