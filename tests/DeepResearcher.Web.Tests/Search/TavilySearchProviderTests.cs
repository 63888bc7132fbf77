using System.Text.Json.Nodes;
using DeepResearcher.Web.Search;
using DeepResearcher.Web.Tests.Fakes;

namespace DeepResearcher.Web.Tests.Search;

public sealed class TavilySearchProviderTests : IAsyncLifetime
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
    public async Task PostsTheQueryWithABearerKeyAndNotTheKeyInTheBody()
    {
        _server.Enqueue(FakeReply.Json(ProviderWireFormat.Tavily.Results("fluorine", ProviderWireFormat.SampleHits)));
        var provider = new TavilySearchProvider(_http, new SearchProviderOptions { BaseUrl = _server.BaseUrl, ApiKey = "tvly-key" });

        IReadOnlyList<SearchResult> results = await provider.SearchAsync(new SearchRequest("fluorine", Count: 40), TestContext.Current.CancellationToken);

        RecordedRequest sent = Assert.Single(_server.Requests);
        Assert.Equal("POST", sent.Method);
        Assert.Equal("/search", sent.Path);
        Assert.Equal("Bearer tvly-key", sent.Header("Authorization"));
        JsonObject body = sent.Json;
        Assert.Equal("fluorine", (string?)body["query"]);
        Assert.Equal(20, (int?)body["max_results"]);
        Assert.False(body.ContainsKey("api_key"));
        Assert.Equal(3, results.Count);
        Assert.Equal("Fluorine was isolated in 1886.", results[2].Snippet);
    }

    [Theory]
    [InlineData(432)]
    [InlineData(433)]
    public async Task PlanLimitStatusesAreUnauthorized(int status)
    {
        _server.Enqueue(ProviderWireFormat.Tavily.Error(status, "This request exceeds your plan's set usage limit."));
        var provider = new TavilySearchProvider(_http, new SearchProviderOptions { BaseUrl = _server.BaseUrl, ApiKey = "k" });

        var failure = await Assert.ThrowsAsync<SearchProviderException>(() => provider.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken));

        Assert.Equal(SearchFailureKind.Unauthorized, failure.Kind);
        Assert.Contains("usage limit", failure.Message, StringComparison.Ordinal);
    }
}
