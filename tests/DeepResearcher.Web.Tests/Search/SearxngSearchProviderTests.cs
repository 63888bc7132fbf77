using DeepResearcher.Web.Search;
using DeepResearcher.Web.Tests.Fakes;

namespace DeepResearcher.Web.Tests.Search;

public sealed class SearxngSearchProviderTests : IAsyncLifetime
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
    public async Task AsksForJsonAndKeepsTheFirstCountResults()
    {
        _server.Enqueue(FakeReply.Json(ProviderWireFormat.Searxng.Results("fluorine", ProviderWireFormat.SampleHits)));
        var provider = new SearxngSearchProvider(_http, new SearchProviderOptions { BaseUrl = _server.BaseUrl });

        IReadOnlyList<SearchResult> results = await provider.SearchAsync(new SearchRequest("fluorine", Count: 2, Language: "de"), TestContext.Current.CancellationToken);

        RecordedRequest sent = Assert.Single(_server.Requests);
        Assert.Equal("GET", sent.Method);
        Assert.Equal("/search", sent.Path);
        Assert.Equal("fluorine", sent.Query["q"]);
        Assert.Equal("json", sent.Query["format"]);
        Assert.Equal("de", sent.Query["language"]);
        Assert.Null(sent.Header("Authorization"));
        Assert.Equal(["https://en.wikipedia.org/wiki/Fluorine", "https://www.rsc.org/periodic-table/element/9/fluorine"], results.Select(r => r.Url));
    }

    [Fact]
    public void WithoutABaseUrlTheConstructorSaysWhichVariableToSet()
    {
        var failure = Assert.Throws<ArgumentException>(() => new SearxngSearchProvider(_http, new SearchProviderOptions()));

        Assert.Contains("SEARXNG_URL", failure.Message, StringComparison.Ordinal);
    }
}
