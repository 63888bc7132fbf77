using DeepResearcher.Web.Fetching;

namespace DeepResearcher.Web.Tests.Fetching;

public sealed class FetchProxyTests
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] variables)
        => name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Theory]
    [InlineData(null)]
    [InlineData("none")]
    public void The_default_is_no_proxy_even_when_the_environment_names_one(string? value)
    {
        FetchProxy proxy = FetchProxy.Parse(value, Environment(("HTTP_PROXY", "http://127.0.0.1:3128")));

        Assert.True(proxy.IsNone);
        Assert.Null(proxy.CreateWebProxy());
    }

    [Fact]
    public void An_explicit_url_proxies_both_schemes()
    {
        FetchProxy proxy = FetchProxy.Parse("http://proxy.corp:3128", Environment());

        Assert.Equal(new Uri("http://proxy.corp:3128"), proxy.For(new Uri("http://news.example/")));
        Assert.Equal(new Uri("http://proxy.corp:3128"), proxy.For(new Uri("https://news.example/")));
    }

    [Fact]
    public void Env_reads_the_variables_per_scheme_and_no_proxy()
    {
        FetchProxy proxy = FetchProxy.Parse("env", Environment(
            ("http_proxy", "proxy.corp:3128"), ("HTTPS_PROXY", "http://tls-proxy.corp:8443"), ("no_proxy", "localhost, .wiki.corp,*.intra.example,10.0.0.5:8080")));

        Assert.Equal(new Uri("http://proxy.corp:3128"), proxy.For(new Uri("http://news.example/")));
        Assert.Equal(new Uri("http://tls-proxy.corp:8443"), proxy.For(new Uri("https://news.example/")));
        Assert.Null(proxy.For(new Uri("http://localhost/")));
        Assert.Null(proxy.For(new Uri("http://docs.wiki.corp/")));
        Assert.Null(proxy.For(new Uri("http://wiki.corp/")));
        Assert.Null(proxy.For(new Uri("http://a.intra.example/")));
        Assert.Null(proxy.For(new Uri("http://10.0.0.5:8080/")));
        Assert.NotNull(proxy.For(new Uri("http://notwiki.corp/")));
    }

    [Fact]
    public void Env_without_a_proxy_variable_says_which_ones_it_read()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => FetchProxy.Parse("env", Environment(("no_proxy", "localhost"))));

        Assert.Contains("HTTPS_PROXY", error.Message, StringComparison.Ordinal);
        Assert.Contains("--proxy URL", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://proxy.corp:21", "not a proxy URL")]
    [InlineData("http://proxy.corp:3128/path", "has a path")]
    [InlineData("http://", "not a proxy URL")]
    public void A_bad_proxy_url_is_an_error_naming_it(string value, string why)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => FetchProxy.Parse(value, Environment()));

        Assert.Contains(value, error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }
}
