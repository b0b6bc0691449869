using LvsNet.Core.Configuration;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Packets.Checksums;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;

namespace LvsNet.Core.Tests.DataPath.Forwarding;

public class TunnelForwardingTests
{
    private static DataPathHarness Tun() => new(c => EditService(c, s => s with
    {
        RealServers = [.. s.RealServers.Select(r => r with { Method = ForwardingMethod.Tunnel })],
    }));

    [Fact]
    public void Syn_IsEncapsulatedInIpip_AsIpvsDoes()
    {
        var h = Tun();
        h.ResolveRealServers();
        var syn = h.ClientTcp(40000, TcpFlags.Syn, 100, ttl: 50);
        syn[14 + 1] = 0xB8 | 0x03; // DSCP EF with ECN CE
        Ipv4Checksum(syn);
        h.Feed(syn);

        var sent = Assert.Single(h.Device.Sent);
        Assert.True(EthernetHeader.TryParse(sent, out var eth));
        Assert.Equal(Rs1Mac, eth.Destination);
        Assert.Equal(DirectorMac, eth.Source);
        Assert.True(Ipv4Header.TryParse(eth.Payload, out var outer));
        Assert.Equal(IpProtocol.IpIp, outer.Protocol);
        Assert.Equal(Dip, outer.Source);
        Assert.Equal(Rs1, outer.Destination);
        Assert.True(outer.IsChecksumValid);
        Assert.Equal(49, outer.Ttl);
        Assert.Equal(0xB8 | 0x02, outer.TypeOfService);
        Assert.True(outer.DontFragment);
        Assert.Equal(20 + 20 + 20 + 100, outer.TotalLength);

        Assert.True(Ipv4Header.TryParse(outer.Payload, out var inner));
        Assert.Equal(Client, inner.Source);
        Assert.Equal(Vip, inner.Destination);
        Assert.Equal(49, inner.Ttl);
        Assert.True(inner.IsChecksumValid);
        Assert.Equal(syn.AsSpan(14 + 20).ToArray(), inner.Payload.ToArray());
    }

    [Fact]
    public void TooBigWithDf_SendsFragmentationNeededWithMtuMinus20()
    {
        var h = Tun();
        h.ResolveRealServers();
        h.Feed(h.ClientTcp(40000, TcpFlags.Syn));
        h.Device.Sent.Clear();
        h.Feed(h.ClientTcp(40000, TcpFlags.Ack, 1460));
        var icmp = Assert.Single(h.Device.Sent);
        Assert.True(EthernetHeader.TryParse(icmp, out var eth));
        Assert.Equal(ClientMac, eth.Destination);
        Assert.True(Ipv4Header.TryParse(eth.Payload, out var ip));
        Assert.Equal(Client, ip.Destination);
        Assert.True(IcmpHeader.TryParse(ip.Payload, out var message));
        Assert.Equal((IcmpHeader.TypeDestinationUnreachable, IcmpHeader.CodeFragmentationNeeded), (message.Type, message.Code));
        Assert.Equal(1480u, message.RestOfHeader & 0xFFFF);
        Assert.Equal(0, InternetChecksum.Compute(message.Message));
        Assert.Equal(1, h.Processor.Counters[DropReason.TooBig]);

        // A packet that fits is tunnelled.
        h.Device.Sent.Clear();
        h.Feed(h.ClientTcp(40000, TcpFlags.Ack, 1440));
        Assert.Equal(1500, Assert.Single(h.Device.Sent).Length - 14);
    }

    private static void Ipv4Checksum(byte[] frame) => LvsNet.Packets.Writing.Ipv4Writer.UpdateChecksum(frame.AsSpan(14, 20));
}
