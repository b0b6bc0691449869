using LvsNet.Packets.Writing;
using Xunit;

namespace LvsNet.Packets.Tests;

public class NatRewriterTests
{
    private const uint Client = 0xC633_640A;       // 198.51.100.10
    private const uint Vip = 0xCB00_7164;          // 203.0.113.100
    private const uint RealServer = 0x0A00_000B;   // 10.0.0.11
    private const ushort ClientPort = 40000;
    private const ushort VipPort = 80;
    private const ushort RealServerPort = 8080;

    private static readonly byte[] Payload = "GET / HTTP/1.1\r\n"u8.ToArray();

    [Fact]
    public void RewriteDestination_Tcp_RewritesAddressAndPortWithValidChecksums()
    {
        var frame = new FrameBuilder { Source = Client, Destination = Vip }.Tcp(ClientPort, VipPort, TcpFlags.Psh | TcpFlags.Ack, payload: Payload);
        var expected = new FrameBuilder { Source = Client, Destination = RealServer }.Tcp(ClientPort, RealServerPort, TcpFlags.Psh | TcpFlags.Ack, payload: Payload);

        NatRewriter.RewriteDestination(frame.AsSpan(14), RealServer, RealServerPort);

        Assert.True(Ipv4Header.TryParse(frame.AsSpan(14), out var ip));
        Assert.Equal(Client, ip.Source);
        Assert.Equal(RealServer, ip.Destination);
        Assert.True(TcpHeader.TryParse(ip.Payload, out var tcp));
        Assert.Equal(ClientPort, tcp.SourcePort);
        Assert.Equal(RealServerPort, tcp.DestinationPort);
        Assert.True(RefChecksum.IsIpHeaderValid(frame.AsSpan(14)));
        Assert.True(RefChecksum.IsTransportValid(frame.AsSpan(14)));
        Assert.Equal(expected, frame);
    }

    [Fact]
    public void RewriteSource_Tcp_RewritesAddressAndPortWithValidChecksums()
    {
        var frame = new FrameBuilder { Source = RealServer, Destination = Client }.Tcp(RealServerPort, ClientPort, TcpFlags.Syn | TcpFlags.Ack, options: FrameBuilder.LinuxSynOptions);
        var expected = new FrameBuilder { Source = Vip, Destination = Client }.Tcp(VipPort, ClientPort, TcpFlags.Syn | TcpFlags.Ack, options: FrameBuilder.LinuxSynOptions);

        NatRewriter.RewriteSource(frame.AsSpan(14), Vip, VipPort);

        Assert.True(Ipv4Header.TryParse(frame.AsSpan(14), out var ip));
        Assert.Equal(Vip, ip.Source);
        Assert.Equal(Client, ip.Destination);
        Assert.True(TcpHeader.TryParse(ip.Payload, out var tcp));
        Assert.Equal(VipPort, tcp.SourcePort);
        Assert.Equal(ClientPort, tcp.DestinationPort);
        Assert.True(RefChecksum.IsIpHeaderValid(frame.AsSpan(14)));
        Assert.True(RefChecksum.IsTransportValid(frame.AsSpan(14)));
        Assert.Equal(expected, frame);
    }

    [Fact]
    public void RewriteDestination_GoldenLinuxSyn_KeepsChecksumsValid()
    {
        var frame = FrameBuilder.Hex(GoldenFrames.LinuxSyn);

        NatRewriter.RewriteDestination(frame.AsSpan(14), RealServer, RealServerPort);

        Assert.True(RefChecksum.IsIpHeaderValid(frame.AsSpan(14)));
        Assert.True(RefChecksum.IsTransportValid(frame.AsSpan(14)));
        Assert.Equal(RealServer, RefChecksum.ReadUInt32(frame.AsSpan(14 + 16)));
        Assert.Equal(RealServerPort, RefChecksum.ReadUInt16(frame.AsSpan(34 + 2)));
        Assert.Equal(46414, RefChecksum.ReadUInt16(frame.AsSpan(34)));
    }

