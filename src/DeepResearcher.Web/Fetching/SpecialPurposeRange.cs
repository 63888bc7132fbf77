using System.Net;

namespace DeepResearcher.Web.Fetching;

/// <summary>One row of the special-purpose address table: the range, what it is, and whether it is reachable on the public internet.</summary>
/// <param name="Embedding">Where the range's addresses carry an IPv4 address that is checked too (an embedded internal address is refused even when the range is reachable).</param>
public sealed record SpecialPurposeRange(CidrRange Range, string Description, bool GloballyReachable, EmbeddedIPv4 Embedding = EmbeddedIPv4.None)
{
    public IPAddress? EmbeddedAddress(IPAddress address)
    {
        byte[] bytes = address.GetAddressBytes();
        return Embedding switch
        {
            EmbeddedIPv4.Last32Bits => new IPAddress(bytes.AsSpan(12, 4)),
            EmbeddedIPv4.SixToFour => new IPAddress(bytes.AsSpan(2, 4)),
            EmbeddedIPv4.TeredoClient => new IPAddress([(byte)~bytes[12], (byte)~bytes[13], (byte)~bytes[14], (byte)~bytes[15]]),
            _ => null,
        };
    }
}
