using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DeepResearcher.Web.Search;

/// <summary>
/// Google results through Serper (the original DeepResearcher's provider): <c>POST {base}/search</c> with header <c>X-API-KEY</c> and
/// body <c>{q, num, gl, hl}</c>; answers <c>organic: [{title, link, snippet, position}]</c>. The offline world serves the same wire
/// format on loopback, so pointing <see cref="SearchProviderOptions.BaseUrl"/> at it needs no other change.
/// </summary>
public sealed class SerperSearchProvider : ISearchProvider
{
    public static readonly Uri DefaultBaseUrl = new("https://google.serper.dev");

    private readonly ProviderHttpExchange _exchange;

    public SerperSearchProvider(HttpClient http, SearchProviderOptions options)
    {
        _exchange = new ProviderHttpExchange(Name, http, options, DefaultBaseUrl, "set SERPER_API_KEY")
        {
            // Serper reports an empty balance as 400 "Not enough credits": a key problem, not a bad query.
            ClassifyError = (status, body) => status == HttpStatusCode.BadRequest && body.Contains("credits", StringComparison.OrdinalIgnoreCase)
                ? SearchFailureKind.Unauthorized
                : null,
        };
    }

    public string Name => "serper";

    public async Task<IReadOnlyList<SearchResult>> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        SearchRequestValidation.Validate(Name, request);
        string key = _exchange.RequireKey();
        var body = new JsonObject
        {
            ["q"] = request.Query,
            ["num"] = request.Count,
            ["gl"] = request.Region,
            ["hl"] = request.Language,
        };
        using var message = new HttpRequestMessage(HttpMethod.Post, _exchange.Resolve("search"))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        message.Headers.Add("X-API-KEY", key);
        using JsonDocument document = await _exchange.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return JsonFields.TryArray(_exchange, document.RootElement, string.Empty, "organic", out JsonElement organic)
            ? JsonFields.Results(organic, request.Count, Name, "title", "link", "snippet", "position")
            : [];
    }
}