    [Fact]
    public void RewriteDestination_Udp_RewritesAddressAndPortWithValidChecksums()
    {
        var frame = new FrameBuilder { Source = Client, Destination = Vip }.Udp(ClientPort, 53, Payload);
        var expected = new FrameBuilder { Source = Client, Destination = RealServer }.Udp(ClientPort, 5353, Payload);

        NatRewriter.RewriteDestination(frame.AsSpan(14), RealServer, 5353);

        Assert.True(RefChecksum.IsIpHeaderValid(frame.AsSpan(14)));
        Assert.True(RefChecksum.IsTransportValid(frame.AsSpan(14)));
        Assert.Equal(expected, frame);
    }

    [Fact]
    public void RewriteSource_Udp_RewritesAddressAndPortWithValidChecksums()
    {
        var frame = new FrameBuilder { Source = RealServer, Destination = Client }.Udp(5353, ClientPort, Payload);
        var expected = new FrameBuilder { Source = Vip, Destination = Client }.Udp(53, ClientPort, Payload);

        NatRewriter.RewriteSource(frame.AsSpan(14), Vip, 53);

        Assert.True(Ipv4Header.TryParse(frame.AsSpan(14), out var ip));
        Assert.True(UdpHeader.TryParse(ip.Payload, out var udp));
        Assert.Equal(Vip, ip.Source);
        Assert.Equal(53, udp.SourcePort);
        Assert.Equal(ClientPort, udp.DestinationPort);
        Assert.True(RefChecksum.IsTransportValid(frame.AsSpan(14)));
        Assert.Equal(expected, frame);
    }

    [Fact]
    public void RewriteDestination_UdpWithoutChecksum_ComputesFullChecksum()
    {
        var frame = new FrameBuilder { Source = Client, Destination = Vip }.Udp(ClientPort, 53, Payload, withoutChecksum: true);
        var expected = new FrameBuilder { Source = Client, Destination = RealServer }.Udp(ClientPort, 5353, Payload);

        NatRewriter.RewriteDestination(frame.AsSpan(14), RealServer, 5353);

        Assert.NotEqual(0, RefChecksum.ReadUInt16(frame.AsSpan(34 + 6)));
        Assert.True(RefChecksum.IsTransportValid(frame.AsSpan(14)));
        Assert.Equal(expected, frame);
    }

    [Fact]
    public void RewriteSource_UdpWithoutChecksumOddLength_ComputesFullChecksum()
    {
        byte[] payload = [1, 2, 3, 4, 5];
        var frame = new FrameBuilder { Source = RealServer, Destination = Client, Padding = 12 }.Udp(5353, ClientPort, payload, withoutChecksum: true);
        var expected = new FrameBuilder { Source = Vip, Destination = Client, Padding = 12 }.Udp(53, ClientPort, payload);

        NatRewriter.RewriteSource(frame.AsSpan(14), Vip, 53);

        Assert.True(RefChecksum.IsTransportValid(frame.AsSpan(14)));
        Assert.Equal(expected, frame);
    }

    /// <summary>Bytes after the UDP length inside the IP payload are not part of the datagram, so the full checksum must not cover them.</summary>
    [Fact]
    public void RewriteDestination_UdpWithoutChecksumShorterThanIpPayload_ChecksumsOnlyTheDatagram()
    {
        var datagram = new FrameBuilder { Source = Client, Destination = Vip }.Udp(ClientPort, 53, Payload, withoutChecksum: true).AsSpan(34).ToArray();
        byte[] trailer = [0xDE, 0xAD, 0xBE, 0xEF];
        var frame = new FrameBuilder { Source = Client, Destination = Vip }.Ipv4(FrameBuilder.ProtocolUdp, [.. datagram, .. trailer]);

        NatRewriter.RewriteDestination(frame.AsSpan(14), RealServer, 5353);

        var rewritten = frame.AsSpan(34, datagram.Length);
        Assert.Equal(5353, RefChecksum.ReadUInt16(rewritten.Slice(2)));
        Assert.Equal(0, RefChecksum.Transport(Client, RealServer, FrameBuilder.ProtocolUdp, rewritten));
        Assert.Equal(trailer, frame.AsSpan(34 + datagram.Length).ToArray());
    }

