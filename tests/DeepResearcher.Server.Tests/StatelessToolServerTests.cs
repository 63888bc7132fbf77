using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Server.Tools;
using DeepResearcher.Web.Caching;
using DeepResearcher.Web.Pages;
using DeepResearcher.Web.Reading;
using DeepResearcher.Web.Remote;
using DeepResearcher.Web.Search;
using DeepResearcher.Web.Toolbox;

namespace DeepResearcher.Server.Tests;

/// <summary>
/// Two tool servers sharing one PostgreSQL cache: a trajectory's search on one and its browse on the other work,
/// because per-trajectory state lives in the shared store. The original needed sticky routing for this.
/// </summary>
public class StatelessToolServerTests
{
    [Fact]
    public async Task A_browse_on_another_server_sees_the_search_made_on_the_first()
    {
        string connection = Environment.GetEnvironmentVariable("DEEPRESEARCHER_TEST_POSTGRES") ?? string.Empty;
        if (connection.Length == 0)
        {
            const string message = "DEEPRESEARCHER_TEST_POSTGRES is not set; start a server with scripts/postgres-test-server.sh start";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail("CI=true, so this test must run, but " + message);
            }

            Assert.Skip(message);
        }

        CancellationToken ct = TestContext.Current.CancellationToken;
        string table = "stateless_test_" + Guid.NewGuid().ToString("N")[..12];
        using PostgresToolCache cacheA = await PostgresToolCache.OpenAsync(connection, table, cancellationToken: ct);
        using PostgresToolCache cacheB = await PostgresToolCache.OpenAsync(connection, table, cancellationToken: ct);
        await using ToolServer a = await ToolServer.StartAsync(Toolbox(cacheA), new ToolServerOptions(), null, ct);
        await using ToolServer b = await ToolServer.StartAsync(Toolbox(cacheB), new ToolServerOptions(), null, ct);
        using var onA = new RemoteToolbox(new RemoteToolboxOptions { Servers = [a.BaseUrl] });
        using var onB = new RemoteToolbox(new RemoteToolboxOptions { Servers = [b.BaseUrl] });
        var context = new ToolContext("shared-" + Guid.NewGuid().ToString("N"), "What is the capital of Freedonia?");

        await onA.ExecuteAsync(new ToolCall(ResearchTools.WebSearchName, []) { Queries = ["capital of Freedonia"] }, context, ct);
        ToolResult first = await onB.ExecuteAsync(new ToolCall(ResearchTools.BrowseWebpageName, []) { Urls = ["https://wiki.example/F"] }, context, ct);
        ToolResult second = await onA.ExecuteAsync(new ToolCall(ResearchTools.BrowseWebpageName, []) { Urls = ["https://wiki.example/F"] }, context, ct);

        PageFindings read = Assert.IsType<BrowseObservation>(first.Observation).Pages[0];
        Assert.Null(first.Error);
        Assert.Contains("Fredville", read.Information[0].Summary, StringComparison.Ordinal);
        // Server A resumes where server B stopped reading: the page was read to its end there.
        Assert.Contains("already read to the end", Assert.IsType<BrowseObservation>(second.Observation).Pages[0].Error, StringComparison.Ordinal);
    }

    private static WebToolbox Toolbox(IToolCache cache) => new(new OneResultSearch(), new OnePage(), new ExtractivePageReader(), new CachedToolStateStore(cache));

    private sealed class OneResultSearch : ISearchProvider
    {
        public string Name => "fake";

        public Task<IReadOnlyList<SearchResult>> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
            => Task.FromResult<IReadOnlyList<SearchResult>>([new SearchResult("Freedonia", "https://wiki.example/F", "a country", 1, Name)]);
    }

    private sealed class OnePage : IPageSource
    {
        public Task<PageContent> GetAsync(string url, CancellationToken cancellationToken)
            => Task.FromResult(new PageContent(url, "Freedonia", ["The capital of Freedonia is Fredville, on the river."]));
    }
}
