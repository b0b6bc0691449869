using LvsNet.Core.Configuration;
using LvsNet.Core.DataPath;
using LvsNet.Core.Tests.DataPath.Ipv6;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using Xunit;
using static LvsNet.Core.Tests.DataPath.Ipv6.Ipv6Harness;

namespace LvsNet.Core.Tests.DataPath.Defence;

/// <summary>
/// connections.per_source_rate for IPv6 clients: the source is the client's /64 (a host or a
/// spoofer on one link may use any address of it), so addresses of one /64 share a bucket and
/// another /64 has its own; established connections are never limited.
/// </summary>
public class Ipv6SourceRateLimitTests
{
    [Fact]
    public void AddressesOfOneSlash64_ShareTheBurst_AnotherSlash64HasItsOwn()
    {
        var h = new Ipv6Harness(edit: c => c with { Connections = c.Connections with { PerSourceRate = 4, PerSourceBurst = 3 } });
        h.ResolveRealServers();
        var prefix = Ipv6Address.Parse("2001:db8:1:2::").Value;

        // Ten SYNs, each from another address of 2001:db8:1:2::/64 (as privacy addresses would be).
        for (var i = 0; i < 10; i++)
        {
            h.Feed(Tcp(new Ipv6Address(prefix + (UInt128)(ulong)(0x1000 + (i * 7919))), (ushort)(1000 + i), TcpFlags.Syn));
        }

        Assert.Equal(3, h.Processor.Table6.Count);
        Assert.Equal(7, h.Processor.Counters[DropReason.SourceRateLimited]);

        // The neighbouring /64 is another source.
        var next = Ipv6Address.Parse("2001:db8:1:3::").Value;
        for (var i = 0; i < 3; i++)
        {
            h.Feed(Tcp(new Ipv6Address(next + (UInt128)(ulong)(i + 1)), (ushort)(2000 + i), TcpFlags.Syn));
        }

        Assert.Equal(6, h.Processor.Table6.Count);
        Assert.Equal(7, h.Processor.Counters[DropReason.SourceRateLimited]);

        // Established connections of the exhausted /64 go on; a second refills 4, up to the burst of 3.
        h.Device.Sent.Clear();
        h.Feed(Tcp(new Ipv6Address(prefix + 0x1000), 1000, TcpFlags.Ack, payload: 10));
        Assert.Single(h.Device.Sent);
        h.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 5; i++)
        {
            h.Feed(Tcp(new Ipv6Address(prefix + (UInt128)(ulong)(0x9000 + i)), (ushort)(3000 + i), TcpFlags.Syn));
        }

        Assert.Equal(9, h.Processor.Table6.Count);
        Assert.Equal(9, h.Processor.Counters[DropReason.SourceRateLimited]);
    }

    [Fact]
    public void NoLimitConfigured_Ipv6ClientsAreNotCounted()
    {
        var h = new Ipv6Harness();
        h.ResolveRealServers();
        for (var i = 0; i < 50; i++)
        {
            h.Feed(Tcp(Client, (ushort)(1000 + i), TcpFlags.Syn));
        }

        Assert.Equal(50, h.Processor.Table6.Count);
        Assert.Equal(0, h.Processor.Counters[DropReason.SourceRateLimited]);
    }
}
