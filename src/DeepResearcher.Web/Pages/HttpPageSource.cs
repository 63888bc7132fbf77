using System.Collections.Concurrent;
using System.Text.Json;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Web.Caching;
using DeepResearcher.Web.Extraction;
using DeepResearcher.Web.Fetching;

namespace DeepResearcher.Web.Pages;

/// <summary>
/// Pages from the web: fetched (SSRF-guarded, bounded), turned into clean text, cut into segments. Extracted text is
/// cached in the shared tool cache when one is given; failures are never cached. Concurrent requests for one URL
/// share a single fetch.
/// </summary>
/// <param name="renderer">Renders pages whose fetched HTML has less than <paramref name="minTextChars"/> characters of text.</param>
public sealed class HttpPageSource(
    PageFetcher fetcher, PageSegmenter? segmenter = null, IToolCache? cache = null, TimeSpan? cacheTtl = null, IJavaScriptRenderer? renderer = null, int minTextChars = 200) : IPageSource
{
    private readonly PageSegmenter _segmenter = segmenter ?? new PageSegmenter();
    private readonly HtmlTextExtractor _extractor = new();
    private readonly TimeSpan _ttl = cacheTtl ?? TimeSpan.FromDays(7);
    private readonly ConcurrentDictionary<string, Lazy<Task<PageContent>>> _inFlight = new(StringComparer.Ordinal);

    public async Task<PageContent> GetAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri))
        {
            return PageContent.Failed(url, "not an absolute http(s) URL");
        }

        // The shared load ignores any one caller's cancellation (the fetch has its own deadline), so a caller that gives
        // up does not fail the others waiting on the same page.
        Lazy<Task<PageContent>> flight = _inFlight.GetOrAdd(url, u => new Lazy<Task<PageContent>>(() => LoadAsync(u, uri, CancellationToken.None)));
        try
        {
            return await flight.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<string, Lazy<Task<PageContent>>>(url, flight));
        }
    }

    private async Task<PageContent> LoadAsync(string url, Uri uri, CancellationToken cancellationToken)
    {
        string key = PageCacheKey.For(uri);
        if (cache is not null && await cache.GetAsync(key, cancellationToken) is { } cached
            && JsonSerializer.Deserialize<CachedPage>(cached) is { } page)
        {
            return Segment(url, page.Title, page.Text, page.Truncated) with { Cache = CacheStatus.Hit };
        }

        FetchResult fetched = await fetcher.FetchAsync(url, cancellationToken);
        if (!fetched.Succeeded)
        {
            return PageContent.Failed(url, fetched.Error ?? fetched.Failure.ToString()!) with { Cache = cache is null ? CacheStatus.None : CacheStatus.Miss };
        }

        ExtractedPage extracted = _extractor.Extract(fetched.Body, fetched.ContentType);
        if (renderer is not null && extracted.Text.Length < minTextChars && fetched.ContentType.Contains("html", StringComparison.Ordinal)
            && await renderer.RenderAsync(fetched.FinalUrl ?? uri, cancellationToken) is { } rendered)
        {
            // A JavaScript-only page: its text exists only after scripts ran.
            ExtractedPage afterScripts = _extractor.Extract(rendered);
            if (afterScripts.Text.Length > extracted.Text.Length)
            {
                extracted = afterScripts;
            }
        }

        if (string.IsNullOrWhiteSpace(extracted.Text))
        {
            return PageContent.Failed(url, "the page has no readable text");
        }

        if (cache is not null)
        {
            await cache.SetAsync(key, JsonSerializer.Serialize(new CachedPage(extracted.Title, extracted.Text, fetched.Truncated)), _ttl, cancellationToken);
        }

        return Segment(url, extracted.Title, extracted.Text, fetched.Truncated) with { Cache = cache is null ? CacheStatus.None : CacheStatus.Miss };
    }

    private PageContent Segment(string url, string title, string text, bool truncated)
        => new(url, title, [.. _segmenter.Segment(text).Select(s => s.Text)]) { Truncated = truncated };

    private sealed record CachedPage(string Title, string Text, bool Truncated);
}