    /// <summary>A UDP length field past the IP payload (which UdpHeader.TryParse rejects) must not make the rewrite read past the packet.</summary>
    [Fact]
    public void RewriteDestination_UdpLengthPastIpPayload_DoesNotThrow()
    {
        var frame = new FrameBuilder { Source = Client, Destination = Vip, Padding = 16 }.Udp(ClientPort, 53, Payload, withoutChecksum: true);
        FrameBuilder.WriteUInt16(frame, 34 + 4, 0xFFFF);

        NatRewriter.RewriteDestination(frame.AsSpan(14), RealServer, 5353);

        Assert.True(RefChecksum.IsIpHeaderValid(frame.AsSpan(14)));
        Assert.Equal(5353, RefChecksum.ReadUInt16(frame.AsSpan(34 + 2)));
        Assert.All(frame.AsSpan(frame.Length - 16).ToArray(), b => Assert.Equal(0, b));
    }

    /// <summary>RFC 768: a computed checksum of 0 is sent as 0xFFFF, both after a full computation and after an incremental update.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RewriteDestination_UdpChecksumComputingToZero_SendsAllOnes(bool withoutChecksum)
    {
        var payload = PayloadGivingZeroChecksum(new FrameBuilder { Source = Client, Destination = RealServer }, FrameBuilder.ProtocolUdp, ClientPort, 5353);
        var frame = new FrameBuilder { Source = Client, Destination = Vip }.Udp(ClientPort, 53, payload, withoutChecksum);

        NatRewriter.RewriteDestination(frame.AsSpan(14), RealServer, 5353);

        Assert.Equal(0xFFFF, RefChecksum.ReadUInt16(frame.AsSpan(34 + 6)));
        Assert.True(RefChecksum.IsTransportValid(frame.AsSpan(14)));
    }

    [Fact]
    public void RewriteDestination_UdpArrivingWithAllOnesChecksum_StaysValid()
    {
        // The datagram arrives with 0xFFFF (its checksum computed to 0), then the rewrite changes nothing it covers.
        var payload = PayloadGivingZeroChecksum(new FrameBuilder { Source = Client, Destination = Vip }, FrameBuilder.ProtocolUdp, ClientPort, 53);
        var frame = new FrameBuilder { Source = Client, Destination = Vip }.Udp(ClientPort, 53, payload);
        Assert.Equal(0xFFFF, RefChecksum.ReadUInt16(frame.AsSpan(34 + 6)));

        NatRewriter.RewriteDestination(frame.AsSpan(14), Vip, 53);

        Assert.Equal(0xFFFF, RefChecksum.ReadUInt16(frame.AsSpan(34 + 6)));
        Assert.True(RefChecksum.IsTransportValid(frame.AsSpan(14)));
    }

    /// <summary>TCP has no "no checksum" value: a checksum that computes to 0 is sent as 0.</summary>
    [Fact]
    public void RewriteDestination_TcpChecksumComputingToZero_SendsZero()
    {
        var payload = PayloadGivingZeroChecksum(new FrameBuilder { Source = Client, Destination = RealServer }, FrameBuilder.ProtocolTcp, ClientPort, RealServerPort);
        var frame = new FrameBuilder { Source = Client, Destination = Vip }.Tcp(ClientPort, VipPort, TcpFlags.Ack, payload: payload);

        NatRewriter.RewriteDestination(frame.AsSpan(14), RealServer, RealServerPort);

        Assert.Equal(0x0000, RefChecksum.ReadUInt16(frame.AsSpan(34 + 16)));
        Assert.True(RefChecksum.IsTransportValid(frame.AsSpan(14)));
    }

