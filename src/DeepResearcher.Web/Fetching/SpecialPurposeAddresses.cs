using System.Net;

namespace DeepResearcher.Web.Fetching;

/// <summary>
/// The IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and updates, as of 2025), plus multicast and the
/// ranges outside IPv6 global unicast, as a table. An address takes the row with the longest matching prefix, so the
/// rows read like the registry and their order does not matter.
/// </summary>
/// <remarks>
/// Whole blocks are refused where the registry lists a few globally reachable anycast addresses inside them
/// (192.0.0.9 and .10 in 192.0.0.0/24; PCP, TURN, AMT, AS112, ORCHIDv2 and DET prefixes in 2001::/23): none of them
/// serves web pages, and a shorter table is easier to check against the registry.
/// </remarks>
public static class SpecialPurposeAddresses
{
    public static IReadOnlyList<SpecialPurposeRange> Table { get; } =
    [
        // IPv4 Special-Purpose Address Registry
        Row("0.0.0.0/8", "an unspecified address ('this network')"),
        Row("10.0.0.0/8", "a private address"),
        Row("100.64.0.0/10", "a carrier-grade NAT address (shared address space)"),
        Row("127.0.0.0/8", "a loopback address"),
        Row("169.254.0.0/16", "a link-local address"),
        Row("169.254.169.254/32", "the cloud metadata address"),
        Row("172.16.0.0/12", "a private address"),
        Row("192.0.0.0/24", "an IETF protocol assignment address"),
        Row("192.0.2.0/24", "a documentation address (TEST-NET-1)"),
        Row("192.88.99.0/24", "a deprecated 6to4 relay anycast address"),
        Row("192.168.0.0/16", "a private address"),
        Row("198.18.0.0/15", "a benchmarking address"),
        Row("198.51.100.0/24", "a documentation address (TEST-NET-2)"),
        Row("203.0.113.0/24", "a documentation address (TEST-NET-3)"),
        Row("224.0.0.0/4", "a multicast address"),
        Row("240.0.0.0/4", "a reserved address"),
        Row("255.255.255.255/32", "the limited broadcast address"),

        // IPv6: only 2000::/3 is global unicast; the rest is special or unallocated.
        Row("::/0", "an address outside IPv6 global unicast (2000::/3)"),
        Row("2000::/3", "a global unicast address", reachable: true),

        // IPv6 Special-Purpose Address Registry
        Row("::/128", "an unspecified address"),
        Row("::1/128", "a loopback address"),
        Row("::/96", "a deprecated IPv4-compatible address", embedding: EmbeddedIPv4.Last32Bits),
        Row("::ffff:0:0/96", "an IPv4-mapped address", reachable: true, EmbeddedIPv4.Last32Bits),
        Row("64:ff9b::/96", "a NAT64 address", reachable: true, EmbeddedIPv4.Last32Bits),
        Row("64:ff9b:1::/48", "a local-use NAT64 address"),
        Row("100::/64", "a discard-only address"),
        Row("100:0:0:1::/64", "a dummy address"),
        Row("2001::/23", "an IETF protocol assignment address"),
        Row("2001::/32", "a Teredo tunnel address", embedding: EmbeddedIPv4.TeredoClient),
        Row("2001:db8::/32", "a documentation address"),
        Row("2002::/16", "a 6to4 address", reachable: true, EmbeddedIPv4.SixToFour),
        Row("3fff::/20", "a documentation address"),
        Row("5f00::/16", "a segment routing (SRv6) SID"),
        Row("fc00::/7", "a private (unique local) address"),
        Row("fd00:ec2::254/128", "the cloud metadata address"),
        Row("fe80::/10", "a link-local address"),
        Row("fec0::/10", "a deprecated site-local address"),
        Row("ff00::/8", "a multicast address"),
    ];

    /// <summary>The most specific row containing the address, or null (a public IPv4 address).</summary>
    public static SpecialPurposeRange? Match(IPAddress address)
    {
        SpecialPurposeRange? best = null;
        foreach (SpecialPurposeRange row in Table)
        {
            if (row.Range.Contains(address) && (best is null || row.Range.PrefixLength > best.Range.PrefixLength))
            {
                best = row;
            }
        }

        return best;
    }

    private static SpecialPurposeRange Row(string range, string description, bool reachable = false, EmbeddedIPv4 embedding = EmbeddedIPv4.None)
        => new(CidrRange.Parse(range), description, reachable, embedding);
}
