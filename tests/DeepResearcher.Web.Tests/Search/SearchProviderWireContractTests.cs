using System.Globalization;
using System.Text.Json.Nodes;
using DeepResearcher.Web.Search;
using DeepResearcher.Web.Tests.Fakes;

namespace DeepResearcher.Web.Tests.Search;

/// <summary>
/// Every adapter against a loopback fake speaking its provider's documented format: results are normalised the same way and every
/// failure maps to the same <see cref="SearchFailureKind"/>, whatever the provider's own error shape.
/// </summary>
public sealed class SearchProviderWireContractTests : IAsyncLifetime
{
    private const string Key = "sk-test-4f9a1c7e22b0";

    private readonly HttpClient _http = new();
    private FakeSearchServer _server = null!;

    public static TheoryData<string> Providers => new("serper", "brave", "searxng", "google", "tavily");

    public static TheoryData<string> KeyedProviders => new("serper", "brave", "google", "tavily");

    public async ValueTask InitializeAsync() => _server = await FakeSearchServer.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ResultsAreNormalisedAndCutToTheRequestedCount(string name)
    {
        ProviderWireFormat format = ProviderWireFormat.Named(name);
        _server.Enqueue(FakeReply.Json(format.Results("fluorine discovery",
        [
            ("  The <strong>Fluorine</strong>\n story ", "https://a.example/fluorine", "Isolated by <strong>Moissan</strong> in\t1886 &amp; more"),
            ("Second", "https://b.example/2", "two"),
            ("Third", "https://c.example/3", "three"),
        ])));

        IReadOnlyList<SearchResult> results = await format.Build(_http, _server.BaseUrl, Key)
            .SearchAsync(new SearchRequest("fluorine discovery", Count: 2), TestContext.Current.CancellationToken);

        Assert.Equal(2, results.Count);
        Assert.Equal(new SearchResult("The Fluorine story", "https://a.example/fluorine", "Isolated by Moissan in 1886 & more", 1, name), results[0]);
        Assert.Equal(new SearchResult("Second", "https://b.example/2", "two", 2, name), results[1]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task NoResultsIsAnEmptyListNotAnError(string name)
    {
        ProviderWireFormat format = ProviderWireFormat.Named(name);
        _server.Enqueue(FakeReply.Json(format.Results("zxqv nothing", [])));

        IReadOnlyList<SearchResult> results = await format.Build(_http, _server.BaseUrl, Key)
            .SearchAsync(new SearchRequest("zxqv nothing"), TestContext.Current.CancellationToken);

        Assert.Empty(results);
        Assert.Single(_server.Requests);
    }

    [Theory]
    [MemberData(nameof(KeyedProviders))]
    public async Task ARejectedKeyIsUnauthorizedNamesTheVariableAndNeverShowsTheKey(string name)
    {
        ProviderWireFormat format = ProviderWireFormat.Named(name);
        _server.Enqueue(format.Error(401, $"Invalid API key {Key}"));

        SearchProviderException failure = await SearchFails(format);

        Assert.Equal(SearchFailureKind.Unauthorized, failure.Kind);
        Assert.Equal(name, failure.Provider);
        Assert.StartsWith($"{name}: HTTP 401", failure.Message, StringComparison.Ordinal);
        Assert.Contains(format.KeyVariable, failure.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid API key [redacted]", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, failure.ToString(), StringComparison.Ordinal);
        Assert.False(failure.IsTransient);
    }

    [Theory]
    [MemberData(nameof(KeyedProviders))]
    public async Task AMissingKeyFailsWithoutCallingTheProvider(string name)
    {
        ProviderWireFormat format = ProviderWireFormat.Named(name);

        var failure = await Assert.ThrowsAsync<SearchProviderException>(() =>
            format.Build(_http, _server.BaseUrl, key: null).SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken));

        Assert.Equal(SearchFailureKind.Unauthorized, failure.Kind);
        Assert.Contains("no API key configured", failure.Message, StringComparison.Ordinal);
        Assert.Contains(format.KeyVariable, failure.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task SearxngForbiddenPointsAtTheJsonFormatSetting()
    {
        _server.Enqueue(ProviderWireFormat.Searxng.Error(403, "Forbidden"));

        SearchProviderException failure = await SearchFails(ProviderWireFormat.Searxng);

        Assert.Equal(SearchFailureKind.Unauthorized, failure.Kind);
        Assert.Contains("search.formats", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task TooManyRequestsIsRateLimitedWithRetryAfterInSeconds(string name)
    {
        ProviderWireFormat format = ProviderWireFormat.Named(name);
        FakeReply error = format.Error(429, "Too many requests");
        _server.Enqueue(error with { Headers = new Dictionary<string, string> { ["Retry-After"] = "7" } });

        SearchProviderException failure = await SearchFails(format);

        Assert.Equal(SearchFailureKind.RateLimited, failure.Kind);
        Assert.Equal(TimeSpan.FromSeconds(7), failure.RetryAfter);
        Assert.True(failure.IsTransient);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RetryAfterAsAnHttpDateBecomesADelay(string name)
    {
        ProviderWireFormat format = ProviderWireFormat.Named(name);
        string date = DateTimeOffset.UtcNow.AddSeconds(120).ToString("r", CultureInfo.InvariantCulture);
        _server.Enqueue(format.Error(429, "slow down") with { Headers = new Dictionary<string, string> { ["Retry-After"] = date } });

        SearchProviderException failure = await SearchFails(format);

        Assert.Equal(SearchFailureKind.RateLimited, failure.Kind);
        Assert.NotNull(failure.RetryAfter);
        Assert.InRange(failure.RetryAfter.Value, TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(121));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ServerErrorsAreUnavailable(string name)
    {
        ProviderWireFormat format = ProviderWireFormat.Named(name);
        foreach (int status in (int[])[500, 502, 503])
        {
            _server.Enqueue(format.Error(status, "backend exploded"));

            SearchProviderException failure = await SearchFails(format);

            Assert.Equal(SearchFailureKind.Unavailable, failure.Kind);
            Assert.Contains($"HTTP {status}", failure.Message, StringComparison.Ordinal);
            Assert.Contains("backend exploded", failure.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ABadRequestIsReportedWithTheProvidersReason(string name)
    {
        ProviderWireFormat format = ProviderWireFormat.Named(name);
        _server.Enqueue(format.Error(400, "Query too long"));

        SearchProviderException failure = await SearchFails(format);

        Assert.Equal(SearchFailureKind.BadRequest, failure.Kind);
        Assert.Contains("Query too long", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task MalformedJsonIsABadResponse(string name)
    {
        _server.Enqueue(FakeReply.Raw(200, """{"organic": [{"title": "cut off"""));

        SearchProviderException failure = await SearchFails(ProviderWireFormat.Named(name));

        Assert.Equal(SearchFailureKind.BadResponse, failure.Kind);
        Assert.Contains("not valid JSON", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("serper", """{"organic": "none"}""")]
    [InlineData("brave", """{"web": {"results": {"title": "x"}}}""")]
    [InlineData("searxng", """{"query": "q", "answers": []}""")]
    [InlineData("google", """{"items": 3}""")]
    [InlineData("tavily", """{"results": "none"}""")]
    [InlineData("serper", """[{"title": "a list, not an object"}]""")]
    [InlineData("brave", """["web"]""")]
    [InlineData("google", "42")]
    public async Task AnUnexpectedShapeIsABadResponse(string name, string body)
    {
        _server.Enqueue(FakeReply.Raw(200, body));

        SearchProviderException failure = await SearchFails(ProviderWireFormat.Named(name));

        Assert.Equal(SearchFailureKind.BadResponse, failure.Kind);
        Assert.Contains("unexpected response shape", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ASlowProviderTimesOutAsUnavailable(string name)
    {
        ProviderWireFormat format = ProviderWireFormat.Named(name);
        _server.Enqueue(FakeReply.Json(format.Results("q", ProviderWireFormat.SampleHits)).After(TimeSpan.FromSeconds(10)));

        var failure = await Assert.ThrowsAsync<SearchProviderException>(() =>
            format.Build(_http, _server.BaseUrl, Key, TimeSpan.FromMilliseconds(150)).SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken));

        Assert.Equal(SearchFailureKind.Unavailable, failure.Kind);
        Assert.Contains("no answer within 0.15 s", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ARefusedConnectionIsUnavailable(string name)
    {
        ProviderWireFormat format = ProviderWireFormat.Named(name);

        var failure = await Assert.ThrowsAsync<SearchProviderException>(() =>
            format.Build(_http, ClosedPort.Url(), Key).SearchAsync(new SearchRequest("q"), TestContext.Current.CancellationToken));

        Assert.Equal(SearchFailureKind.Unavailable, failure.Kind);
        Assert.Contains("could not reach http://127.0.0.1:", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, failure.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ABlankQueryIsRejectedBeforeAnyRequest(string name)
    {
        var failure = await Assert.ThrowsAsync<SearchProviderException>(() =>
            ProviderWireFormat.Named(name).Build(_http, _server.BaseUrl, Key).SearchAsync(new SearchRequest("  \t "), TestContext.Current.CancellationToken));

        Assert.Equal(SearchFailureKind.BadRequest, failure.Kind);
        Assert.Contains("query is empty", failure.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task TheCallersCancellationIsNotDisguisedAsAFailure(string name)
    {
        ProviderWireFormat format = ProviderWireFormat.Named(name);
        _server.Enqueue(FakeReply.Json(format.Results("q", ProviderWireFormat.SampleHits)).After(TimeSpan.FromSeconds(10)));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(100));

        Exception thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            format.Build(_http, _server.BaseUrl, Key).SearchAsync(new SearchRequest("q"), cancel.Token));

        Assert.IsNotType<SearchProviderException>(thrown);
    }

    private async Task<SearchProviderException> SearchFails(ProviderWireFormat format) =>
        await Assert.ThrowsAsync<SearchProviderException>(() =>
            format.Build(_http, _server.BaseUrl, Key).SearchAsync(new SearchRequest("fluorine"), TestContext.Current.CancellationToken));
}
