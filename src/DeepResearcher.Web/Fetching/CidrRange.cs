using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace DeepResearcher.Web.Fetching;

/// <summary>An IP prefix such as <c>10.0.0.0/8</c>: the addresses that share the network's first <see cref="PrefixLength"/> bits.</summary>
public sealed class CidrRange
{
    private readonly byte[] _network;

    public CidrRange(IPAddress network, int prefixLength)
    {
        _network = network.GetAddressBytes();
        int bits = _network.Length * 8;
        if (prefixLength < 0 || prefixLength > bits)
        {
            throw new ArgumentOutOfRangeException(nameof(prefixLength), $"/{prefixLength} is not a prefix length of {network} (0 to {bits})");
        }

        for (int bit = prefixLength; bit < bits; bit++)
        {
            if ((_network[bit / 8] & (0x80 >> (bit % 8))) != 0)
            {
                throw new ArgumentException($"{network}/{prefixLength} has host bits set; write the network's first address", nameof(network));
            }
        }

        Network = network;
        PrefixLength = prefixLength;
    }

    public IPAddress Network { get; }

    public int PrefixLength { get; }

    public AddressFamily Family => Network.AddressFamily;

    /// <summary>Parses <c>address/length</c>, e.g. <c>198.18.0.0/15</c> or <c>64:ff9b::/96</c>.</summary>
    public static CidrRange Parse(string text)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out IPAddress? network)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int length))
        {
            throw new FormatException($"'{text}' is not a CIDR range such as 10.0.0.0/8");
        }

        return new CidrRange(network, length);
    }

    /// <summary>True when <paramref name="address"/> is of the same family and starts with this prefix (no mapping between families).</summary>
    public bool Contains(IPAddress address)
    {
        if (address.AddressFamily != Family)
        {
            return false;
        }

        byte[] bytes = address.GetAddressBytes();
        int whole = PrefixLength / 8;
        for (int i = 0; i < whole; i++)
        {
            if (bytes[i] != _network[i])
            {
                return false;
            }
        }

        int rest = PrefixLength % 8;
        if (rest == 0)
        {
            return true;
        }

        int mask = (0xff << (8 - rest)) & 0xff;
        return (bytes[whole] & mask) == _network[whole];
    }

    public override string ToString() => $"{Network}/{PrefixLength}";
}
