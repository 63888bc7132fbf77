using System.Net;
using System.Net.Sockets;

namespace DeepResearcher.Web.Fetching;

/// <summary>
/// Decides which targets a fetch may reach (server-side request forgery guard). The target's host is checked before
/// every request and every redirect hop: a literal IP, or every address its name resolves to, must be public. On the
/// direct path the connect callback checks the addresses again, so a name that re-resolves inward (DNS rebinding)
/// cannot get past it. Only the allowlisted origins (scheme, host and port) may be private.
/// </summary>
public sealed class AddressGuard
{
    /// <summary>Name suffixes that only mean something on internal networks (RFC 6761, 6762, 8375; ICANN's .internal).</summary>
    private static readonly string[] InternalSuffixes = ["localhost", "local", "internal", "home.arpa", "lan", "home", "corp", "intranet", "private"];

    private readonly HashSet<(string Scheme, string Host, int Port)> _allowed = [];
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;

    /// <param name="allowedOrigins">Origins such as <c>http://127.0.0.1:8080</c> that may be loopback or private.</param>
    /// <param name="resolveHost">The DNS lookup; default: the system resolver.</param>
    /// <exception cref="ArgumentException">An entry is not an origin (it has a path, a query, or is not http(s)).</exception>
    public AddressGuard(IReadOnlyList<Uri> allowedOrigins, Func<string, CancellationToken, Task<IPAddress[]>>? resolveHost = null)
    {
        foreach (Uri origin in allowedOrigins)
        {
            if (!origin.IsAbsoluteUri || (origin.Scheme != Uri.UriSchemeHttp && origin.Scheme != Uri.UriSchemeHttps)
                || origin.AbsolutePath != "/" || origin.Query.Length > 0 || origin.Fragment.Length > 0 || origin.UserInfo.Length > 0)
            {
                throw new ArgumentException($"allowed private origin '{origin}' is not an origin; give scheme://host:port only, e.g. http://127.0.0.1:8080", nameof(allowedOrigins));
            }

            _allowed.Add(Key(origin.Scheme, origin.IdnHost, origin.Port));
        }

        _resolve = resolveHost ?? Dns.GetHostAddressesAsync;
    }

    public bool IsOriginAllowlisted(Uri url) => IsOriginAllowlisted(url.Scheme, url.IdnHost, url.Port);

    public bool IsOriginAllowlisted(string scheme, string host, int port) => _allowed.Contains(Key(scheme, host, port));

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
        => IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? literal) ? Task.FromResult<IPAddress[]>([literal]) : _resolve(host, cancellationToken);

    /// <summary>Checks a request's target before anything is sent.</summary>
    /// <param name="viaProxy">
    /// The request goes through a proxy, which resolves the name itself. A name this machine cannot resolve is then let
    /// through (the proxy may know it), unless the name itself says it is internal (single-label, <c>.local</c>, …).
    /// </param>
    /// <returns>null when the target may be fetched, else why it is refused.</returns>
    /// <exception cref="SocketException">The name does not resolve and no proxy would resolve it instead.</exception>
    public async Task<string?> WhyRefusedAsync(Uri target, bool viaProxy, CancellationToken cancellationToken)
    {
        if (IsOriginAllowlisted(target))
        {
            return null;
        }

        string host = target.IdnHost.Trim('[', ']');
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            return WhyBlocked(literal) is { } why ? $"{host} is {why}" : null;
        }

        IPAddress[] addresses;
        try
        {
            addresses = await _resolve(host, cancellationToken);
        }
        catch (SocketException) when (viaProxy)
        {
            addresses = [];
        }

        if (addresses.Length == 0)
        {
            if (!viaProxy)
            {
                throw new SocketException((int)SocketError.HostNotFound);
            }

            return WhyNameInternal(host) is { } why ? $"{host} is {why} and does not resolve here, so its address cannot be checked" : null;
        }

        return WhyAnyBlocked(host, addresses);
    }

    /// <returns>null when every address is public, else why the first internal one is refused.</returns>
    public static string? WhyAnyBlocked(string host, IReadOnlyList<IPAddress> addresses)
    {
        foreach (IPAddress address in addresses)
        {
            if (WhyBlocked(address) is { } why)
            {
                return $"{host} resolves to {why} ({address})";
            }
        }

        return null;
    }

    /// <returns>null when the address is globally reachable, else why it is refused (see <see cref="SpecialPurposeAddresses"/>).</returns>
    public static string? WhyBlocked(IPAddress address)
    {
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return "an address of an unknown family";
        }

        if (SpecialPurposeAddresses.Match(address) is not { } range)
        {
            return null;
        }

        if (range.EmbeddedAddress(address) is { } embedded && WhyBlocked(embedded) is { } inner)
        {
            return $"{range.Description} embedding {embedded}, {inner}";
        }

        return range.GloballyReachable ? null : range.Description;
    }

    /// <returns>null for a name that may be public, else why its name alone says it is internal.</returns>
    public static string? WhyNameInternal(string host)
    {
        string name = host.TrimEnd('.').ToLowerInvariant();
        foreach (string suffix in InternalSuffixes)
        {
            if (name == suffix || name.EndsWith("." + suffix, StringComparison.Ordinal))
            {
                return $"a name under .{suffix}, which only internal networks resolve";
            }
        }

        return name.Contains('.', StringComparison.Ordinal) ? null : "a single-label (intranet) name";
    }

    private static (string, string, int) Key(string scheme, string host, int port)
        => (scheme.ToLowerInvariant(), host.Trim('[', ']').TrimEnd('.').ToLowerInvariant(), port);
}
