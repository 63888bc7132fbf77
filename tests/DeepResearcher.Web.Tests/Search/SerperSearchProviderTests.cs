using System.Text.Json.Nodes;
using DeepResearcher.Web.Search;
using DeepResearcher.Web.Tests.Fakes;

namespace DeepResearcher.Web.Tests.Search;

public sealed class SerperSearchProviderTests : IAsyncLifetime
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
    public async Task PostsTheDocumentedBodyWithTheKeyHeader()
    {
        _server.Enqueue(FakeReply.Json(ProviderWireFormat.Serper.Results("who isolated fluorine", ProviderWireFormat.SampleHits)));
        var provider = new SerperSearchProvider(_http, new SearchProviderOptions { BaseUrl = _server.BaseUrl, ApiKey = "serper-key-1" });

        IReadOnlyList<SearchResult> results = await provider.SearchAsync(new SearchRequest("who isolated fluorine", Count: 5, Region: "de", Language: "fr"), TestContext.Current.CancellationToken);

        RecordedRequest sent = Assert.Single(_server.Requests);
        Assert.Equal("POST", sent.Method);
        Assert.Equal("/search", sent.Path);
        Assert.Equal("serper-key-1", sent.Header("X-API-KEY"));
        Assert.StartsWith("application/json", sent.Header("Content-Type"), StringComparison.Ordinal);
        JsonObject body = sent.Json;
        Assert.Equal("who isolated fluorine", (string?)body["q"]);
        Assert.Equal(5, (int?)body["num"]);
        Assert.Equal("de", (string?)body["gl"]);
        Assert.Equal("fr", (string?)body["hl"]);
        Assert.Equal(3, results.Count);
        Assert.Equal("https://en.wikipedia.org/wiki/Fluorine", results[0].Url);
    }

    [Fact]
    public async Task UsesSerpersOwnPositions()
    {
        _server.Enqueue(FakeReply.Raw(200, """
            {"organic": [
              {"title": "Ad-free first", "link": "https://x.example/a", "snippet": "s", "position": 2},
              {"title": "No link is skipped", "snippet": "s", "position": 3},
              {"title": "Second", "link": "https://x.example/b", "position": 4}
            ]}
            """));
        var provider = new SerperSearchProvider(_http, new SearchProviderOptions { BaseUrl = _server.BaseUrl, ApiKey = "k" });

        IReadOnlyList<SearchResult> results = await provider.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);

        Assert.Equal([2, 4], results.Select(r => r.Position));
        Assert.Equal(string.Empty, results[1].Snippet);
    }

    [Fact]
    public async Task AMissingOrganicListMeansNoResults()
    {
        _server.Enqueue(FakeReply.Raw(200, """{"searchParameters": {"q": "zzz"}, "credits": 1}"""));
        var provider = new SerperSearchProvider(_http, new SearchProviderOptions { BaseUrl = _server.BaseUrl, ApiKey = "k" });

        Assert.Empty(await provider.SearchAsync(new SearchRequest("zzz"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task KeepsAPathPrefixInTheBaseUrl()
    {
        _server.Enqueue(FakeReply.Json(ProviderWireFormat.Serper.Results("q", ProviderWireFormat.SampleHits)));
        var provider = new SerperSearchProvider(_http, new SearchProviderOptions { BaseUrl = new Uri(_server.BaseUrl, "proxy/serper/"), ApiKey = "k" });

        await provider.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken);

        Assert.Equal("/proxy/serper/search", Assert.Single(_server.Requests).Path);
    }

    [Fact]
    public async Task RunningOutOfCreditsIsAKeyProblemNotABadQuery()
    {
        _server.Enqueue(ProviderWireFormat.Serper.Error(400, "Not enough credits"));
        var provider = new SerperSearchProvider(_http, new SearchProviderOptions { BaseUrl = _server.BaseUrl, ApiKey = "k" });

        var failure = await Assert.ThrowsAsync<SearchProviderException>(() => provider.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken));

        Assert.Equal(SearchFailureKind.Unauthorized, failure.Kind);
        Assert.Contains("out of credit; set SERPER_API_KEY (provider said: Not enough credits)", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongBaseUrlIsReportedAsSuch()
    {
        _server.Enqueue(FakeReply.Raw(404, "<html><body>Not Found</body></html>", "text/html"));
        var provider = new SerperSearchProvider(_http, new SearchProviderOptions { BaseUrl = _server.BaseUrl, ApiKey = "k" });

        var failure = await Assert.ThrowsAsync<SearchProviderException>(() => provider.SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken));

        Assert.Equal(SearchFailureKind.BadRequest, failure.Kind);
        Assert.Contains($"no such endpoint; check the base URL {_server.BaseUrl} (provider said: Not Found)", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultsToThePublicEndpointAndHidesTheKeyWhenPrinted()
    {
        var options = new SearchProviderOptions { ApiKey = "very-secret-key" };

        Assert.Equal(new Uri("https://google.serper.dev"), SerperSearchProvider.DefaultBaseUrl);
        Assert.DoesNotContain("very-secret-key", options.ToString(), StringComparison.Ordinal);
        Assert.Contains("(set)", options.ToString(), StringComparison.Ordinal);
    }
}
