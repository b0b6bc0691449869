using LvsNet.Packets.Writing;
using Xunit;

namespace LvsNet.Packets.Tests;

public class Ipv4WriterTests
{
    [Fact]
    public void DecrementTtl_Ttl64_Becomes63WithValidChecksum()
    {
        var frame = new FrameBuilder { Ttl = 64 }.Tcp(40000, 80, payload: [1, 2, 3]);
        var before = (byte[])frame.Clone();

        Assert.True(Ipv4Writer.DecrementTtl(frame.AsSpan(14)));

        Assert.Equal(63, frame[14 + 8]);
        Assert.True(RefChecksum.IsIpHeaderValid(frame.AsSpan(14)));
        Assert.True(RefChecksum.IsTransportValid(frame.AsSpan(14)));
        AssertOnlyChanged(before, frame, 14 + 8, 14 + 10, 14 + 11);
    }

    [Fact]
    public void DecrementTtl_GoldenLinuxSyn_MatchesFullRecomputation()
    {
        var frame = FrameBuilder.Hex(GoldenFrames.LinuxSyn);

        Assert.True(Ipv4Writer.DecrementTtl(frame.AsSpan(14)));

        // TTL 64 → 63 lowers the TTL/protocol word by 0x0100, so the checksum rises by 0x0100: 0xdc8c → 0xdd8c.
        Assert.Equal(0xDD8C, RefChecksum.ReadUInt16(frame.AsSpan(24)));
        Assert.True(RefChecksum.IsIpHeaderValid(frame.AsSpan(14)));
    }

    [Theory]
    [InlineData((byte)1)]
    [InlineData((byte)0)]
    public void DecrementTtl_TtlOneOrZero_ReturnsFalseAndLeavesPacketUnchanged(byte ttl)
    {
        var frame = new FrameBuilder { Ttl = ttl }.Udp(1, 2, [7]);
        var before = (byte[])frame.Clone();

        Assert.False(Ipv4Writer.DecrementTtl(frame.AsSpan(14)));

        Assert.Equal(before, frame);
    }

    [Fact]
    public void DecrementTtl_WithOptions_KeepsChecksumValid()
    {
        var frame = new FrameBuilder { IpOptions = FrameBuilder.RouterAlertOptions, Ttl = 2 }.Udp(1, 2);

        Assert.True(Ipv4Writer.DecrementTtl(frame.AsSpan(14)));

        Assert.Equal(1, frame[14 + 8]);
        Assert.True(RefChecksum.IsIpHeaderValid(frame.AsSpan(14)));
        Assert.False(Ipv4Writer.DecrementTtl(frame.AsSpan(14)));
    }

    [Fact]
    public void DecrementTtl_RandomHeaders_EqualsFullRecomputation()
    {
        var random = new Random(255);
        for (var i = 0; i < 5000; i++)
        {
            var builder = new FrameBuilder
            {
                Ttl = (byte)random.Next(2, 256),
                TypeOfService = (byte)random.Next(256),
                Identification = (ushort)random.Next(0x10000),
                FlagsAndFragmentOffset = (ushort)random.Next(0x10000),
                Source = (uint)random.NextInt64(0, 1L << 32),
                Destination = (uint)random.NextInt64(0, 1L << 32),
            };
            var frame = builder.Ipv4((byte)random.Next(256), new byte[random.Next(0, 8)]);
            var expected = (byte[])frame.Clone();
            expected[14 + 8]--;
            expected[14 + 10] = 0;
            expected[14 + 11] = 0;
            FrameBuilder.WriteUInt16(expected, 14 + 10, RefChecksum.Compute(expected.AsSpan(14, 20)));

            Assert.True(Ipv4Writer.DecrementTtl(frame.AsSpan(14)));

            Assert.Equal(expected, frame);
        }
    }

    [Fact]
    public void DecrementTtl_FullLoopFrom255_ChecksumValidAtEveryStep()
    {
        var frame = new FrameBuilder { Ttl = 255 }.Tcp(1, 2);
        for (var expectedTtl = 254; expectedTtl >= 1; expectedTtl--)
        {
            Assert.True(Ipv4Writer.DecrementTtl(frame.AsSpan(14)));
            Assert.Equal(expectedTtl, frame[14 + 8]);
            Assert.True(RefChecksum.IsIpHeaderValid(frame.AsSpan(14)));
        }

        Assert.False(Ipv4Writer.DecrementTtl(frame.AsSpan(14)));
    }

    [Fact]
    public void WriteHeader_Fields_WritesParsableHeaderWithValidChecksum()
    {
        var buffer = new byte[64];
        buffer.AsSpan().Fill(0xCC);

        var written = Ipv4Writer.WriteHeader(buffer, 0x10, 64, 0xABCD, Ipv4Header.DontFragmentFlag, 17, IpProtocol.Udp, 0xC0A8_0101, 0x0808_0808);

        Assert.Equal(20, written);
        Assert.Equal(
            FrameBuilder.Hex("4510 0040 abcd 4000 1111 0000 c0a80101 08080808").AsSpan(0, 10).ToArray(),
            buffer.AsSpan(0, 10).ToArray());
        Assert.Equal(0, RefChecksum.Compute(buffer.AsSpan(0, 20)));
        Assert.Equal(0xCC, buffer[20]);
        Assert.True(Ipv4Header.TryParse(buffer, out var ip));
        Assert.Equal(64, ip.TotalLength);
        Assert.Equal(0xC0A8_0101u, ip.Source);
        Assert.Equal(0x0808_0808u, ip.Destination);
        Assert.Equal(IpProtocol.Udp, ip.Protocol);
        Assert.Equal(17, ip.Ttl);
        Assert.True(ip.DontFragment);
    }

    [Fact]
    public void WriteHeader_WellKnownExample_ProducesChecksumB861()
    {
        var buffer = new byte[20];

        Ipv4Writer.WriteHeader(buffer, 0, 0x73, 0, Ipv4Header.DontFragmentFlag, 64, IpProtocol.Udp, 0xC0A8_0001, 0xC0A8_00C7);

        Assert.Equal(FrameBuilder.Hex(GoldenFrames.Ipv4HeaderWithChecksumB861), buffer);
    }

    [Theory]
    [InlineData(65536)]
    [InlineData(-1)]
    public void WriteHeader_TotalLengthOutOfRange_Throws(int totalLength)
    {
        var buffer = new byte[20];

        Assert.Throws<OverflowException>(() => Ipv4Writer.WriteHeader(buffer, 0, totalLength, 0, 0, 64, IpProtocol.Tcp, 1, 2));
    }

    [Fact]
    public void UpdateChecksum_HeaderWithOptions_CoversTheWholeHeader()
    {
        var frame = new FrameBuilder { IpOptions = FrameBuilder.RouterAlertOptions }.Udp(1, 2);
        frame[14 + 20 + 2] = 0x55;
        frame[14 + 10] = 0x12;

        Ipv4Writer.UpdateChecksum(frame.AsSpan(14, 28));

        Assert.True(RefChecksum.IsIpHeaderValid(frame.AsSpan(14)));
    }

    private static void AssertOnlyChanged(byte[] before, byte[] after, params int[] offsets)
    {
        Assert.Equal(before.Length, after.Length);
        for (var i = 0; i < before.Length; i++)
        {
            if (!offsets.Contains(i))
            {
                Assert.True(before[i] == after[i], $"Byte {i} changed from 0x{before[i]:x2} to 0x{after[i]:x2}.");
            }
        }
    }
}
