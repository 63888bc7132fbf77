using System.Net;

namespace DeepResearcher.Web.Fetching;

/// <summary>Limits of the page fetcher. Defaults follow the original's 5 s connect / 10 s read timeouts.</summary>
public sealed record FetchOptions
{
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The whole fetch: every redirect hop and reading the body.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public int MaxRedirects { get; init; } = 5;

    /// <summary>Bodies beyond this are cut (and the page marked truncated), so an endless page cannot exhaust memory.</summary>
    public long MaxBodyBytes { get; init; } = 5 * 1024 * 1024;

    /// <summary>A browser-like User-Agent, as the original sent (some sites refuse obvious bots).</summary>
    public string UserAgent { get; init; } =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36 Edg/119.0.0.0";

    public int MaxConcurrencyPerHost { get; init; } = 4;

    /// <summary>
    /// Origins (scheme, host and port, e.g. <c>http://127.0.0.1:8080</c>) that may be loopback or private. Every other
    /// target on such an address is refused (SSRF guard). The offline world allowlists exactly its own server's origin.
    /// </summary>
    public IReadOnlyList<Uri> AllowedPrivateOrigins { get; init; } = [];

    /// <summary>The proxy to fetch through; default none (the environment's <c>HTTP_PROXY</c> is ignored unless this says <see cref="FetchProxy.FromEnvironment"/>).</summary>
    public FetchProxy Proxy { get; init; } = FetchProxy.None;

    /// <summary>The DNS lookup the guard and the connections use; the system resolver unless a host brings its own.</summary>
    public Func<string, CancellationToken, Task<IPAddress[]>> ResolveHost { get; init; } = Dns.GetHostAddressesAsync;
}
