namespace DeepResearcher.Web.Fetching;

/// <summary>Where an IPv6 form carries an IPv4 address, so the guard can check the address it really leads to.</summary>
public enum EmbeddedIPv4
{
    None,

    /// <summary>The last 32 bits: IPv4-mapped <c>::ffff:a.b.c.d</c>, IPv4-compatible <c>::a.b.c.d</c>, NAT64 <c>64:ff9b::a.b.c.d</c>.</summary>
    Last32Bits,

    /// <summary>Bits 16 to 47: 6to4 <c>2002:AABB:CCDD::/48</c> is the site of the IPv4 address AA.BB.CC.DD (RFC 3056).</summary>
    SixToFour,

    /// <summary>The bitwise NOT of the last 32 bits: the Teredo client's public IPv4 address (RFC 4380).</summary>
    TeredoClient,
}
