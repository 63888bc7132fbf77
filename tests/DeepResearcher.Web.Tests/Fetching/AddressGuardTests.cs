using System.Net;
using DeepResearcher.Web.Fetching;

namespace DeepResearcher.Web.Tests.Fetching;

public sealed class AddressGuardTests
{
    /// <summary>
    /// Each special-purpose range at its edges: first and last address inside, and the neighbours just outside (which
    /// are public unless another range starts there). Null: the address is globally reachable and allowed.
    /// </summary>
    [Theory]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("0.255.255.255", "unspecified")]
    [InlineData("1.0.0.0", null)]
    [InlineData("9.255.255.255", null)]
    [InlineData("10.0.0.0", "a private address")]
    [InlineData("10.255.255.255", "a private address")]
    [InlineData("11.0.0.0", null)]
    [InlineData("100.63.255.255", null)]
    [InlineData("100.64.0.0", "carrier-grade NAT")]
    [InlineData("100.127.255.255", "carrier-grade NAT")]
    [InlineData("100.128.0.0", null)]
    [InlineData("126.255.255.255", null)]
    [InlineData("127.0.0.0", "a loopback address")]
    [InlineData("127.255.255.255", "a loopback address")]
    [InlineData("128.0.0.0", null)]
    [InlineData("169.253.255.255", null)]
    [InlineData("169.254.0.0", "a link-local address")]
    [InlineData("169.254.169.253", "a link-local address")]
    [InlineData("169.254.169.254", "the cloud metadata address")]
    [InlineData("169.254.169.255", "a link-local address")]
    [InlineData("169.254.255.255", "a link-local address")]
    [InlineData("169.255.0.0", null)]
    [InlineData("172.15.255.255", null)]
    [InlineData("172.16.0.0", "a private address")]
    [InlineData("172.31.255.255", "a private address")]
    [InlineData("172.32.0.0", null)]
    [InlineData("191.255.255.255", null)]
    [InlineData("192.0.0.0", "IETF protocol assignment")]
    [InlineData("192.0.0.255", "IETF protocol assignment")]
    [InlineData("192.0.1.0", null)]
    [InlineData("192.0.2.0", "TEST-NET-1")]
    [InlineData("192.0.2.255", "TEST-NET-1")]
    [InlineData("192.0.3.0", null)]
    [InlineData("192.88.98.255", null)]
    [InlineData("192.88.99.0", "6to4 relay")]
    [InlineData("192.88.99.255", "6to4 relay")]
    [InlineData("192.88.100.0", null)]
    [InlineData("192.167.255.255", null)]
    [InlineData("192.168.0.0", "a private address")]
    [InlineData("192.168.255.255", "a private address")]
    [InlineData("192.169.0.0", null)]
    [InlineData("198.17.255.255", null)]
    [InlineData("198.18.0.0", "benchmarking")]
    [InlineData("198.19.255.255", "benchmarking")]
    [InlineData("198.20.0.0", null)]
    [InlineData("198.51.99.255", null)]
    [InlineData("198.51.100.0", "TEST-NET-2")]
    [InlineData("198.51.100.255", "TEST-NET-2")]
    [InlineData("198.51.101.0", null)]
    [InlineData("203.0.112.255", null)]
    [InlineData("203.0.113.0", "TEST-NET-3")]
    [InlineData("203.0.113.255", "TEST-NET-3")]
    [InlineData("203.0.114.0", null)]
    [InlineData("223.255.255.255", null)]
    [InlineData("224.0.0.0", "multicast")]
    [InlineData("239.255.255.255", "multicast")]
    [InlineData("240.0.0.0", "reserved")]
    [InlineData("255.255.255.254", "reserved")]
    [InlineData("255.255.255.255", "limited broadcast")]
    [InlineData("8.8.8.8", null)]
    [InlineData("1.1.1.1", null)]
    [InlineData("::", "an unspecified address")]
    [InlineData("::1", "a loopback address")]
    [InlineData("::2", "IPv4-compatible address embedding 0.0.0.2, an unspecified")]
    [InlineData("::a9fe:a9fe", "IPv4-compatible address embedding 169.254.169.254, the cloud metadata address")]
    [InlineData("::808:808", "a deprecated IPv4-compatible address")]
    [InlineData("::ffff:ffff", "a deprecated IPv4-compatible address")]
    [InlineData("::1:0:0", "outside IPv6 global unicast")]
    [InlineData("::ffff:10.0.0.1", "IPv4-mapped address embedding 10.0.0.1, a private address")]
    [InlineData("::ffff:127.0.0.1", "embedding 127.0.0.1, a loopback address")]
    [InlineData("::ffff:169.254.169.254", "the cloud metadata address")]
    [InlineData("::ffff:8.8.8.8", null)]
    [InlineData("::fffe:ffff:ffff", "outside IPv6 global unicast")]
    [InlineData("::1:0:0:0", "outside IPv6 global unicast")]
    [InlineData("64:ff9b::a9fe:a9fe", "NAT64 address embedding 169.254.169.254, the cloud metadata address")]
    [InlineData("64:ff9b::a00:1", "NAT64 address embedding 10.0.0.1, a private address")]
    [InlineData("64:ff9b::808:808", null)]
    [InlineData("64:ff9b::ffff:ffff", "NAT64 address embedding 255.255.255.255, the limited broadcast address")]
    [InlineData("64:ff9b::1:0:0", "outside IPv6 global unicast")]
    [InlineData("64:ff9b:1::", "local-use NAT64")]
    [InlineData("64:ff9b:1:ffff:ffff:ffff:ffff:ffff", "local-use NAT64")]
    [InlineData("64:ff9b:2::", "outside IPv6 global unicast")]
    [InlineData("100::", "discard-only")]
    [InlineData("100::ffff:ffff:ffff:ffff", "discard-only")]
    [InlineData("100:0:0:1::", "a dummy address")]
    [InlineData("100:0:0:2::", "outside IPv6 global unicast")]
    [InlineData("1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "outside IPv6 global unicast")]
    [InlineData("2000::", null)]
    [InlineData("2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", null)]
    [InlineData("2001::", "Teredo tunnel address")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo tunnel address embedding 192.0.2.45, a documentation address")]
    [InlineData("2001:0:1:2::5601:5601", "Teredo tunnel address embedding 169.254.169.254, the cloud metadata address")]
    [InlineData("2001:0:4136:e378:8000:63bf:f7f7:f7f7", "a Teredo tunnel address")]
    [InlineData("2001:0:ffff:ffff:ffff:ffff:ffff:ffff", "Teredo tunnel address")]
    [InlineData("2001:1::1", "IETF protocol assignment")]
    [InlineData("2001:2::", "IETF protocol assignment")]
    [InlineData("2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", "IETF protocol assignment")]
    [InlineData("2001:200::", null)]
    [InlineData("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", null)]
    [InlineData("2001:db8::", "a documentation address")]
    [InlineData("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "a documentation address")]
    [InlineData("2001:db9::", null)]
    [InlineData("2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", null)]
    [InlineData("2002::", "6to4 address embedding 0.0.0.0, an unspecified")]
    [InlineData("2002:a9fe:a9fe::1", "6to4 address embedding 169.254.169.254, the cloud metadata address")]
    [InlineData("2002:c0a8:101::1", "6to4 address embedding 192.168.1.1, a private address")]
    [InlineData("2002:808:808::1", null)]
    [InlineData("2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "embedding 255.255.255.255, the limited broadcast address")]
    [InlineData("2003::", null)]
    [InlineData("3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", null)]
    [InlineData("3fff::", "a documentation address")]
    [InlineData("3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", "a documentation address")]
    [InlineData("3fff:1000::", null)]
    [InlineData("4000::", "outside IPv6 global unicast")]
    [InlineData("5eff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "outside IPv6 global unicast")]
    [InlineData("5f00::", "segment routing")]
    [InlineData("5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "segment routing")]
    [InlineData("5f01::", "outside IPv6 global unicast")]
    [InlineData("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "outside IPv6 global unicast")]
    [InlineData("fc00::", "unique local")]
    [InlineData("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "unique local")]
    [InlineData("fd00:ec2::254", "the cloud metadata address")]
    [InlineData("fd00:ec2::253", "unique local")]
    [InlineData("fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "outside IPv6 global unicast")]
    [InlineData("fe80::", "a link-local address")]
    [InlineData("fe80::1%2", "a link-local address")]
    [InlineData("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "a link-local address")]
    [InlineData("fec0::", "site-local")]
    [InlineData("feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "site-local")]
    [InlineData("ff00::", "a multicast address")]
    [InlineData("ff02::1", "a multicast address")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "a multicast address")]
    [InlineData("2606:4700::1111", null)]
    [InlineData("2001:4860:4860::8888", null)]
    public void Special_purpose_ranges_are_refused_at_their_edges_and_their_neighbours_are_not(string address, string? why)
    {
        string? refusal = AddressGuard.WhyBlocked(IPAddress.Parse(address));

        if (why is null)
        {
            Assert.Null(refusal);
        }
        else
        {
            Assert.NotNull(refusal);
            Assert.Contains(why, refusal, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_row_of_the_table_is_a_valid_range_and_every_refused_row_refuses_its_first_address()
    {
        Assert.All(SpecialPurposeAddresses.Table, row =>
        {
            if (!row.GloballyReachable)
            {
                Assert.NotNull(AddressGuard.WhyBlocked(row.Range.Network));
            }
        });
    }

    [Theory]
    [InlineData("10.0.0.1/8")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0")]
    [InlineData("not-an-ip/8")]
    public void A_malformed_range_is_an_error(string text)
    {
        Exception? error = Record.Exception(() => CidrRange.Parse(text));

        Assert.True(error is FormatException or ArgumentException, error?.GetType().Name);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/", "http://127.0.0.1:8080/page", true)]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8081/page", false)]
    [InlineData("http://127.0.0.1:8080", "https://127.0.0.1:8080/page", false)]
    [InlineData("http://127.0.0.1", "http://127.0.0.1:80/x", true)]
    [InlineData("http://LocalHost:9000", "http://localhost:9000/x", true)]
    [InlineData("http://[::1]:9000", "http://[::1]:9000/x", true)]
    public void Origins_match_by_scheme_host_and_port(string origin, string url, bool allowed)
    {
        var guard = new AddressGuard([new Uri(origin)]);

        Assert.Equal(allowed, guard.IsOriginAllowlisted(new Uri(url)));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/admin")]
    [InlineData("http://127.0.0.1:8080/?q=1")]
    [InlineData("ftp://127.0.0.1/")]
    public void An_allowlist_entry_that_is_not_an_origin_is_an_error_naming_it(string origin)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new AddressGuard([new Uri(origin)]));

        Assert.Contains("scheme://host:port", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("wiki", "single-label")]
    [InlineData("printer.local", ".local")]
    [InlineData("metadata.google.internal", ".internal")]
    [InlineData("nas.home.arpa", ".home.arpa")]
    [InlineData("app.localhost", ".localhost")]
    [InlineData("news.example", null)]
    [InlineData("www.wikipedia.org.", null)]
    public void Names_that_only_internal_networks_resolve_are_recognised(string host, string? why)
    {
        string? refusal = AddressGuard.WhyNameInternal(host);

        if (why is null)
        {
            Assert.Null(refusal);
        }
        else
        {
            Assert.Contains(why, refusal, StringComparison.Ordinal);
        }
    }
}
