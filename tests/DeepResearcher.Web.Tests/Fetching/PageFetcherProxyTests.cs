using System.Net;
using System.Net.Sockets;
using DeepResearcher.Testing;
using DeepResearcher.Web.Fetching;

namespace DeepResearcher.Web.Tests.Fetching;

/// <summary>
/// The fetcher behind a proxy: a fake proxy on loopback records what it is asked for and answers itself, so nothing
/// leaves the machine. The guard must check the target (not the proxy) before anything reaches the proxy.
/// </summary>
public sealed class PageFetcherProxyTests : IAsyncLifetime
{
    private RecordingHttpServer _proxy = null!;

    public ValueTask InitializeAsync()
    {
        _proxy = new RecordingHttpServer(target => target switch
        {
            "http://news.example/moved" => HttpReply.Redirect("http://169.254.169.254/latest/meta-data/"),
            "http://news.example/inward" => HttpReply.Redirect("http://10.1.2.3/admin"),
            _ => HttpReply.Page($"<html><body><p>proxied {target}</p></body></html>"),
        });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _proxy.DisposeAsync();

    /// <summary>A fetcher through the fake proxy; names resolve only as <paramref name="names"/> says (no DNS query leaves the machine).</summary>
    private PageFetcher ThroughProxy(Dictionary<string, IPAddress[]>? names = null, IReadOnlyList<Uri>? allowed = null) => new(new FetchOptions
    {
        Proxy = FetchProxy.Through(_proxy.Url),
        AllowedPrivateOrigins = allowed ?? [],
        ResolveHost = (host, _) => names?.GetValueOrDefault(host) is { } addresses
            ? Task.FromResult(addresses)
            : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound)),
    });

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/", "the cloud metadata address")]
    [InlineData("http://[fd00:ec2::254]/latest/meta-data/", "the cloud metadata address")]
    [InlineData("http://[::ffff:169.254.169.254]/", "the cloud metadata address")]
    [InlineData("http://127.0.0.1:6379/", "a loopback address")]
    [InlineData("https://10.0.0.7/", "a private address")]
    public async Task An_internal_target_through_the_proxy_is_refused_and_the_proxy_receives_nothing(string url, string why)
    {
        using PageFetcher fetcher = ThroughProxy();

        FetchResult page = await fetcher.FetchAsync(url, TestContext.Current.CancellationToken);

        Assert.Equal(FetchFailureKind.Blocked, page.Failure);
        Assert.Contains(why, page.Error, StringComparison.Ordinal);
        Assert.Empty(_proxy.RequestLines);
    }

    [Fact]
    public async Task A_name_with_any_internal_address_is_refused_before_the_proxy_sees_it()
    {
        using PageFetcher fetcher = ThroughProxy(new() { ["mixed.example"] = [IPAddress.Parse("8.8.8.8"), IPAddress.Parse("10.1.2.3")] });

        FetchResult page = await fetcher.FetchAsync("http://mixed.example/", TestContext.Current.CancellationToken);

        Assert.Equal(FetchFailureKind.Blocked, page.Failure);
        Assert.Contains("mixed.example resolves to a private address (10.1.2.3)", page.Error, StringComparison.Ordinal);
        Assert.Empty(_proxy.RequestLines);
    }

    [Fact]
    public async Task An_allowlisted_loopback_origin_is_fetched_through_the_loopback_proxy()
    {
        var origin = new Uri($"http://127.0.0.1:{FreeLoopbackPort.Next()}");
        using PageFetcher fetcher = ThroughProxy(allowed: [origin]);

        FetchResult page = await fetcher.FetchAsync(origin + "page", TestContext.Current.CancellationToken);

        // The proxy on 127.0.0.1 is exempt as the proxy: no "127.0.0.1 resolves to a loopback address".
        Assert.True(page.Succeeded, page.Error);
        Assert.Contains($"proxied {origin}page", page.Body, StringComparison.Ordinal);
        Assert.Equal([$"GET {origin}page HTTP/1.1"], _proxy.RequestLines);
    }

    [Fact]
    public async Task A_public_name_only_the_proxy_can_resolve_goes_through_it()
    {
        using PageFetcher fetcher = ThroughProxy();

        FetchResult page = await fetcher.FetchAsync("http://news.example/story", TestContext.Current.CancellationToken);

        Assert.True(page.Succeeded, page.Error);
        Assert.Equal(["GET http://news.example/story HTTP/1.1"], _proxy.RequestLines);
    }

    [Theory]
    [InlineData("http://wiki/Main_Page", "single-label")]
    [InlineData("http://metadata.google.internal/computeMetadata/v1/", ".internal")]
    [InlineData("http://printer.local/", ".local")]
    public async Task An_unresolvable_name_that_says_it_is_internal_is_refused_through_the_proxy(string url, string why)
    {
        using PageFetcher fetcher = ThroughProxy();

        FetchResult page = await fetcher.FetchAsync(url, TestContext.Current.CancellationToken);

        Assert.Equal(FetchFailureKind.Blocked, page.Failure);
        Assert.Contains(why, page.Error, StringComparison.Ordinal);
        Assert.Empty(_proxy.RequestLines);
    }

    [Theory]
    [InlineData("http://news.example/moved", "the cloud metadata address")]
    [InlineData("http://news.example/inward", "a private address")]
    public async Task A_redirect_through_the_proxy_to_an_internal_address_is_refused(string url, string why)
    {
        using PageFetcher fetcher = ThroughProxy();

        FetchResult page = await fetcher.FetchAsync(url, TestContext.Current.CancellationToken);

        Assert.Equal(FetchFailureKind.Blocked, page.Failure);
        Assert.Contains(why, page.Error, StringComparison.Ordinal);
        Assert.Equal([$"GET {url} HTTP/1.1"], _proxy.RequestLines);
    }

    [Fact]
    public async Task Without_the_proxy_option_an_unresolvable_name_is_a_dns_failure_and_nothing_is_proxied()
    {
        using var fetcher = new PageFetcher(new FetchOptions
        {
            ResolveHost = (_, _) => Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound)),
        });

        FetchResult page = await fetcher.FetchAsync("http://news.example/story", TestContext.Current.CancellationToken);

        Assert.Equal(FetchFailureKind.DnsFailure, page.Failure);
        Assert.Empty(_proxy.RequestLines);
    }
}
