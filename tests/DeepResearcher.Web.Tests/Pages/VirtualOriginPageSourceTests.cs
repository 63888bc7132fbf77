using DeepResearcher.Web.Pages;

namespace DeepResearcher.Web.Tests.Pages;

public sealed class VirtualOriginPageSourceTests
{
    private sealed class RecordingSource(Func<string, PageContent> answer) : IPageSource
    {
        public List<string> Requested { get; } = [];

        public Task<PageContent> GetAsync(string url, CancellationToken cancellationToken)
        {
            Requested.Add(url);
            return Task.FromResult(answer(url));
        }
    }

    [Fact]
    public async Task Fetches_from_the_serving_origin_and_reports_everything_under_the_virtual_one()
    {
        var inner = new RecordingSource(url => url.EndsWith("/gone", StringComparison.Ordinal)
            ? PageContent.Failed(url, "connection refused (127.0.0.1:41234)")
            : new PageContent(url, "Home", ["see http://127.0.0.1:41234/wiki/B", "plain"]));
        var source = new VirtualOriginPageSource(inner, new Uri("http://world.local"), new Uri("http://127.0.0.1:41234/"));

        PageContent page = await source.GetAsync("http://world.local/wiki/A?x=1", TestContext.Current.CancellationToken);
        PageContent gone = await source.GetAsync("http://WORLD.local/gone", TestContext.Current.CancellationToken);

        Assert.Equal(["http://127.0.0.1:41234/wiki/A?x=1", "http://127.0.0.1:41234/gone"], inner.Requested);
        Assert.Equal("http://world.local/wiki/A?x=1", page.Url);
        Assert.Equal(["see http://world.local/wiki/B", "plain"], page.Segments);
        Assert.Equal("http://WORLD.local/gone", gone.Url);
        Assert.Equal("connection refused (world.local)", gone.Error);
    }

    [Theory]
    [InlineData("http://127.0.0.1:41234/wiki/A")]
    [InlineData("https://world.local/wiki/A")]
    [InlineData("http://world.local:8080/wiki/A")]
    [InlineData("http://example.com/")]
    [InlineData("/wiki/A")]
    public async Task Refuses_any_other_url_without_a_request(string url)
    {
        var inner = new RecordingSource(u => new PageContent(u, "t", ["s"]));
        var source = new VirtualOriginPageSource(inner, new Uri("http://world.local"), new Uri("http://127.0.0.1:41234"));

        PageContent page = await source.GetAsync(url, TestContext.Current.CancellationToken);

        Assert.Equal("not a page of this site: only http://world.local/… pages can be read here", page.Error);
        Assert.Equal(url, page.Url);
        Assert.Empty(inner.Requested);
    }
}
