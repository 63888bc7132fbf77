using System.Net;
using System.Text.Json;

namespace DeepResearcher.Web.Search;

/// <summary>
/// Google Programmable Search (Custom Search JSON API): <c>GET {base}/customsearch/v1?key=…&amp;cx=…&amp;q=…&amp;num=…</c>; answers
/// <c>items: [{title, link, snippet}]</c>, with <c>items</c> absent when nothing matched. The API returns at most 10 results a
/// request, so larger counts are capped. The key travels in the URL, so URLs are never put in messages.
/// </summary>
public sealed class GoogleSearchProvider : ISearchProvider
{
    public const int MaxCount = 10;

    public static readonly Uri DefaultBaseUrl = new("https://www.googleapis.com");

    private readonly ProviderHttpExchange _exchange;
    private readonly string _searchEngineId;

    public GoogleSearchProvider(HttpClient http, SearchProviderOptions options, string searchEngineId)
    {
        if (string.IsNullOrWhiteSpace(searchEngineId))
        {
            throw new ArgumentException("google: no search engine ID (cx); set GOOGLE_CSE_ID to the ID shown in the Programmable Search control panel", nameof(searchEngineId));
        }

        _searchEngineId = searchEngineId;
        _exchange = new ProviderHttpExchange(Name, http, options, DefaultBaseUrl, "set GOOGLE_CSE_KEY (and GOOGLE_CSE_ID)")
        {
            // Google reports per-minute quota as 403 with reason rateLimitExceeded/userRateLimitExceeded: back off, don't give up.
            ClassifyError = (status, body) => status == HttpStatusCode.Forbidden && body.Contains("RateLimitExceeded", StringComparison.OrdinalIgnoreCase)
                ? SearchFailureKind.RateLimited
                : null,
        };
    }

    public string Name => "google";

    public async Task<IReadOnlyList<SearchResult>> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        SearchRequestValidation.Validate(Name, request);
        string key = _exchange.RequireKey();
        int count = Math.Min(request.Count, MaxCount);
        Uri url = _exchange.Resolve("customsearch/v1",
        [
            new("key", key),
            new("cx", _searchEngineId),
            new("q", request.Query),
            new("num", ProviderHttpExchange.Invariant(count)),
            new("gl", request.Region),
            new("hl", request.Language),
        ]);
        using var message = new HttpRequestMessage(HttpMethod.Get, url);
        message.Headers.Add("Accept", "application/json");
        using JsonDocument document = await _exchange.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return JsonFields.TryArray(_exchange, document.RootElement, string.Empty, "items", out JsonElement items)
            ? JsonFields.Results(items, count, Name, "title", "link", "snippet")
            : [];
    }
}
