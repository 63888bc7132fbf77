using DeepResearcher.Web.Caching;
using DeepResearcher.Web.Search;

namespace DeepResearcher.Web.Tests.Caching;

public sealed class CacheKeyTests
{
    [Fact]
    public void WhitespaceDifferencesShareAKey()
    {
        Assert.Equal(
            SearchCacheKey.For("serper", new SearchRequest("who isolated fluorine")),
            SearchCacheKey.For("serper", new SearchRequest("  who \t isolated\n fluorine ")));
    }

    [Fact]
    public void QueryCaseIsKeptBecauseItCanChangeResults()
    {
        Assert.NotEqual(
            SearchCacheKey.For("serper", new SearchRequest("cats OR dogs")),
            SearchCacheKey.For("serper", new SearchRequest("cats or dogs")));
    }

    [Fact]
    public void ProviderRegionLanguageAndCountArePartOfTheKey()
    {
        string key = SearchCacheKey.For("serper", new SearchRequest("q"));

        Assert.Equal("search:v1:serper:us:en:10:q", key);
        Assert.Equal(key, SearchCacheKey.For("Serper", new SearchRequest("q", Region: "US", Language: "EN")));
        Assert.NotEqual(key, SearchCacheKey.For("brave", new SearchRequest("q")));
        Assert.NotEqual(key, SearchCacheKey.For("serper", new SearchRequest("q", Region: "de")));
        Assert.NotEqual(key, SearchCacheKey.For("serper", new SearchRequest("q", Language: "de")));
        Assert.NotEqual(key, SearchCacheKey.For("serper", new SearchRequest("q", Count: 5)));
    }

    [Fact]
    public void PageKeysDropTheFragmentAndDefaultPortButKeepPathCase()
    {
        Assert.Equal("page:v1:https://example.org/Wiki/A?x=1", PageCacheKey.For(new Uri("HTTPS://Example.ORG:443/Wiki/A?x=1#section")));
        Assert.NotEqual(PageCacheKey.For(new Uri("https://example.org/wiki/a")), PageCacheKey.For(new Uri("https://example.org/Wiki/A")));
        Assert.Equal("page:v1:http://127.0.0.1:8080/p", PageCacheKey.For(new Uri("http://127.0.0.1:8080/p")));
    }
}
