using System.Diagnostics;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Observability;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Web.Caching;
using DeepResearcher.Web.Observability;
using DeepResearcher.Web.Pages;
using DeepResearcher.Web.Reading;
using DeepResearcher.Web.Search;

namespace DeepResearcher.Web.Toolbox;

/// <summary>
/// The research tools on a search provider, a page source and a reader. Failures of single queries or pages become
/// part of the observation, so one dead page never costs the rest of the call. Per-trajectory state (latest results,
/// reading positions) lives in an <see cref="IToolStateStore"/>, so re-browsing a page resumes where reading stopped.
/// </summary>
public sealed class WebToolbox(
    ISearchProvider search,
    IPageSource pages,
    IPageReader reader,
    IToolStateStore? state = null,
    WebToolboxOptions? options = null) : IToolbox
{
    private readonly IToolStateStore _state = state ?? new InMemoryToolStateStore();
    private readonly WebToolboxOptions _options = options ?? new WebToolboxOptions();

    public Task<ToolResult> ExecuteAsync(ToolCall call, ToolContext context, CancellationToken cancellationToken) => call.Name switch
    {
        ResearchTools.WebSearchName => SearchAsync(call, context, cancellationToken),
        ResearchTools.BrowseWebpageName => BrowseAsync(call, context, cancellationToken),
        _ => Task.FromResult(ToolResult.Failure($"unknown tool '{call.Name}'")),
    };

    private async Task<ToolResult> SearchAsync(ToolCall call, ToolContext context, CancellationToken cancellationToken)
    {
        Task<(QueryResults Results, CacheStatus Cache)>[] runs = [.. call.Queries.Select(query => RunQueryAsync(query, cancellationToken))];
        (QueryResults Results, CacheStatus Cache)[] ran = await Task.WhenAll(runs);
        QueryResults[] results = [.. ran.Select(r => r.Results)];

        TrajectoryToolState toolState = await _state.LoadAsync(context.TrajectoryId, cancellationToken);
        toolState.LatestResults.Clear();
        foreach (QueryResults result in results)
        {
            foreach (SearchHit hit in result.Hits)
            {
                toolState.LatestResults.TryAdd(hit.Url, result.Query);
                toolState.AllResults.TryAdd(hit.Url, result.Query);
            }
        }

        await _state.SaveAsync(context.TrajectoryId, toolState, cancellationToken);
        string[] errors = [.. results.Where(r => r.Error is not null).Select(r => $"'{r.Query}': {r.Error}")];
        return new ToolResult(new SearchObservation(results))
        {
            Error = errors.Length == results.Length && errors.Length > 0 ? string.Join("; ", errors) : null,
            Cache = Combine(ran.Select(r => r.Cache)),
        };
    }

    private async Task<(QueryResults Results, CacheStatus Cache)> RunQueryAsync(string query, CancellationToken cancellationToken)
    {
        var request = new SearchRequest(query, _options.ResultsPerQuery, _options.Region, _options.Language);
        using Activity? span = WebTracing.Source.StartActivity(ActivityKind.Internal, tags:
            [new(WebTracing.ProviderTag, search.Name), new(WebTracing.QueryTag, query)], name: "web.search");
        try
        {
            (IReadOnlyList<SearchResult> hits, CacheStatus cache) = search is CachedSearchProvider cached
                ? await cached.SearchWithCacheStatusAsync(request, cancellationToken)
                : (await search.SearchAsync(request, cancellationToken), CacheStatus.None);
            span?.SetTag(WebTracing.ResultsTag, hits.Count);
            span?.SetTag(ResearchTracing.CacheTag, cache.ToString().ToLowerInvariant());
            return (new QueryResults(query, [.. hits.Take(_options.ResultsPerQuery).Select(h => new SearchHit(h.Title, h.Url, Clip(h.Snippet)))]), cache);
        }
        catch (SearchProviderException ex)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.Message);
            return (new QueryResults(query, [], ex.Message), search is CachedSearchProvider ? CacheStatus.Miss : CacheStatus.None);
        }
    }

    /// <summary>The call's cache status from its parts' lookups: Hit or Miss when all agree, Partial when they differ, None without a cache.</summary>
    private static CacheStatus Combine(IEnumerable<CacheStatus> parts)
    {
        CacheStatus[] looked = [.. parts.Where(p => p != CacheStatus.None)];
        if (looked.Length == 0)
        {
            return CacheStatus.None;
        }

        return looked.All(p => p == CacheStatus.Hit) ? CacheStatus.Hit
            : looked.All(p => p == CacheStatus.Miss) ? CacheStatus.Miss
            : CacheStatus.Partial;
    }

    private string Clip(string snippet)
    {
        int max = _options.MaxSnippetChars;
        if (max <= 0 || snippet.Length <= max)
        {
            return snippet;
        }

        int cut = snippet.LastIndexOf(' ', max);
        return snippet[..(cut > max / 2 ? cut : max)] + " …";
    }

    private async Task<ToolResult> BrowseAsync(ToolCall call, ToolContext context, CancellationToken cancellationToken)
    {
        TrajectoryToolState toolState = await _state.LoadAsync(context.TrajectoryId, cancellationToken);
        using var slots = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrentPages));
        Task<PageOutcome>[] reads = [.. call.Urls.Select(url => ReadPageAsync(url, toolState, context, slots, cancellationToken))];
        PageOutcome[] outcomes = await Task.WhenAll(reads);

        foreach (PageOutcome outcome in outcomes)
        {
            if (outcome.Progress is not null)
            {
                toolState.Pages[outcome.Findings.Url] = outcome.Progress;
            }
        }

        await _state.SaveAsync(context.TrajectoryId, toolState, cancellationToken);
        bool allFailed = outcomes.All(o => o.Findings.Error is not null && o.Findings.Information.Count == 0);
        return new ToolResult(new BrowseObservation([.. outcomes.Select(o => o.Findings)]))
        {
            Error = allFailed ? string.Join("; ", outcomes.Select(o => $"{o.Findings.Url}: {o.Findings.Error}")) : null,
            Cache = Combine(outcomes.Select(o => o.Cache)),
        };
    }

    private async Task<PageOutcome> ReadPageAsync(string url, TrajectoryToolState toolState, ToolContext context, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return new PageOutcome(new PageFindings(url, [], "not an absolute http(s) URL"), null);
        }

        Dictionary<string, string>? allowed = _options.BrowseMode switch
        {
            BrowseMode.Strict => toolState.LatestResults,
            BrowseMode.Lenient => toolState.AllResults,
            _ => null,
        };
        if (allowed is not null && !allowed.ContainsKey(url))
        {
            string why = toolState.AllResults.Count == 0
                ? "no search results yet: call web_search first, then browse URLs from its results"
                : _options.BrowseMode == BrowseMode.Strict
                    ? "this URL is not in the latest search results; browse only URLs listed there"
                    : "this URL is not in any search result of this research";
            return new PageOutcome(new PageFindings(url, [], why), null);
        }

        // The sub-question is the query of the latest search that listed the page, as in the original.
        string query = toolState.LatestResults.GetValueOrDefault(url) ?? toolState.AllResults.GetValueOrDefault(url) ?? context.Question;
        PageProgress progress = toolState.Pages.GetValueOrDefault(url) ?? new PageProgress();
        progress.Query = query;
        if (progress.ReachedEnd)
        {
            return new PageOutcome(new PageFindings(url, [], "already read to the end: nothing new on this page"), progress);
        }

        using Activity? span = WebTracing.Source.StartActivity(ActivityKind.Internal, tags:
            [new(WebTracing.UrlTag, url), new(ResearchTracing.TrajectoryIdTag, context.TrajectoryId)], name: "web.page");
        await slots.WaitAsync(cancellationToken);
        try
        {
            PageContent content;
            using (Activity? fetch = WebTracing.Source.StartActivity(ActivityKind.Client, tags: [new(WebTracing.UrlTag, url), new(WebTracing.ServerAddressTag, uri.Host)], name: "web.fetch"))
            {
                content = await pages.GetAsync(url, cancellationToken);
                fetch?.SetTag(ResearchTracing.CacheTag, content.Cache.ToString().ToLowerInvariant());
                if (content.Error is not null)
                {
                    fetch?.SetStatus(ActivityStatusCode.Error, content.Error);
                    span?.SetStatus(ActivityStatusCode.Error, content.Error);
                    return new PageOutcome(new PageFindings(url, [], content.Error), null) { Cache = content.Cache };
                }
            }

            PageReading reading;
            using (Activity? read = WebTracing.Source.StartActivity(ActivityKind.Internal, tags: [new(WebTracing.ReaderTag, reader.GetType().Name)], name: "web.read"))
            {
                reading = await reader.ReadAsync(new PageReadRequest
                {
                    MainQuestion = context.Question,
                    SubQuestion = progress.Query,
                    Url = url,
                    Segments = content.Segments,
                    StartSegment = progress.NextSegment,
                    Memory = Memory(toolState, progress.Query),
                    MaxSegments = _options.MaxSegmentsPerRead,
                }, cancellationToken);
                read?.SetTag(WebTracing.FindingsTag, reading.Findings.Count);
                read?.SetTag("deepresearcher.reader.next_segment", reading.NextSegment);
            }

            var updated = new PageProgress
            {
                Query = progress.Query,
                NextSegment = reading.NextSegment,
                ReachedEnd = reading.ReachedEnd,
                Findings = [.. progress.Findings, .. reading.Findings.Select(f => new FoundInformation(f.PageNumber, f.Summary))],
            };
            string? note = reading.Note ?? (reading.Findings.Count == 0 ? "nothing relevant found on the pages read" : null);
            return new PageOutcome(new PageFindings(url, reading.Findings, note), updated) { Cache = content.Cache };
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>What is already known for this query: findings on this page and on other pages found by the same query.</summary>
    private static string Memory(TrajectoryToolState toolState, string query)
    {
        string memory = string.Empty;
        foreach (PageProgress progress in toolState.Pages.Values)
        {
            if (progress.Query == query && progress.Findings.Count > 0)
            {
                memory = LlmPageReader.AppendMemory(memory, query, string.Join("\n", progress.Findings.Select(f => f.Summary)));
            }
        }

        return memory;
    }

    private sealed record PageOutcome(PageFindings Findings, PageProgress? Progress)
    {
        public CacheStatus Cache { get; init; }
    }
}
