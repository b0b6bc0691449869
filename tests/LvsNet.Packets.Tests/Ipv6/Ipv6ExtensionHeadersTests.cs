using System.Buffers.Binary;
using LvsNet.Packets.Ipv6;
using LvsNet.Testing;
using PacketDotNet;
using Xunit;
using static LvsNet.Packets.Tests.Ipv6.Ipv6TestPackets;

namespace LvsNet.Packets.Tests.Ipv6;

public class Ipv6ExtensionHeadersTests
{
    private static readonly byte[] Tcp = TcpSegment();

    [Fact]
    public void NoExtensionHeaders_TheUpperLayerFollowsTheFixedHeader()
    {
        var chain = Walk(Packet(6, Tcp));
        Assert.Equal((byte)IpProtocol.Tcp, chain.UpperLayer);
        Assert.Equal(40, chain.UpperLayerOffset);
        Assert.False(chain.IsFragment);
        Assert.Equal(-1, chain.FragmentHeaderOffset);
    }

    [Fact]
    public void HopByHopAndDestinationOptions_AreWalked_WithRfc8200Lengths()
    {
        // Hop-by-hop with a router alert and PadN, then destination options with PadN, then TCP.
        byte[] hopByHop = [60, 0, 5, 2, 0, 0, 1, 0];
        byte[] destination = [6, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        var packet = Packet(0, [.. hopByHop, .. destination, .. Tcp]);
        var chain = Walk(packet);
        Assert.Equal((byte)IpProtocol.Tcp, chain.UpperLayer);
        Assert.Equal(40 + 8 + 16, chain.UpperLayerOffset);

        var decoded = Decode(packet);
        Assert.Equal(2, decoded.ExtensionHeaders.Count);
        Assert.Equal(ProtocolType.Tcp, decoded.Protocol);
        // Only the kinds and the order are taken from PacketDotNet: 1.4.8 reads a destination options
        // header of length field 1 as 8 bytes, where RFC 8200 §4.6 (and tshark) make it 16.
    }

    [Fact]
    public void FirstFragment_CarriesTheUpperLayer_LaterFragmentsDoNot_AtomicFragmentsAreWhole()
    {
        var first = Walk(Packet(44, [.. FragmentHeader(6, 0, more: true, 0xCAFE), .. Tcp, .. new byte[4]]));
        Assert.True(first.IsFragment);
        Assert.True(first.MoreFragments);
        Assert.Equal(0, first.FragmentOffset);
        Assert.Equal(0xCAFEu, first.FragmentIdentification);
        Assert.Equal(40, first.FragmentHeaderOffset);
        Assert.Equal((byte)IpProtocol.Tcp, first.UpperLayer);
        Assert.Equal(48, first.UpperLayerOffset);

        // A later fragment whose payload happens to start like an extension header is not walked further.
        var later = Walk(Packet(44, [.. FragmentHeader(60, 1480, more: false, 0xCAFE), .. new byte[16]]));
        Assert.True(later.IsFragment);
        Assert.Equal(1480, later.FragmentOffset);
        Assert.False(later.MoreFragments);
        Assert.Equal(60, later.UpperLayer);

        var atomic = Walk(Packet(44, [.. FragmentHeader(6, 0, more: false, 7), .. Tcp]));
        Assert.False(atomic.IsFragment);
        Assert.Equal(48, atomic.UpperLayerOffset);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void MalformedOrHostileChains_AreRefusedWithTheirReason(string why, byte next, byte[] payload, Ipv6ChainError expected)
    {
        Assert.True(Ipv6Header.TryParse(Packet(next, payload), out var header), why);
        Assert.False(Ipv6ExtensionHeaders.TryWalk(header, out _, out var error), why);
        Assert.Equal(expected, error);
    }

    public static TheoryData<string, byte, byte[], Ipv6ChainError> Refused()
    {
        byte[] padOnly = [60, 0, 1, 4, 0, 0, 0, 0];
        var nine = new List<byte>();
        for (var i = 0; i < 9; i++)
        {
            nine.AddRange(new byte[] { (byte)(i == 8 ? 6 : 60), 0, 1, 4, 0, 0, 0, 0 });
        }

        return new()
        {
            { "routing header type 0 with segments left", 43, [6, 2, 0, 1, 0, 0, 0, 0, .. new byte[16], .. Tcp], Ipv6ChainError.RoutingHeader },
            { "segment routing with segments left", 43, [6, 2, 4, 1, 0, 0, 0, 0, .. new byte[16], .. Tcp], Ipv6ChainError.RoutingHeader },
            { "hop-by-hop after destination options", 60, [0, 0, 1, 4, 0, 0, 0, 0, .. padOnly], Ipv6ChainError.HopByHopNotFirst },
            { "nine extension headers", 60, [.. nine, .. Tcp], Ipv6ChainError.TooManyHeaders },
            { "unknown option marked discard (01)", 60, [6, 0, 0x41, 4, 0, 0, 0, 0, .. Tcp], Ipv6ChainError.BadOption },
            { "unknown option marked discard and report (11)", 0, [6, 0, 0xC3, 4, 0, 0, 0, 0, .. Tcp], Ipv6ChainError.BadOption },
            { "jumbo payload option", 0, [6, 0, 0xC2, 4, 0, 1, 0, 0, .. Tcp], Ipv6ChainError.BadOption },
            { "option TLV beyond its header", 60, [6, 0, 1, 9, 0, 0, 0, 0, .. Tcp], Ipv6ChainError.BadOption },
            { "extension header beyond the packet", 60, [6, 4, 1, 4, 0, 0, 0, 0], Ipv6ChainError.Truncated },
            { "first fragment without the TCP header", 44, [.. FragmentHeader(6, 0, more: true, 1), .. new byte[8]], Ipv6ChainError.IncompleteFirstFragment },
            { "first fragment ending inside an extension header", 44, [.. FragmentHeader(60, 0, more: true, 1), 6, 2, 1, 4, 0, 0, 0, 0], Ipv6ChainError.IncompleteFirstFragment },
            { "non-last fragment not a multiple of 8", 44, [.. FragmentHeader(6, 0, more: true, 1), .. Tcp, 1, 2, 3], Ipv6ChainError.BadFragment },
            { "fragment beyond 65,535 bytes", 44, [.. FragmentHeader(6, 65528, more: false, 1), .. new byte[16]], Ipv6ChainError.BadFragment },
        };
    }

    [Fact]
    public void TryParse_ChecksVersionAndPayloadLength_AndCutsOffPadding()
    {
        var packet = Packet(6, Tcp);
        Assert.True(Ipv6Header.TryParse([.. packet, 0, 0, 0, 0], out var header));
        Assert.Equal(packet.Length, header.Packet.Length);
        Assert.Equal(Tcp.Length, header.PayloadLength);

        var short1 = packet[..^1];
        Assert.False(Ipv6Header.TryParse(short1, out _));
        var version4 = packet.ToArray();
        version4[0] = 0x45;
        Assert.False(Ipv6Header.TryParse(version4, out _));
        Assert.False(Ipv6Header.TryParse(packet.AsSpan(0, 39), out _));
    }

    [Fact]
    public void RandomChains_NeverThrow_AndAnAcceptedChainStaysInsideThePacket()
    {
        var random = new Random(20261206);
        for (var i = 0; i < 20_000; i++)
        {
            var payload = new byte[random.Next(0, 200)];
            random.NextBytes(payload);

            // Bias the next-header bytes towards extension headers so that long chains are common.
            byte[] kinds = [0, 43, 44, 51, 60, 6, 17, 58, 59, 135];
            for (var j = 0; j < payload.Length; j += 8)
            {
                if (random.Next(2) == 0)
                {
                    payload[j] = kinds[random.Next(kinds.Length)];
                }
            }

            if (Ipv6Header.TryParse(Packet(kinds[random.Next(kinds.Length)], payload), out var header)
                && Ipv6ExtensionHeaders.TryWalk(header, out var chain, out var error))
            {
                Assert.Equal(Ipv6ChainError.None, error);
                Assert.InRange(chain.UpperLayerOffset, 40, header.Packet.Length);
            }
        }
    }

    private static byte[] FragmentHeader(byte next, int offset, bool more, uint identification)
    {
        var header = new byte[8];
        header[0] = next;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)(offset | (more ? 1 : 0)));
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), identification);
        return header;
    }

    private static byte[] Packet(byte next, byte[] payload)
    {
        var packet = new byte[40 + payload.Length];
        Ipv6Writer.WriteHeader(packet, payload.Length, next, 64, Ipv6Address.Parse("2001:db8::10"), Ipv6Address.Parse("2001:db8::100"));
        payload.CopyTo(packet.AsSpan(40));
        return packet;
    }

    private static byte[] TcpSegment()
    {
        var segment = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(segment, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), 80);
        segment[12] = 5 << 4;
        segment[13] = 0x02;
        return segment;
    }
}
