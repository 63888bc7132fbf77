using System.Text.Json;

namespace DeepResearcher.Web.Search;

/// <summary>
/// Brave Search API: <c>GET {base}/res/v1/web/search?q=…&amp;count=…</c> with header <c>X-Subscription-Token</c>; answers
/// <c>web.results: [{title, url, description}]</c> where descriptions carry <c>&lt;strong&gt;</c> highlights (stripped here).
/// Brave returns at most 20 results per request, so larger counts are capped.
/// </summary>
public sealed class BraveSearchProvider : ISearchProvider
{
    public const int MaxCount = 20;

    public static readonly Uri DefaultBaseUrl = new("https://api.search.brave.com");

    private readonly ProviderHttpExchange _exchange;

    public BraveSearchProvider(HttpClient http, SearchProviderOptions options)
    {
        _exchange = new ProviderHttpExchange(Name, http, options, DefaultBaseUrl, "set BRAVE_API_KEY");
    }

    public string Name => "brave";

    public async Task<IReadOnlyList<SearchResult>> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        SearchRequestValidation.Validate(Name, request);
        string key = _exchange.RequireKey();
        int count = Math.Min(request.Count, MaxCount);
        Uri url = _exchange.Resolve("res/v1/web/search",
        [
            new("q", request.Query),
            new("count", ProviderHttpExchange.Invariant(count)),
            new("country", request.Region.ToUpperInvariant()),
            new("search_lang", request.Language),
        ]);
        using var message = new HttpRequestMessage(HttpMethod.Get, url);
        message.Headers.Add("X-Subscription-Token", key);
        message.Headers.Add("Accept", "application/json");
        using JsonDocument document = await _exchange.SendAsync(message, cancellationToken).ConfigureAwait(false);

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw _exchange.BadShape("the body is not a JSON object");
        }

        // Brave leaves out the "web" section entirely when nothing matched.
        if (!document.RootElement.TryGetProperty("web", out JsonElement web) || web.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        return JsonFields.TryArray(_exchange, web, "web", "results", out JsonElement results)
            ? JsonFields.Results(results, count, Name, "title", "url", "description")
            : [];
    }
}
