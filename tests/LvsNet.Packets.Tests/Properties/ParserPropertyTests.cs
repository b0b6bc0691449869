using System.Buffers.Binary;
using CsCheck;
using Xunit;

namespace LvsNet.Packets.Tests.Properties;

/// <summary>
/// Parsers on arbitrary bytes: they never throw, and when they accept, every field they report is the
/// one RFC 791/793/768/826 and IEEE 802.3 place at that offset (read here directly from the bytes),
/// and every view lies inside the input. Shrinking reduces a failure to a minimal byte string.
/// </summary>
public class ParserPropertyTests
{
    private const int Iterations = 3_000;

    [Fact]
    public void EveryParser_OnArbitraryBytes_NeverThrowsAndStaysInside()
    {
        Gen.Byte.Array[0, 128].Sample(bytes => { ParserProbe.ProbeAll(bytes); }, iter: Iterations);
    }

    // Bytes that start like an IPv4 header (version 4, random IHL and total length) so that the
    // acceptance checks, not the version check, decide.
    private static readonly Gen<byte[]> Ipv4Like = Gen.Byte.Array[20, 100].SelectMany(bytes => Gen.Int[0, 15].Select(Gen.Int[0, 120], (ihl, total) =>
    {
        bytes[0] = (byte)(0x40 | ihl);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)total);
        return bytes;
    }));

    [Fact]
    public void Ipv4_AcceptsExactlyTheConsistentHeaders_AndReadsRfc791Offsets()
    {
        Ipv4Like.Sample(bytes =>
        {
            var ihl = (bytes[0] & 0x0F) * 4;
            int total = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(2));
            var consistent = ihl >= 20 && total >= ihl && total <= bytes.Length;
            Assert.Equal(consistent, Ipv4Header.TryParse(bytes, out var ip));
            if (!consistent)
            {
                return;
            }

            Assert.Equal(ihl, ip.HeaderLength);
            Assert.Equal(total, ip.TotalLength);
            Assert.Equal(bytes[1], ip.TypeOfService);
            Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(4)), ip.Identification);
            Assert.Equal((bytes[6] & 0x40) != 0, ip.DontFragment);
            Assert.Equal(bytes[8], ip.Ttl);
            Assert.Equal(bytes[9], (byte)ip.Protocol);
            Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(12)), ip.Source);
            Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(16)), ip.Destination);
            Assert.Equal(bytes.AsSpan(ihl, total - ihl).ToArray(), ip.Payload.ToArray());
            Assert.Equal(RefChecksum.OnesComplementSum(bytes.AsSpan(0, ihl)) == 0xFFFF, ip.IsChecksumValid);
        }, iter: Iterations);
    }

    [Fact]
    public void Tcp_AcceptsExactlyTheConsistentHeaders_AndReadsRfc793Offsets()
    {
        Gen.Byte.Array[0, 80].Sample(bytes =>
        {
            var dataOffset = bytes.Length >= 20 ? (bytes[12] >> 4) * 4 : 0;
            var consistent = bytes.Length >= 20 && dataOffset >= 20 && dataOffset <= bytes.Length;
            Assert.Equal(consistent, TcpHeader.TryParse(bytes, out var tcp));
            if (!consistent)
            {
                return;
            }

            Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(bytes), tcp.SourcePort);
            Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(2)), tcp.DestinationPort);
            Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4)), tcp.SequenceNumber);
            Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8)), tcp.AcknowledgmentNumber);
            Assert.Equal(bytes[13], (byte)tcp.Flags);
            Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(14)), tcp.Window);
            Assert.Equal(bytes.AsSpan(20, dataOffset - 20).ToArray(), tcp.Options.ToArray());
            Assert.Equal(bytes.AsSpan(dataOffset).ToArray(), tcp.Payload.ToArray());
        }, iter: Iterations);
    }

    [Fact]
    public void Udp_AcceptsExactlyTheConsistentLengths_AndReadsRfc768Offsets()
    {
        Gen.Byte.Array[0, 40].Select(Gen.Int[0, 48], (bytes, length) => (bytes, length)).Sample((bytes, length) =>
        {
            if (bytes.Length >= 6)
            {
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(4), (ushort)length);
            }

            var consistent = bytes.Length >= 8 && length >= 8 && length <= bytes.Length;
            Assert.Equal(consistent, UdpHeader.TryParse(bytes, out var udp));
            if (consistent)
            {
                Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(bytes), udp.SourcePort);
                Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(2)), udp.DestinationPort);
                Assert.Equal(length, udp.DatagramLength);
                Assert.Equal(bytes.AsSpan(8, length - 8).ToArray(), udp.Payload.ToArray());
            }
        }, iter: Iterations);
    }

    [Fact]
    public void Ethernet_ReadsIeee8023Offsets_WithAndWithoutAVlanTag()
    {
        Gen.Byte.Array[0, 40].Select(Gen.Bool, (bytes, tagged) => (bytes, tagged)).Sample((bytes, tagged) =>
        {
            if (tagged && bytes.Length >= 14)
            {
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(12), 0x8100);
            }

            var isTagged = bytes.Length >= 14 && BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(12)) == 0x8100;
            var accepted = EthernetHeader.TryParse(bytes, out var ethernet);
            Assert.Equal(bytes.Length >= (isTagged ? 18 : 14), accepted);
            if (!accepted)
            {
                return;
            }

            Assert.Equal(BinaryPrimitives.ReadUInt64BigEndian([0, 0, .. bytes.AsSpan(0, 6)]), ethernet.Destination.Value);
            Assert.Equal(BinaryPrimitives.ReadUInt64BigEndian([0, 0, .. bytes.AsSpan(6, 6)]), ethernet.Source.Value);
            Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(isTagged ? 16 : 12)), (ushort)ethernet.EtherType);
            Assert.Equal(bytes.Length - (isTagged ? 18 : 14), ethernet.Payload.Length);
        }, iter: Iterations);
    }
}
