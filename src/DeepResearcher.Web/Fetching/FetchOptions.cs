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
    /// Hosts (names or literal IPs) that may resolve to loopback or private addresses. Everything else that resolves
    /// there is refused (SSRF guard). The offline world adds its own loopback host here explicitly.
    /// </summary>
    public IReadOnlyList<string> AllowedPrivateHosts { get; init; } = [];
}
