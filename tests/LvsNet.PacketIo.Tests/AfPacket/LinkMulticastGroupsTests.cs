using LvsNet.PacketIo.AfPacket;
using LvsNet.PacketIo.Tests.Infrastructure;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.PacketIo.Tests.AfPacket;

/// <summary>
/// The solicited-node groups the daemon holds for its IPv6 VIPs, checked against the kernel's multicast
/// list of the veth in a namespace each test creates, as <c>ip maddr</c> prints it.
/// </summary>
[Trait("Category", "Lab")]
public sealed class LinkMulticastGroupsTests
{
    [Theory]
    // RFC 4291 §2.7.1's example: 4037::01:800:200E:8C6C has the group FF02::1:FF0E:8C6C, whose MAC is
    // 33:33 and the group's last four octets (RFC 2464 §7).
    [InlineData(0x0001_0800_200E_8C6CUL, 0x3333_FF0E_8C6CUL)]
    [InlineData(0x0000_0000_0000_0100UL, 0x3333_FF00_0100UL)]
    [InlineData(0xFFFF_FFFF_FFFF_FFFFUL, 0x3333_FFFF_FFFFUL)]
    public void SolicitedNodeMac_IsTheRfcGroupsMac(ulong low64, ulong expected) =>
        Assert.Equal(expected, LinkMulticastGroups.SolicitedNodeMac(low64));

    [RequiresRootFact]
    public void Set_JoinsAndLeavesInTheKernelsList_AndClosingLeavesAll()
    {
        using var lab = VethLab.Create();
        string Groups() => ExternalCommand.Run("ip", "-n", lab.Name, "maddr", "show", "dev", VethLab.CaptureInterface);
        var groups = lab.Open(() => new LinkMulticastGroups(VethLab.CaptureInterface));
        try
        {
            groups.Set([0x3333_FF00_0100UL, 0x3333_FF0E_8C6CUL]);
            var joined = Groups();
            Assert.Contains("link  33:33:ff:00:01:00", joined, StringComparison.Ordinal);
            Assert.Contains("link  33:33:ff:0e:8c:6c", joined, StringComparison.Ordinal);

            groups.Set([0x3333_FF0E_8C6CUL, 0x3333_FF01_0200UL]);
            var moved = Groups();
            Assert.DoesNotContain("33:33:ff:00:01:00", moved, StringComparison.Ordinal);
            Assert.Contains("link  33:33:ff:0e:8c:6c", moved, StringComparison.Ordinal);
            Assert.Contains("link  33:33:ff:01:02:00", moved, StringComparison.Ordinal);

            // A unicast MAC is refused before anything changes.
            Assert.Throws<ArgumentException>(() => groups.Set([0x0200_0000_0001UL]));
            Assert.Contains("link  33:33:ff:01:02:00", Groups(), StringComparison.Ordinal);
        }
        finally
        {
            groups.Dispose();
        }

        var left = Groups();
        Assert.DoesNotContain("33:33:ff:0e:8c:6c", left, StringComparison.Ordinal);
        Assert.DoesNotContain("33:33:ff:01:02:00", left, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void AGroupTheHostAlsoJoined_StaysWhenTheDaemonLeaves()
    {
        using var lab = VethLab.Create();
        ExternalCommand.Run("ip", "-n", lab.Name, "maddr", "add", "33:33:ff:00:01:00", "dev", VethLab.CaptureInterface);
        using (var groups = lab.Open(() => new LinkMulticastGroups(VethLab.CaptureInterface)))
        {
            groups.Set([0x3333_FF00_0100UL]);
            groups.Set([]);
        }

        Assert.Contains("link  33:33:ff:00:01:00", ExternalCommand.Run("ip", "-n", lab.Name, "maddr", "show", "dev", VethLab.CaptureInterface), StringComparison.Ordinal);
    }
}
