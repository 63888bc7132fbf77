using System.Diagnostics;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Observability;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Testing;
using DeepResearcher.Web.Observability;
using DeepResearcher.Web.Pages;
using DeepResearcher.Web.Reading;
using DeepResearcher.Web.Search;
using DeepResearcher.Web.Toolbox;

namespace DeepResearcher.Web.Tests.Toolbox;

public class WebToolboxTests
{
    private const string Url = "https://wiki.example/Freedonia";
    private static readonly ToolContext Context = new("traj-1", "What is the capital of Freedonia?");

    [Fact]
    public async Task Search_returns_hits_per_query_and_reports_failed_queries_inline()
    {
        WebToolbox toolbox = NewToolbox(out _, out FakeSearch search);
        search.Failing.Add("broken query");

        ToolResult result = await toolbox.ExecuteAsync(Search("capital of Freedonia", "broken query"), Context, TestContext.Current.CancellationToken);

        SearchObservation observation = Assert.IsType<SearchObservation>(result.Observation);
        Assert.Equal(Url, observation.Queries[0].Hits[0].Url);
        Assert.Contains("upstream down", observation.Queries[1].Error, StringComparison.Ordinal);
        Assert.Null(result.Error); // one query worked
    }

    [Fact]
    public async Task Each_query_and_each_page_is_a_span_with_the_fetch_and_the_reader_call_under_the_page()
    {
        WebToolbox toolbox = NewToolbox(out _, out FakeSearch search);
        search.Failing.Add("broken query");
        using var recorder = new ActivityRecorder(WebTracing.SourceName);

        await toolbox.ExecuteAsync(Search("capital of Freedonia", "broken query"), Context, TestContext.Current.CancellationToken);
        await toolbox.ExecuteAsync(Browse(Url), Context, TestContext.Current.CancellationToken);

        IReadOnlyList<Activity> searches = recorder.Named("web.search");
        Assert.Equal(["broken query", "capital of Freedonia"], searches.Select(s => (string)s.GetTagItem(WebTracing.QueryTag)!).Order(StringComparer.Ordinal));
        Assert.All(searches, s => Assert.Equal("fake", s.GetTagItem(WebTracing.ProviderTag)));
        Assert.Equal(ActivityStatusCode.Error, searches.Single(s => (string)s.GetTagItem(WebTracing.QueryTag)! == "broken query").Status);
        Assert.Equal(1, searches.Single(s => (string)s.GetTagItem(WebTracing.QueryTag)! == "capital of Freedonia").GetTagItem(WebTracing.ResultsTag));
        Activity page = Assert.Single(recorder.Named("web.page"));
        Assert.Equal(Url, page.GetTagItem(WebTracing.UrlTag));
        Assert.Equal("traj-1", page.GetTagItem(ResearchTracing.TrajectoryIdTag));
        Activity fetch = Assert.Single(recorder.Named("web.fetch"));
        Activity read = Assert.Single(recorder.Named("web.read"));
        Assert.Equal(page.SpanId, fetch.ParentSpanId);
        Assert.Equal(page.SpanId, read.ParentSpanId);
        Assert.Equal(nameof(ExtractivePageReader), read.GetTagItem(WebTracing.ReaderTag));
        Assert.True((int)read.GetTagItem(WebTracing.FindingsTag)! > 0);
    }

    [Fact]
    public async Task Browsing_before_searching_says_to_search_first()
    {
        WebToolbox toolbox = NewToolbox(out _, out _);

        ToolResult result = await toolbox.ExecuteAsync(Browse(Url), Context, TestContext.Current.CancellationToken);

        PageFindings page = Assert.Single(Assert.IsType<BrowseObservation>(result.Observation).Pages);
        Assert.Contains("call web_search first", page.Error, StringComparison.Ordinal);
        Assert.NotNull(result.Error);
    }

    [Fact]
    public async Task Strict_mode_refuses_urls_outside_the_latest_results_and_lenient_mode_accepts_earlier_ones()
    {
        WebToolbox strict = NewToolbox(out FakePages _, out _);
        await strict.ExecuteAsync(Search("capital of Freedonia"), Context, TestContext.Current.CancellationToken);
        await strict.ExecuteAsync(Search("other topic"), Context, TestContext.Current.CancellationToken);
        ToolResult refused = await strict.ExecuteAsync(Browse(Url), Context, TestContext.Current.CancellationToken);

        WebToolbox lenient = NewToolbox(out _, out _, BrowseMode.Lenient);
        await lenient.ExecuteAsync(Search("capital of Freedonia"), Context, TestContext.Current.CancellationToken);
        await lenient.ExecuteAsync(Search("other topic"), Context, TestContext.Current.CancellationToken);
        ToolResult accepted = await lenient.ExecuteAsync(Browse(Url), Context, TestContext.Current.CancellationToken);

        Assert.Contains("not in the latest search results", Assert.IsType<BrowseObservation>(refused.Observation).Pages[0].Error, StringComparison.Ordinal);
        Assert.NotEmpty(Assert.IsType<BrowseObservation>(accepted.Observation).Pages[0].Information);
    }

