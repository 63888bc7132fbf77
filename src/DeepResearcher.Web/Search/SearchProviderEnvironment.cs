namespace DeepResearcher.Web.Search;

/// <summary>
/// Builds the adapters whose settings are present in the environment, in failover order serper → brave → google → tavily →
/// searxng. Variables: <c>SERPER_API_KEY</c>, <c>BRAVE_API_KEY</c>, <c>GOOGLE_CSE_KEY</c> + <c>GOOGLE_CSE_ID</c>,
/// <c>TAVILY_API_KEY</c>, <c>SEARXNG_URL</c>; optional base-URL overrides <c>SERPER_BASE_URL</c> (e.g. the offline world's
/// loopback endpoint), <c>BRAVE_BASE_URL</c>, <c>GOOGLE_CSE_BASE_URL</c>, <c>TAVILY_BASE_URL</c>.
/// </summary>
public static class SearchProviderEnvironment
{
    public static IReadOnlyList<ISearchProvider> CreateConfigured(HttpClient http, Func<string, string?> variable, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(variable);
        var providers = new List<ISearchProvider>();
        if (Value(variable, "SERPER_API_KEY") is { } serperKey)
        {
            providers.Add(new SerperSearchProvider(http, Options(variable, "SERPER_BASE_URL", serperKey, timeout)));
        }

        if (Value(variable, "BRAVE_API_KEY") is { } braveKey)
        {
            providers.Add(new BraveSearchProvider(http, Options(variable, "BRAVE_BASE_URL", braveKey, timeout)));
        }

        string? googleKey = Value(variable, "GOOGLE_CSE_KEY");
        string? googleId = Value(variable, "GOOGLE_CSE_ID");
        if (googleKey is not null || googleId is not null)
        {
            if (googleKey is null || googleId is null)
            {
                throw new ArgumentException($"google: {(googleKey is null ? "GOOGLE_CSE_ID is set but GOOGLE_CSE_KEY is not" : "GOOGLE_CSE_KEY is set but GOOGLE_CSE_ID is not")}; Programmable Search needs both the API key and the search engine ID (cx)");
            }

            providers.Add(new GoogleSearchProvider(http, Options(variable, "GOOGLE_CSE_BASE_URL", googleKey, timeout), googleId));
        }

        if (Value(variable, "TAVILY_API_KEY") is { } tavilyKey)
        {
            providers.Add(new TavilySearchProvider(http, Options(variable, "TAVILY_BASE_URL", tavilyKey, timeout)));
        }

        if (Value(variable, "SEARXNG_URL") is { } searxngUrl)
        {
            providers.Add(new SearxngSearchProvider(http, new SearchProviderOptions { BaseUrl = Url("SEARXNG_URL", searxngUrl), Timeout = timeout ?? new SearchProviderOptions().Timeout }));
        }

        return providers;
    }

    private static SearchProviderOptions Options(Func<string, string?> variable, string baseUrlVariable, string key, TimeSpan? timeout) => new()
    {
        ApiKey = key,
        BaseUrl = Value(variable, baseUrlVariable) is { } url ? Url(baseUrlVariable, url) : null,
        Timeout = timeout ?? new SearchProviderOptions().Timeout,
    };

    private static string? Value(Func<string, string?> variable, string name) => variable(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static Uri Url(string name, string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out Uri? url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? url
            : throw new ArgumentException($"{name}='{value}' is not an absolute http(s) URL (e.g. http://127.0.0.1:8888)");
}
