using System.Net;
using System.Net.Sockets;

namespace DeepResearcher.Web.Fetching;

/// <summary>
/// Decides which IP addresses a fetch may connect to. Checked on the resolved address at connect time, so a host
/// name that resolves (or re-resolves, DNS rebinding) to an internal address cannot get past it.
/// </summary>
public sealed class AddressGuard(IReadOnlyList<string> allowedHosts)
{
    private readonly HashSet<string> _allowed = new(allowedHosts, StringComparer.OrdinalIgnoreCase);

    public bool IsHostAllowlisted(string host) => _allowed.Contains(host.Trim('[', ']'));

    /// <returns>null when the address is public, else why it is refused.</returns>
    public static string? WhyBlocked(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return "a loopback address";
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            byte[] b = address.GetAddressBytes();
            return b[0] switch
            {
                0 => "an unspecified address",
                10 => "a private address",
                100 when b[1] >= 64 && b[1] <= 127 => "a carrier-grade NAT address",
                169 when b[1] == 254 => b[2] == 169 && b[3] == 254 ? "the cloud metadata address" : "a link-local address",
                172 when b[1] >= 16 && b[1] <= 31 => "a private address",
                192 when b[1] == 168 => "a private address",
                192 when b[1] == 0 && b[2] == 0 => "a reserved address",
                >= 224 => "a multicast or reserved address",
                _ => null,
            };
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any))
            {
                return "an unspecified address";
            }

            if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal)
            {
                return "a link-local address";
            }

            if (address.IsIPv6Multicast)
            {
                return "a multicast address";
            }

            byte first = address.GetAddressBytes()[0];
            if ((first & 0xfe) == 0xfc)
            {
                return "a private (unique local) address";
            }

            return null;
        }

        return "an address of an unknown family";
    }
}