    [Fact]
    public async Task Re_browsing_resumes_where_reading_stopped_and_returns_only_new_information()
    {
        WebToolbox toolbox = NewToolbox(out FakePages pages, out _);
        await toolbox.ExecuteAsync(Search("capital of Freedonia"), Context, TestContext.Current.CancellationToken);

        var first = (BrowseObservation)(await toolbox.ExecuteAsync(Browse(Url), Context, TestContext.Current.CancellationToken)).Observation;
        var second = (BrowseObservation)(await toolbox.ExecuteAsync(Browse(Url), Context, TestContext.Current.CancellationToken)).Observation;
        var third = (BrowseObservation)(await toolbox.ExecuteAsync(Browse(Url), Context, TestContext.Current.CancellationToken)).Observation;

        Assert.Equal([0, 1], first.Pages[0].Information.Select(i => i.PageNumber)); // stopped after the irrelevant segment 2
        Assert.Equal([3], second.Pages[0].Information.Select(i => i.PageNumber));
        Assert.Empty(third.Pages[0].Information);
        Assert.Contains("already read to the end", third.Pages[0].Error, StringComparison.Ordinal);
        Assert.Equal(2, pages.Requests); // the third call needs no fetch
    }

    [Fact]
    public async Task State_is_kept_per_trajectory()
    {
        WebToolbox toolbox = NewToolbox(out _, out _);
        await toolbox.ExecuteAsync(Search("capital of Freedonia"), Context, TestContext.Current.CancellationToken);

        ToolResult other = await toolbox.ExecuteAsync(Browse(Url), Context with { TrajectoryId = "traj-2" }, TestContext.Current.CancellationToken);

        Assert.Contains("call web_search first", ((BrowseObservation)other.Observation).Pages[0].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dead_page_fails_soft_next_to_a_live_one()
    {
        WebToolbox toolbox = NewToolbox(out _, out FakeSearch search);
        search.Results["capital of Freedonia"] = [.. search.Results["capital of Freedonia"], new SearchResult("Dead", "https://dead.example/x", "gone", 2, "fake")];
        await toolbox.ExecuteAsync(Search("capital of Freedonia"), Context, TestContext.Current.CancellationToken);

        ToolResult result = await toolbox.ExecuteAsync(Browse(Url, "https://dead.example/x", "not a url"), Context, TestContext.Current.CancellationToken);

        var pages = ((BrowseObservation)result.Observation).Pages;
        Assert.NotEmpty(pages[0].Information);
        Assert.Equal("HTTP 404 Not Found", pages[1].Error);
        Assert.Equal("not an absolute http(s) URL", pages[2].Error);
        Assert.Null(result.Error);
    }

    private static ToolCall Search(params string[] queries)
        => new(ResearchTools.WebSearchName, []) { Queries = queries };

    private static ToolCall Browse(params string[] urls)
        => new(ResearchTools.BrowseWebpageName, []) { Urls = urls };

    private static WebToolbox NewToolbox(out FakePages pages, out FakeSearch search, BrowseMode mode = BrowseMode.Strict)
    {
        pages = new FakePages();
        search = new FakeSearch();
        search.Results["capital of Freedonia"] = [new SearchResult("Freedonia - Wiki", Url, "Freedonia is a country", 1, "fake")];
        search.Results["other topic"] = [new SearchResult("Other", "https://other.example", "other", 1, "fake")];
        return new WebToolbox(search, pages, new ExtractivePageReader(), new InMemoryToolStateStore(), new WebToolboxOptions { BrowseMode = mode });
    }

    private sealed class FakeSearch : ISearchProvider
    {
        public Dictionary<string, IReadOnlyList<SearchResult>> Results { get; } = [];

        public HashSet<string> Failing { get; } = [];

        public string Name => "fake";

        public Task<IReadOnlyList<SearchResult>> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
            => Failing.Contains(request.Query)
                ? throw new SearchProviderException("fake", SearchFailureKind.Unavailable, "upstream down")
                : Task.FromResult(Results.GetValueOrDefault(request.Query) ?? []);
    }

    private sealed class FakePages : IPageSource
    {
        public int Requests { get; private set; }

        public Task<PageContent> GetAsync(string url, CancellationToken cancellationToken)
        {
            Requests++;
            return Task.FromResult(url == Url
                ? new PageContent(url, "Freedonia",
                [
                    "Freedonia is a small country. The capital question of Freedonia is famous.",
                    "The capital of Freedonia is Fredville, founded in 1820.",
                    "Weather is mild. Birds migrate.",
                    "The capital of Freedonia moved in 1901 to Fredville from Oldtown.",
                ])
                : PageContent.Failed(url, "HTTP 404 Not Found"));
        }
    }
}
