using DeepResearcher.Web.Search;
using DeepResearcher.Web.Tests.Fakes;

namespace DeepResearcher.Web.Tests.Search;

public sealed class BraveSearchProviderTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private FakeSearchServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await FakeSearchServer.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task GetsTheWebSearchEndpointWithTheSubscriptionToken()
    {
        _server.Enqueue(FakeReply.Json(ProviderWireFormat.Brave.Results("fluorine & chlorine", ProviderWireFormat.SampleHits)));
        var provider = new BraveSearchProvider(_http, new SearchProviderOptions { BaseUrl = _server.BaseUrl, ApiKey = "BSA-key" });

        IReadOnlyList<SearchResult> results = await provider.SearchAsync(new SearchRequest("fluorine & chlorine", Count: 50), TestContext.Current.CancellationToken);

        RecordedRequest sent = Assert.Single(_server.Requests);
        Assert.Equal("GET", sent.Method);
        Assert.Equal("/res/v1/web/search", sent.Path);
        Assert.Equal("BSA-key", sent.Header("X-Subscription-Token"));
        Assert.Equal("fluorine & chlorine", sent.Query["q"]);
        Assert.Equal("20", sent.Query["count"]);
        Assert.Equal("US", sent.Query["country"]);
        Assert.Equal("en", sent.Query["search_lang"]);
        Assert.Equal(3, results.Count);
        Assert.All(results, r => Assert.Equal("brave", r.Provider));
    }

    [Fact]
    public async Task AnAnswerWithoutAWebSectionMeansNoResults()
    {
        _server.Enqueue(FakeReply.Raw(200, """{"type": "search", "query": {"original": "zzz"}, "mixed": {"main": []}}"""));
        var provider = new BraveSearchProvider(_http, new SearchProviderOptions { BaseUrl = _server.BaseUrl, ApiKey = "k" });

        Assert.Empty(await provider.SearchAsync(new SearchRequest("zzz"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AnUnprocessableParameterIsABadRequest()
    {
        _server.Enqueue(ProviderWireFormat.Brave.Error(422, "Unable to validate request parameter(s)"));
        var provider = new BraveSearchProvider(_http, new SearchProviderOptions { BaseUrl = _server.BaseUrl, ApiKey = "k" });

        var failure = await Assert.ThrowsAsync<SearchProviderException>(() => provider.SearchAsync(new SearchRequest("q", Region: "zz"), TestContext.Current.CancellationToken));

        Assert.Equal(SearchFailureKind.BadRequest, failure.Kind);
        Assert.Contains("Unable to validate", failure.Message, StringComparison.Ordinal);
    }
}
