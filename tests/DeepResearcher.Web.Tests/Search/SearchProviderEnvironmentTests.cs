using DeepResearcher.Web.Search;
using DeepResearcher.Web.Tests.Fakes;

namespace DeepResearcher.Web.Tests.Search;

public sealed class SearchProviderEnvironmentTests : IDisposable
{
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public void BuildsOnlyTheConfiguredProvidersInFailoverOrder()
    {
        var env = new Dictionary<string, string>
        {
            ["TAVILY_API_KEY"] = "t",
            ["SEARXNG_URL"] = "http://127.0.0.1:8888",
            ["SERPER_API_KEY"] = "s",
            ["BRAVE_API_KEY"] = "  ",
        };

        IReadOnlyList<ISearchProvider> providers = SearchProviderEnvironment.CreateConfigured(_http, env.GetValueOrDefault);

        Assert.Equal(["serper", "tavily", "searxng"], providers.Select(p => p.Name));
    }

    [Fact]
    public async Task ABaseUrlOverridePointsTheAdapterElsewhere()
    {
        await using FakeSearchServer world = await FakeSearchServer.StartAsync(TestContext.Current.CancellationToken);
        world.Enqueue(FakeReply.Json(ProviderWireFormat.Serper.Results("q", ProviderWireFormat.SampleHits)));
        var env = new Dictionary<string, string> { ["SERPER_API_KEY"] = "offline", ["SERPER_BASE_URL"] = world.BaseUrl.ToString() };

        ISearchProvider serper = Assert.Single(SearchProviderEnvironment.CreateConfigured(_http, env.GetValueOrDefault));
        IReadOnlyList<SearchResult> results = await serper.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);

        Assert.Equal(3, results.Count);
        Assert.Equal("offline", Assert.Single(world.Requests).Header("X-API-KEY"));
    }

    [Fact]
    public void HalfAGoogleConfigurationSaysWhatIsMissing()
    {
        var env = new Dictionary<string, string> { ["GOOGLE_CSE_KEY"] = "k" };

        var failure = Assert.Throws<ArgumentException>(() => SearchProviderEnvironment.CreateConfigured(_http, env.GetValueOrDefault));

        Assert.Contains("GOOGLE_CSE_ID", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMalformedUrlNamesTheVariable()
    {
        var env = new Dictionary<string, string> { ["SEARXNG_URL"] = "localhost:8888" };

        var failure = Assert.Throws<ArgumentException>(() => SearchProviderEnvironment.CreateConfigured(_http, env.GetValueOrDefault));

        Assert.Contains("SEARXNG_URL='localhost:8888'", failure.Message, StringComparison.Ordinal);
    }
}
