using System.Net;

namespace DeepResearcher.Web.Fetching;

/// <summary>A <see cref="FetchProxy"/> as the handler takes it, with the credentials written in the proxy URL (<c>http://user:password@proxy:3128</c>).</summary>
internal sealed class FetchProxyRoute(FetchProxy proxy) : IWebProxy, ICredentials
{
    public ICredentials? Credentials
    {
        get => this;
        set => throw new NotSupportedException("write the proxy's credentials in its URL (http://user:password@host:port)");
    }

    public FetchProxy Proxy => proxy;

    public Uri? GetProxy(Uri destination) => proxy.For(destination);

    public bool IsBypassed(Uri host) => proxy.For(host) is null;

    public NetworkCredential? GetCredential(Uri uri, string authType)
    {
        foreach (Uri? candidate in new[] { proxy.HttpProxy, proxy.HttpsProxy })
        {
            if (candidate is { UserInfo.Length: > 0 } && SameEndpoint(candidate, uri.Host, uri.Port))
            {
                string[] parts = candidate.UserInfo.Split(':', 2);
                return new NetworkCredential(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty);
            }
        }

        return null;
    }

    /// <summary>True when a connection to <paramref name="host"/>:<paramref name="port"/> is the connection to the proxy of <paramref name="target"/>.</summary>
    public bool IsProxyOf(Uri target, string host, int port) => proxy.For(target) is { } via && SameEndpoint(via, host, port);

    private static bool SameEndpoint(Uri proxyUri, string host, int port)
        => proxyUri.Port == port && string.Equals(proxyUri.IdnHost.Trim('[', ']'), host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase);
}
