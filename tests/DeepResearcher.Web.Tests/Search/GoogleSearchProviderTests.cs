using DeepResearcher.Web.Search;
using DeepResearcher.Web.Tests.Fakes;

namespace DeepResearcher.Web.Tests.Search;

public sealed class GoogleSearchProviderTests : IAsyncLifetime
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
    public async Task SendsKeyEngineQueryAndAtMostTenResults()
    {
        _server.Enqueue(FakeReply.Json(ProviderWireFormat.Google.Results("fluorine", ProviderWireFormat.SampleHits)));
        var provider = new GoogleSearchProvider(_http, new SearchProviderOptions { BaseUrl = _server.BaseUrl, ApiKey = "AIza-key" }, "cx-123");

        IReadOnlyList<SearchResult> results = await provider.SearchAsync(new SearchRequest("fluorine", Count: 25), TestContext.Current.CancellationToken);

        RecordedRequest sent = Assert.Single(_server.Requests);
        Assert.Equal("GET", sent.Method);
        Assert.Equal("/customsearch/v1", sent.Path);
        Assert.Equal("AIza-key", sent.Query["key"]);
        Assert.Equal("cx-123", sent.Query["cx"]);
        Assert.Equal("fluorine", sent.Query["q"]);
        Assert.Equal("10", sent.Query["num"]);
        Assert.Equal([1, 2, 3], results.Select(r => r.Position));
        Assert.All(results, r => Assert.Equal("google", r.Provider));
    }

    [Fact]
    public async Task QuotaForbiddenIsRateLimitedButOtherForbiddenIsUnauthorized()
    {
        _server.Enqueue(
            FakeReply.Raw(403, """{"error": {"code": 403, "message": "Quota exceeded", "errors": [{"reason": "userRateLimitExceeded"}]}}"""),
            FakeReply.Raw(403, """{"error": {"code": 403, "message": "API key not valid", "errors": [{"reason": "forbidden"}]}}"""));
        var provider = new GoogleSearchProvider(_http, new SearchProviderOptions { BaseUrl = _server.BaseUrl, ApiKey = "k" }, "cx");

        var quota = await Assert.ThrowsAsync<SearchProviderException>(() => provider.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken));
        var key = await Assert.ThrowsAsync<SearchProviderException>(() => provider.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken));

        Assert.Equal(SearchFailureKind.RateLimited, quota.Kind);
        Assert.Equal(SearchFailureKind.Unauthorized, key.Kind);
        Assert.Contains("GOOGLE_CSE_KEY", key.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutAnEngineIdTheConstructorSaysWhichVariableToSet()
    {
        var failure = Assert.Throws<ArgumentException>(() => new GoogleSearchProvider(_http, new SearchProviderOptions { ApiKey = "k" }, " "));

        Assert.Contains("GOOGLE_CSE_ID", failure.Message, StringComparison.Ordinal);
    }
}
