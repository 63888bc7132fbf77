using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DeepResearcher.Web.Search;

/// <summary>
/// Tavily: <c>POST {base}/search</c> with header <c>Authorization: Bearer &lt;key&gt;</c> and body <c>{query, max_results, …}</c>;
/// answers <c>results: [{title, url, content}]</c>. Tavily returns at most 20 results. Its plan and pay-as-you-go limits are
/// signalled with 432/433, which mean "out of credit" and are reported as <see cref="SearchFailureKind.Unauthorized"/>.
/// </summary>
public sealed class TavilySearchProvider : ISearchProvider
{
    public const int MaxCount = 20;

    public static readonly Uri DefaultBaseUrl = new("https://api.tavily.com");

    private readonly ProviderHttpExchange _exchange;

    public TavilySearchProvider(HttpClient http, SearchProviderOptions options)
    {
        _exchange = new ProviderHttpExchange(Name, http, options, DefaultBaseUrl, "set TAVILY_API_KEY")
        {
            ClassifyError = (status, _) => (int)status is 432 or 433 ? SearchFailureKind.Unauthorized : null,
        };
    }

    public string Name => "tavily";

    public async Task<IReadOnlyList<SearchResult>> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        SearchRequestValidation.Validate(Name, request);
        string key = _exchange.RequireKey();
        int count = Math.Min(request.Count, MaxCount);
        var body = new JsonObject
        {
            ["query"] = request.Query,
            ["max_results"] = count,
            ["search_depth"] = "basic",
            ["topic"] = "general",
            ["include_answer"] = false,
            ["include_raw_content"] = false,
            ["include_images"] = false,
        };
        using var message = new HttpRequestMessage(HttpMethod.Post, _exchange.Resolve("search"))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using JsonDocument document = await _exchange.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (!JsonFields.TryArray(_exchange, document.RootElement, string.Empty, "results", out JsonElement results))
        {
            throw _exchange.BadShape("no 'results' array; is this a Tavily search answer?");
        }

        return JsonFields.Results(results, count, Name, "title", "url", "content");
    }
}