    [Fact]
    public void RewriteDestination_WithIpOptionsAndPadding_RewritesTransportAfterOptions()
    {
        var builder = new FrameBuilder { Source = Client, Destination = Vip, IpOptions = FrameBuilder.RouterAlertOptions, Padding = 9 };
        var frame = builder.Tcp(ClientPort, VipPort, payload: Payload);
        var expected = new FrameBuilder { Source = Client, Destination = RealServer, IpOptions = FrameBuilder.RouterAlertOptions, Padding = 9 }
            .Tcp(ClientPort, RealServerPort, payload: Payload);

        NatRewriter.RewriteDestination(frame.AsSpan(14), RealServer, RealServerPort);

        Assert.Equal(expected, frame);
    }

    [Fact]
    public void RewriteDestination_VlanFrame_RewritesPacketAfterTag()
    {
        var frame = new FrameBuilder { Source = Client, Destination = Vip, VlanTci = 100 }.Udp(ClientPort, 53, Payload);
        var expected = new FrameBuilder { Source = Client, Destination = RealServer, VlanTci = 100 }.Udp(ClientPort, 53, Payload);

        NatRewriter.RewriteDestination(frame.AsSpan(18), RealServer, 53);

        Assert.Equal(expected, frame);
    }

    [Theory]
    [InlineData((ushort)0x0001)]
    [InlineData((ushort)0x2003)]
    [InlineData((ushort)0x1FFF)]
    [InlineData((ushort)0x4001)]
    public void RewriteDestination_NonFirstFragment_ChangesOnlyIpHeader(ushort flagsAndOffset)
    {
        // A later fragment's payload is datagram data that merely looks like ports and a checksum.
        var data = new byte[24];
        new Random(5).NextBytes(data);
        var frame = new FrameBuilder { Source = Client, Destination = Vip, FlagsAndFragmentOffset = flagsAndOffset }.Ipv4(FrameBuilder.ProtocolTcp, data);
        var expected = new FrameBuilder { Source = Client, Destination = RealServer, FlagsAndFragmentOffset = flagsAndOffset }.Ipv4(FrameBuilder.ProtocolTcp, data);

        NatRewriter.RewriteDestination(frame.AsSpan(14), RealServer, RealServerPort);

        Assert.Equal(expected, frame);
        Assert.True(RefChecksum.IsIpHeaderValid(frame.AsSpan(14)));
    }

    [Theory]
    [InlineData(FrameBuilder.ProtocolUdp)]
    [InlineData(FrameBuilder.ProtocolTcp)]
    public void RewriteSource_NonFirstFragment_ChangesOnlyIpHeader(byte protocol)
    {
        var data = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var frame = new FrameBuilder { Source = RealServer, Destination = Client, FlagsAndFragmentOffset = 0x2000 | 4 }.Ipv4(protocol, data);
        var expected = new FrameBuilder { Source = Vip, Destination = Client, FlagsAndFragmentOffset = 0x2000 | 4 }.Ipv4(protocol, data);

        NatRewriter.RewriteSource(frame.AsSpan(14), Vip, VipPort);

        Assert.Equal(expected, frame);
    }

    /// <summary>The first fragment carries the transport header: ports are rewritten and the checksum still verifies over the reassembled datagram.</summary>
    [Theory]
    [InlineData(FrameBuilder.ProtocolTcp)]
    [InlineData(FrameBuilder.ProtocolUdp)]
    public void RewriteDestination_FirstFragment_ChecksumVerifiesAfterReassembly(byte protocol)
    {
        var (firstFragment, rest) = FirstFragment(protocol, withoutChecksum: false);

        NatRewriter.RewriteDestination(firstFragment.AsSpan(14), RealServer, RealServerPort);

        Assert.True(RefChecksum.IsIpHeaderValid(firstFragment.AsSpan(14)));
        Assert.Equal(RealServerPort, RefChecksum.ReadUInt16(firstFragment.AsSpan(34 + 2)));
        var reassembled = firstFragment.AsSpan(34).ToArray().Concat(rest).ToArray();
        Assert.Equal(0, RefChecksum.Transport(Client, RealServer, protocol, reassembled));
    }

