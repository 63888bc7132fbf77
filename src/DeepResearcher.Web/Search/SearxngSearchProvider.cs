using System.Net;
using System.Text.Json;

namespace DeepResearcher.Web.Search;

/// <summary>
/// A self-hosted SearXNG metasearch instance: <c>GET {base}/search?q=…&amp;format=json</c> (no key); answers
/// <c>results: [{title, url, content}]</c>. SearXNG has no result-count parameter, so the first <c>Count</c> results are kept.
/// The JSON format must be enabled in the instance's settings.yml (<c>search.formats: [html, json]</c>) or it answers 403.
/// </summary>
public sealed class SearxngSearchProvider : ISearchProvider
{
    private const string Hint = "set SEARXNG_URL to the instance's base URL and enable the json format under search.formats in its settings.yml";

    private readonly ProviderHttpExchange _exchange;

    public SearxngSearchProvider(HttpClient http, SearchProviderOptions options)
    {
        _exchange = new ProviderHttpExchange(Name, http, options, defaultBaseUrl: null, Hint)
        {
            // A keyless instance answering 403 is refusing the format (or sits behind a proxy), not rejecting a key.
            ClassifyError = (status, _) => status == HttpStatusCode.Forbidden ? SearchFailureKind.Unauthorized : null,
        };
    }

    public string Name => "searxng";

    public async Task<IReadOnlyList<SearchResult>> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        SearchRequestValidation.Validate(Name, request);
        Uri url = _exchange.Resolve("search",
        [
            new("q", request.Query),
            new("format", "json"),
            new("language", request.Language),
            new("pageno", "1"),
        ]);
        using var message = new HttpRequestMessage(HttpMethod.Get, url);
        message.Headers.Add("Accept", "application/json");
        using JsonDocument document = await _exchange.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (!JsonFields.TryArray(_exchange, document.RootElement, string.Empty, "results", out JsonElement results))
        {
            throw _exchange.BadShape("no 'results' array; is this a SearXNG JSON answer?");
        }

        return JsonFields.Results(results, request.Count, Name, "title", "url", "content");
    }
}
