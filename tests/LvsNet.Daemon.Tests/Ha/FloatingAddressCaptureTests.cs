using LvsNet.Core.Configuration;
using LvsNet.Core.Runtime;
using LvsNet.Packets.Ipv6;
using Xunit;

namespace LvsNet.Daemon.Tests.Ha;

/// <summary>
/// The capture side of an IPv6 floating address: the XDP program's owned set holds it (so
/// solicitations for it reach the daemon) and the daemon joins its solicited-node group.
/// </summary>
public sealed class FloatingAddressCaptureTests
{
    private static LvsSnapshot Snapshot()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(LvsConfigReader.Parse("""
            director:
              interface: eth0
              address: 10.77.0.2/24
              address6: fd77::2/64
            high_availability:
              floating_addresses: [10.77.0.254, fd77::fe]
            virtual_services:
              - protocol: tcp
                address: fd77::100
                port: 80
                real_servers:
                  - address: fd77::b
                    method: nat
            """));
        return runtime.Current!;
    }

    [Fact]
    public void XdpAddresses6_OwnTheFloatingAddress_BesideTheVip()
    {
        var sets = CaptureService.XdpAddresses6(Snapshot());
        Assert.Equal([Ipv6Address.Parse("fd77::fe").Value, Ipv6Address.Parse("fd77::100").Value], sets.Owned.Order());
        Assert.Equal([Ipv6Address.Parse("fd77::b").Value], sets.ReplySources);
        Assert.Equal([Ipv6Address.Parse("fd77::2").Value], sets.HostAddresses);
    }

    [Fact]
    public void SolicitedNodeGroups_IncludeTheFloatingAddresssGroup()
    {
        // RFC 4291 §2.7.1 ff02::1:ffXX:XXXX from the low 24 bits, RFC 2464 §7 33:33 and its low 32 bits.
        var groups = CaptureService.SolicitedNodeGroups(Snapshot());
        Assert.Equal([0x3333_FF00_00FEUL, 0x3333_FF00_0100UL], groups.Order());
    }
}