    /// <summary>
    /// A first fragment of a UDP datagram sent without a checksum: the rest of the datagram is not here, so a
    /// checksum computed over this fragment would be wrong for the reassembled datagram. It must stay 0 ("none").
    /// </summary>
    [Fact]
    public void RewriteDestination_FirstFragmentOfUdpWithoutChecksum_LeavesChecksumZero()
    {
        var (firstFragment, _) = FirstFragment(FrameBuilder.ProtocolUdp, withoutChecksum: true);

        NatRewriter.RewriteDestination(firstFragment.AsSpan(14), RealServer, RealServerPort);

        Assert.True(RefChecksum.IsIpHeaderValid(firstFragment.AsSpan(14)));
        Assert.Equal(RealServerPort, RefChecksum.ReadUInt16(firstFragment.AsSpan(34 + 2)));
        Assert.Equal(0, RefChecksum.ReadUInt16(firstFragment.AsSpan(34 + 6)));
    }

    [Fact]
    public void RewriteDestination_Icmp_ChangesOnlyIpHeader()
    {
        var frame = new FrameBuilder { Source = Client, Destination = Vip }.Icmp(8, 0, 0x0001_0002, Payload);
        var expected = new FrameBuilder { Source = Client, Destination = RealServer }.Icmp(8, 0, 0x0001_0002, Payload);

        NatRewriter.RewriteDestination(frame.AsSpan(14), RealServer, RealServerPort);

        Assert.Equal(expected, frame);
        Assert.True(RefChecksum.IsIcmpValid(frame.AsSpan(14)));
    }

    [Theory]
    [InlineData(FrameBuilder.ProtocolTcp, 19)]
    [InlineData(FrameBuilder.ProtocolTcp, 4)]
    [InlineData(FrameBuilder.ProtocolUdp, 7)]
    [InlineData(FrameBuilder.ProtocolUdp, 0)]
    public void RewriteDestination_TransportHeaderIncomplete_ChangesOnlyIpHeader(byte protocol, int transportLength)
    {
        var data = new byte[transportLength];
        data.AsSpan().Fill(0x5A);
        var frame = new FrameBuilder { Source = Client, Destination = Vip }.Ipv4(protocol, data);
        var expected = new FrameBuilder { Source = Client, Destination = RealServer }.Ipv4(protocol, data);

        NatRewriter.RewriteDestination(frame.AsSpan(14), RealServer, RealServerPort);

        Assert.Equal(expected, frame);
    }

    /// <summary>Rewriting to the real server and back gives the original bytes, checksums included.</summary>
    [Fact]
    public void RewriteDestination_ThenBack_RestoresOriginalFrame()
    {
        var request = new FrameBuilder { Source = Client, Destination = Vip }.Tcp(ClientPort, VipPort, TcpFlags.Ack, payload: Payload);
        var original = (byte[])request.Clone();

        NatRewriter.RewriteDestination(request.AsSpan(14), RealServer, RealServerPort);
        NatRewriter.RewriteDestination(request.AsSpan(14), Vip, VipPort);

        Assert.Equal(original, request);
    }

