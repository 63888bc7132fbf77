using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Environments.World;
using DeepResearcher.Testing;
using DeepResearcher.Web.Search;
using DeepResearcher.Web.Toolbox;
using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Serving;

namespace DeepResearcher.Server.Tests.World;

/// <summary>The world's fetcher may reach the world server's origin on loopback, and no other loopback service.</summary>
public sealed class OfflineWorldTests : IAsyncLifetime
{
    private string _root = string.Empty;

    public async ValueTask InitializeAsync()
    {
        _root = Path.Combine(Path.GetTempPath(), "dr-world-origin-" + Guid.NewGuid().ToString("N"));
        await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = _root, Seed = 11, Size = WorldSize.Tiny }, null, TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Browsing_any_url_reaches_the_worlds_pages_but_no_other_loopback_port()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using OfflineWorld world = await OfflineWorld.StartAsync(_root, searchOverHttp: false, ct);
        await using var otherService = new RecordingHttpServer(_ => HttpReply.Page("<html><body><p>a local service's metrics</p></body></html>"));
        IToolbox toolbox = world.CreateToolbox(options: new WebToolboxOptions { BrowseMode = BrowseMode.Any });
        IReadOnlyList<SearchResult> hits = await world.Search.SearchAsync(new SearchRequest("capital"), ct);
        string worldPage = Assert.IsType<SearchResult>(hits.FirstOrDefault()).Url;
        var context = new ToolContext("traj-1", "What is the capital?");

        var observation = (BrowseObservation)(await toolbox.ExecuteAsync(
            new ToolCall(ResearchTools.BrowseWebpageName, []) { Urls = [worldPage, otherService.Url + "metrics"] }, context, ct)).Observation;

        Assert.StartsWith(WorldOrigin.Uri.ToString(), worldPage, StringComparison.Ordinal);
        Assert.Null(observation.Pages[0].Error);
        Assert.NotNull(observation.Pages[1].Error);
        Assert.Empty(otherService.RequestLines);
    }
}
