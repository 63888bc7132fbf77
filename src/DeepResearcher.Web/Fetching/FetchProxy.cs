using System.Net;

namespace DeepResearcher.Web.Fetching;

/// <summary>
/// How the fetcher reaches the web: directly (the default, even when <c>HTTP_PROXY</c> is set), through one proxy
/// given on purpose, or through the environment's proxy variables when asked to. The address guard checks the target
/// before every request either way; the proxy's own address is the one exempt from it.
/// </summary>
public sealed record FetchProxy
{
    private static readonly string[] HttpVariables = ["http_proxy", "HTTP_PROXY"];
    private static readonly string[] HttpsVariables = ["https_proxy", "HTTPS_PROXY"];
    private static readonly string[] AllVariables = ["all_proxy", "ALL_PROXY"];
    private static readonly string[] NoProxyVariables = ["no_proxy", "NO_PROXY"];

    private FetchProxy(string description, Uri? httpProxy, Uri? httpsProxy, IReadOnlyList<string> bypass)
    {
        Description = description;
        HttpProxy = httpProxy;
        HttpsProxy = httpsProxy;
        Bypass = bypass;
    }

    /// <summary>No proxy: every connection goes to the target itself.</summary>
    public static FetchProxy None { get; } = new("none", null, null, []);

    public string Description { get; }

    /// <summary>The proxy of <c>http://</c> targets, or null to reach them directly.</summary>
    public Uri? HttpProxy { get; }

    /// <summary>The proxy of <c>https://</c> targets (tunnelled with CONNECT), or null to reach them directly.</summary>
    public Uri? HttpsProxy { get; }

    /// <summary>Hosts reached directly (the environment's <c>NO_PROXY</c>): exact names, domain suffixes, or <c>*</c>.</summary>
    public IReadOnlyList<string> Bypass { get; }

    public bool IsNone => HttpProxy is null && HttpsProxy is null;

    /// <summary>Every target through this proxy (an absolute http(s) URL such as <c>http://proxy.corp:3128</c>).</summary>
    public static FetchProxy Through(Uri proxy)
    {
        Uri checkedProxy = CheckProxyUrl(proxy.OriginalString, "the proxy");
        return new FetchProxy(checkedProxy.GetLeftPart(UriPartial.Authority), checkedProxy, checkedProxy, []);
    }

    /// <summary>
    /// The proxies the environment names, as curl reads them: <c>http_proxy</c>, <c>https_proxy</c>, <c>all_proxy</c>
    /// (lower case first, then upper case) and <c>no_proxy</c>.
    /// </summary>
    /// <exception cref="ArgumentException">None of the proxy variables is set, or one is not a URL.</exception>
    public static FetchProxy FromEnvironment(Func<string, string?> variable)
    {
        (string Name, string Value)? all = First(variable, AllVariables);
        (string Name, string Value)? http = First(variable, HttpVariables) ?? all;
        (string Name, string Value)? https = First(variable, HttpsVariables) ?? all;
        if (http is null && https is null)
        {
            throw new ArgumentException("--proxy env: none of http_proxy, HTTP_PROXY, https_proxy, HTTPS_PROXY, all_proxy or ALL_PROXY is set; set one, or give the proxy's URL with --proxy URL");
        }

        Uri? httpProxy = http is { } h ? CheckProxyUrl(h.Value, h.Name) : null;
        Uri? httpsProxy = https is { } s ? CheckProxyUrl(s.Value, s.Name) : null;
        string[] bypass = First(variable, NoProxyVariables) is { } noProxy
            ? [.. noProxy.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(NormalizeBypass)]
            : [];
        string description = "environment (" + string.Join(", ", new[] { http?.Name, https?.Name }.OfType<string>().Distinct()) + ")";
        return new FetchProxy(description, httpProxy, httpsProxy, bypass);
    }

    /// <summary>Reads the <c>--proxy</c> option: <c>none</c>, <c>env</c>, or the proxy's URL.</summary>
    /// <exception cref="ArgumentException">The value is none of these, or <c>env</c> finds no proxy variable.</exception>
    public static FetchProxy Parse(string? value, Func<string, string?> variable) => value?.Trim() switch
    {
        null or "" or "none" => None,
        "env" => FromEnvironment(variable),
        string url => Through(CheckProxyUrl(url, "--proxy")),
    };

    /// <summary>The proxy a request to <paramref name="target"/> goes through, or null when it goes directly.</summary>
    public Uri? For(Uri target)
    {
        Uri? proxy = target.Scheme == Uri.UriSchemeHttps ? HttpsProxy : target.Scheme == Uri.UriSchemeHttp ? HttpProxy : null;
        return proxy is null || IsBypassed(target.IdnHost) ? null : proxy;
    }

    /// <summary>The proxy as <see cref="SocketsHttpHandler"/> takes it; null for <see cref="None"/>.</summary>
    public IWebProxy? CreateWebProxy() => IsNone ? null : new FetchProxyRoute(this);

    public override string ToString() => Description;

    private bool IsBypassed(string host)
    {
        string name = host.Trim('[', ']').TrimEnd('.');
        foreach (string entry in Bypass)
        {
            if (entry == "*" || name.Equals(entry, StringComparison.OrdinalIgnoreCase)
                || name.EndsWith("." + entry, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string NormalizeBypass(string entry)
    {
        string name = entry.StartsWith("*.", StringComparison.Ordinal) ? entry[2..] : entry.TrimStart('.');
        // A port in a no_proxy entry ("host:8080") is dropped: the bypass is by host, as curl does it.
        int colon = name.LastIndexOf(':');
        return colon > 0 && !name.Contains(']', StringComparison.Ordinal) && name.IndexOf(':') == colon ? name[..colon] : name.Trim('[', ']');
    }

    private static (string Name, string Value)? First(Func<string, string?> variable, string[] names)
    {
        foreach (string name in names)
        {
            if (variable(name) is { Length: > 0 } value)
            {
                return (name, value.Trim());
            }
        }

        return null;
    }

    private static Uri CheckProxyUrl(string value, string source)
    {
        // curl accepts "proxy:3128" for "http://proxy:3128"; so does this.
        string text = value.Contains("://", StringComparison.Ordinal) ? value : "http://" + value;
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException($"{source} '{value}' is not a proxy URL; give it as http://host:port (or use --proxy env / --proxy none)");
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0)
        {
            throw new ArgumentException($"{source} '{value}' has a path; a proxy is only scheme://host:port");
        }

        return uri;
    }
}
