using System.Text.Json.Nodes;
using DeepResearcher.Web.Search;

namespace DeepResearcher.Web.Tests.Fakes;

/// <summary>
/// How each real provider shapes its answers (results, no results, errors), as its documentation shows them, so a
/// <see cref="FakeSearchServer"/> can impersonate it; and how to build the matching adapter against the fake.
/// </summary>
public sealed record ProviderWireFormat(
    string Name,
    string KeyVariable,
    Func<HttpClient, SearchProviderOptions, ISearchProvider> Create,
    Func<string, IReadOnlyList<(string Title, string Url, string Snippet)>, JsonNode> Results,
    Func<int, string, FakeReply> Error)
{
    public const string EngineId = "017576662512468239146:test";

    public static readonly ProviderWireFormat Serper = new(
        "serper",
        "SERPER_API_KEY",
        (http, options) => new SerperSearchProvider(http, options),
        (query, hits) => new JsonObject
        {
            ["searchParameters"] = new JsonObject { ["q"] = query, ["gl"] = "us", ["hl"] = "en", ["type"] = "search", ["engine"] = "google" },
            ["organic"] = Array(hits, (hit, i) => new JsonObject { ["title"] = hit.Title, ["link"] = hit.Url, ["snippet"] = hit.Snippet, ["position"] = i + 1 }),
            ["credits"] = 1,
        },
        (status, message) => FakeReply.Json(new JsonObject { ["message"] = message, ["statusCode"] = status }, status));

    public static readonly ProviderWireFormat Brave = new(
        "brave",
        "BRAVE_API_KEY",
        (http, options) => new BraveSearchProvider(http, options),
        (query, hits) => new JsonObject
        {
            ["type"] = "search",
            ["query"] = new JsonObject { ["original"] = query },
            ["web"] = new JsonObject
            {
                ["type"] = "search",
                ["results"] = Array(hits, (hit, _) => new JsonObject { ["title"] = hit.Title, ["url"] = hit.Url, ["description"] = hit.Snippet, ["type"] = "search_result" }),
            },
        },
        (status, message) => FakeReply.Json(
            new JsonObject
            {
                ["type"] = "ErrorResponse",
                ["error"] = new JsonObject { ["id"] = "0b6c0d43", ["status"] = status, ["code"] = status == 429 ? "RATE_LIMITED" : "ERROR", ["detail"] = message, ["meta"] = new JsonObject() },
                ["time"] = 1_700_000_000,
            },
            status));

    public static readonly ProviderWireFormat Searxng = new(
        "searxng",
        "SEARXNG_URL",
        (http, options) => new SearxngSearchProvider(http, options),
        (query, hits) => new JsonObject
        {
            ["query"] = query,
            ["number_of_results"] = 0,
            ["results"] = Array(hits, (hit, _) => new JsonObject { ["url"] = hit.Url, ["title"] = hit.Title, ["content"] = hit.Snippet, ["engine"] = "duckduckgo", ["score"] = 1.0 }),
            ["answers"] = new JsonArray(),
            ["suggestions"] = new JsonArray(),
            ["unresponsive_engines"] = new JsonArray(),
        },
        // SearXNG's errors are Flask's HTML pages, not JSON.
        (status, message) => FakeReply.Raw(status, $"<!doctype html><title>{status}</title><h1>{message}</h1>", "text/html"));

    public static readonly ProviderWireFormat Google = new(
        "google",
        "GOOGLE_CSE_KEY",
        (http, options) => new GoogleSearchProvider(http, options, EngineId),
        (query, hits) =>
        {
            var body = new JsonObject
            {
                ["kind"] = "customsearch#search",
                ["queries"] = new JsonObject { ["request"] = new JsonArray(new JsonObject { ["searchTerms"] = query }) },
                ["searchInformation"] = new JsonObject { ["totalResults"] = hits.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            };
            if (hits.Count > 0)
            {
                body["items"] = Array(hits, (hit, _) => new JsonObject { ["kind"] = "customsearch#result", ["title"] = hit.Title, ["link"] = hit.Url, ["snippet"] = hit.Snippet, ["displayLink"] = new Uri(hit.Url).Host });
            }

            return body;
        },
        (status, message) => FakeReply.Json(
            new JsonObject
            {
                ["error"] = new JsonObject
                {
                    ["code"] = status,
                    ["message"] = message,
                    ["errors"] = new JsonArray(new JsonObject { ["message"] = message, ["domain"] = "global", ["reason"] = status == 400 ? "badRequest" : "backendError" }),
                    ["status"] = status == 400 ? "INVALID_ARGUMENT" : "UNAVAILABLE",
                },
            },
            status));

    public static readonly ProviderWireFormat Tavily = new(
        "tavily",
        "TAVILY_API_KEY",
        (http, options) => new TavilySearchProvider(http, options),
        (query, hits) => new JsonObject
        {
            ["query"] = query,
            ["answer"] = null,
            ["images"] = new JsonArray(),
            ["results"] = Array(hits, (hit, i) => new JsonObject { ["title"] = hit.Title, ["url"] = hit.Url, ["content"] = hit.Snippet, ["score"] = 0.9 - (i * 0.1), ["raw_content"] = null }),
            ["response_time"] = 1.09,
        },
        (status, message) => FakeReply.Json(new JsonObject { ["detail"] = new JsonObject { ["error"] = message } }, status));

    public static IReadOnlyList<ProviderWireFormat> All => [Serper, Brave, Searxng, Google, Tavily];

    public static ProviderWireFormat Named(string name) => All.Single(format => format.Name == name);

    public bool NeedsKey => Name != "searxng";

    public static IReadOnlyList<(string Title, string Url, string Snippet)> SampleHits =>
    [
        ("Fluorine - Wikipedia", "https://en.wikipedia.org/wiki/Fluorine", "Fluorine is a chemical element with symbol F."),
        ("Fluorine | Royal Society", "https://www.rsc.org/periodic-table/element/9/fluorine", "The most reactive of all the elements."),
        ("Fluorine facts", "https://example.org/fluorine", "Fluorine was isolated in 1886."),
    ];

    /// <summary>The adapter pointed at <paramref name="url"/>; keyless providers get no key whatever is passed.</summary>
    public ISearchProvider Build(HttpClient http, Uri url, string? key, TimeSpan? timeout = null) =>
        Create(http, new SearchProviderOptions { BaseUrl = url, ApiKey = NeedsKey ? key : null, Timeout = timeout ?? TimeSpan.FromSeconds(5) });

    private static JsonArray Array(IReadOnlyList<(string Title, string Url, string Snippet)> hits, Func<(string Title, string Url, string Snippet), int, JsonNode> item)
    {
        var array = new JsonArray();
        for (int i = 0; i < hits.Count; i++)
        {
            array.Add(item(hits[i], i));
        }

        return array;
    }
}
