using Xunit;

namespace LvsNet.Packets.Tests;

/// <summary>
/// Runs every parser over some bytes and reads every accessor of every view it returns, asserting
/// that each view lies inside the span it was parsed from. Used by the truncation and fuzz tests.
/// </summary>
internal static class ParserProbe
{
    /// <summary>Parses <paramref name="frame"/> layer by layer as a frame, then each parser over the raw bytes; returns a digest of what was read.</summary>
    public static long ProbeAll(ReadOnlySpan<byte> frame)
    {
        long digest = ProbeFrame(frame);
        digest += ProbeIpv4(frame, recurse: true);
        digest += ProbeTcp(frame);
        digest += ProbeUdp(frame);
        digest += ProbeIcmp(frame);
        digest += ProbeArp(frame);
        return digest;
    }

    /// <summary>Parses Ethernet, then the layer its type names, then the transport; returns a digest.</summary>
    public static long ProbeFrame(ReadOnlySpan<byte> frame)
    {
        if (!EthernetHeader.TryParse(frame, out var ethernet))
        {
            Assert.True(frame.Length < EthernetHeader.Length + EthernetHeader.VlanTagLength);
            return -1;
        }

        Assert.True(ethernet.HeaderLength is EthernetHeader.Length or EthernetHeader.Length + EthernetHeader.VlanTagLength);
        Assert.Equal(ethernet.HeaderLength != EthernetHeader.Length, ethernet.HasVlanTag);
        Assert.Equal(ethernet.VlanTci & 0x0FFF, ethernet.VlanId);
        Assert.Equal(frame.Length - ethernet.HeaderLength, ethernet.Payload.Length);
        AssertWithin(frame, ethernet.Payload);
        long digest = (long)ethernet.Destination.Value + (long)ethernet.Source.Value + (ushort)ethernet.EtherType + ethernet.VlanTci;

        switch (ethernet.EtherType)
        {
            case EtherType.Ipv4:
                digest += ProbeIpv4(ethernet.Payload, recurse: true);
                break;
            case EtherType.Arp:
                digest += ProbeArp(ethernet.Payload);
                break;
            default:
                break;
        }

        return digest;
    }

    /// <summary>Parses an IPv4 packet and, when <paramref name="recurse"/>, its transport header; returns a digest.</summary>
    public static long ProbeIpv4(ReadOnlySpan<byte> packet, bool recurse)
    {
        if (!Ipv4Header.TryParse(packet, out var ip))
        {
            return -2;
        }

        Assert.InRange(ip.HeaderLength, Ipv4Header.MinLength, Ipv4Header.MaxLength);
        Assert.InRange(ip.TotalLength, ip.HeaderLength, packet.Length);
        Assert.Equal(ip.HeaderLength, ip.Header.Length);
        Assert.Equal(ip.TotalLength, ip.Packet.Length);
        Assert.Equal(ip.TotalLength - ip.HeaderLength, ip.Payload.Length);
        AssertWithin(packet, ip.Header);
        AssertWithin(packet, ip.Payload);
        AssertWithin(packet, ip.Packet);
        long digest = ip.TypeOfService + ip.Identification + ip.FlagsAndFragmentOffset + ip.Ttl + (byte)ip.Protocol
            + ip.Checksum + ip.Source + ip.Destination + (ip.DontFragment ? 1 : 0) + (ip.IsFragment ? 2 : 0) + (ip.IsChecksumValid ? 4 : 0);

        if (recurse)
        {
            switch (ip.Protocol)
            {
                case IpProtocol.Tcp:
                    digest += ProbeTcp(ip.Payload);
                    break;
                case IpProtocol.Udp:
                    digest += ProbeUdp(ip.Payload);
                    break;
                case IpProtocol.Icmp:
                    digest += ProbeIcmp(ip.Payload);
                    break;
                default:
                    break;
            }
        }

        return digest;
    }

    public static long ProbeTcp(ReadOnlySpan<byte> segment)
    {
        if (!TcpHeader.TryParse(segment, out var tcp))
        {
            return -3;
        }

        Assert.InRange(tcp.HeaderLength, TcpHeader.MinLength, Math.Min(60, segment.Length));
        Assert.Equal(tcp.HeaderLength - TcpHeader.MinLength, tcp.Options.Length);
        Assert.Equal(segment.Length - tcp.HeaderLength, tcp.Payload.Length);
        Assert.Equal(segment.Length, tcp.Segment.Length);
        AssertWithin(segment, tcp.Options);
        AssertWithin(segment, tcp.Payload);
        AssertWithin(segment, tcp.Segment);
        return tcp.SourcePort + tcp.DestinationPort + tcp.SequenceNumber + tcp.AcknowledgmentNumber + (byte)tcp.Flags + tcp.Window + tcp.Checksum;
    }

    public static long ProbeUdp(ReadOnlySpan<byte> datagram)
    {
        if (!UdpHeader.TryParse(datagram, out var udp))
        {
            return -4;
        }

        Assert.InRange(udp.DatagramLength, UdpHeader.Length, datagram.Length);
        Assert.Equal(udp.DatagramLength - UdpHeader.Length, udp.Payload.Length);
        AssertWithin(datagram, udp.Payload);
        return udp.SourcePort + udp.DestinationPort + udp.Checksum + udp.DatagramLength;
    }

    public static long ProbeIcmp(ReadOnlySpan<byte> message)
    {
        if (!IcmpHeader.TryParse(message, out var icmp))
        {
            Assert.True(message.Length < IcmpHeader.Length);
            return -5;
        }

        Assert.Equal(message.Length, icmp.Message.Length);
        Assert.Equal(message.Length - IcmpHeader.Length, icmp.Payload.Length);
        AssertWithin(message, icmp.Message);
        AssertWithin(message, icmp.Payload);
        return icmp.Type + icmp.Code + icmp.Checksum + icmp.RestOfHeader + (icmp.IsError ? 1 : 0);
    }

    public static long ProbeArp(ReadOnlySpan<byte> packet)
    {
        if (!ArpPacket.TryParse(packet, out var arp))
        {
            return -6;
        }

        Assert.True(packet.Length >= ArpPacket.Length);
        return (ushort)arp.Operation + (long)arp.SenderMac.Value + arp.SenderIp + (long)arp.TargetMac.Value + arp.TargetIp;
    }

    /// <summary>Asserts that <paramref name="view"/> lies inside <paramref name="outer"/> (an empty view anywhere is fine).</summary>
    public static void AssertWithin(ReadOnlySpan<byte> outer, ReadOnlySpan<byte> view)
    {
        if (view.IsEmpty)
        {
            return;
        }

        Assert.True(outer.Overlaps(view, out var offset), "The view does not overlap the parsed span.");
        Assert.True(offset >= 0 && offset + view.Length <= outer.Length, $"The view [{offset}, {offset + view.Length}) leaves the parsed span of {outer.Length} bytes.");
    }
}