    /// <summary>Seeded random TCP and UDP frames (corner addresses and ports included): the result equals a frame built from scratch.</summary>
    [Fact]
    public void Rewrite_RandomFrames_EqualsFrameBuiltWithNewValues()
    {
        var random = new Random(3022);
        uint[] cornerAddresses = [0, 0xFFFF_FFFF, 0xFFFF_0000, 0x0000_FFFF, 0x7FFF_FFFF];
        ushort[] cornerPorts = [0, 0xFFFF, 1, 0xFFFE];
        for (var i = 0; i < 5000; i++)
        {
            uint RandomAddress() => random.Next(4) == 0 ? cornerAddresses[random.Next(cornerAddresses.Length)] : (uint)random.NextInt64(0, 1L << 32);
            ushort RandomPort() => random.Next(4) == 0 ? cornerPorts[random.Next(cornerPorts.Length)] : (ushort)random.Next(0x10000);

            var source = RandomAddress();
            var destination = RandomAddress();
            var sourcePort = RandomPort();
            var destinationPort = RandomPort();
            var newAddress = RandomAddress();
            var newPort = RandomPort();
            var payload = new byte[random.Next(0, 40)];
            random.NextBytes(payload);
            var udp = random.Next(2) == 0;
            var withoutChecksum = udp && random.Next(4) == 0;
            var destinationNat = random.Next(2) == 0;
            var options = random.Next(4) == 0 ? FrameBuilder.RouterAlertOptions : [];

            var frame = Build(source, destination, sourcePort, destinationPort);
            var expected = destinationNat
                ? Build(source, newAddress, sourcePort, newPort, withChecksum: true)
                : Build(newAddress, destination, newPort, destinationPort, withChecksum: true);

            if (destinationNat)
            {
                NatRewriter.RewriteDestination(frame.AsSpan(14), newAddress, newPort);
            }
            else
            {
                NatRewriter.RewriteSource(frame.AsSpan(14), newAddress, newPort);
            }

            Assert.Equal(expected, frame);
            Assert.True(RefChecksum.IsIpHeaderValid(frame.AsSpan(14)));
            Assert.True(RefChecksum.IsTransportValid(frame.AsSpan(14)));

            byte[] Build(uint src, uint dst, ushort sport, ushort dport, bool withChecksum = false)
            {
                var builder = new FrameBuilder { Source = src, Destination = dst, IpOptions = options };
                return udp
                    ? builder.Udp(sport, dport, payload, withoutChecksum && !withChecksum)
                    : builder.Tcp(sport, dport, TcpFlags.Ack, payload: payload);
            }
        }
    }

    /// <summary>A two-byte payload that makes the transport checksum of the frame <paramref name="final"/> would build compute to 0.</summary>
    private static byte[] PayloadGivingZeroChecksum(FrameBuilder final, byte protocol, ushort sourcePort, ushort destinationPort)
    {
        var frame = protocol == FrameBuilder.ProtocolUdp
            ? final.Udp(sourcePort, destinationPort, [0, 0], withoutChecksum: true)
            : final.Tcp(sourcePort, destinationPort, TcpFlags.Ack, payload: [0, 0]);
        var l4 = frame.AsSpan(final.L4Offset).ToArray();
        l4[protocol == FrameBuilder.ProtocolUdp ? 6 : 16] = 0;
        l4[protocol == FrameBuilder.ProtocolUdp ? 7 : 17] = 0;

        // With the word zero, the sum S gives checksum ~S; putting ~S in the word makes the sum 0xFFFF, the checksum 0.
        var word = RefChecksum.Transport(final.Source, final.Destination, protocol, l4);
        return [(byte)(word >> 8), (byte)word];
    }

    /// <summary>A client → VIP datagram of 8 + 40 (UDP) or 20 + 40 (TCP) bytes, cut into a first fragment of 24 transport bytes and the rest.</summary>
    private static (byte[] Fragment, byte[] Remainder) FirstFragment(byte protocol, bool withoutChecksum)
    {
        var data = Enumerable.Range(0, 40).Select(i => (byte)(i * 7)).ToArray();
        var whole = new FrameBuilder { Source = Client, Destination = Vip, FlagsAndFragmentOffset = 0 };
        var frame = protocol == FrameBuilder.ProtocolUdp
            ? whole.Udp(ClientPort, VipPort, data, withoutChecksum)
            : whole.Tcp(ClientPort, VipPort, TcpFlags.Ack, payload: data);
        var datagram = frame.AsSpan(34);
        var first = new FrameBuilder { Source = Client, Destination = Vip, FlagsAndFragmentOffset = Ipv4Header.MoreFragmentsFlag }
            .Ipv4(protocol, datagram.Slice(0, 24));
        return (first, datagram.Slice(24).ToArray());
    }
}
