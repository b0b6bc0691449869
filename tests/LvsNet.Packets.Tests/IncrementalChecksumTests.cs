using LvsNet.Packets.Checksums;
using Xunit;

namespace LvsNet.Packets.Tests;

public class IncrementalChecksumTests
{
    private const int Rounds = 20_000;

    private static readonly ushort[] CornerWords = [0x0000, 0xFFFF, 0x0001, 0xFFFE, 0x8000, 0x7FFF];

    private static readonly uint[] CornerAddresses = [0x0000_0000, 0xFFFF_FFFF, 0xFFFF_0000, 0x0000_FFFF, 0x0000_0001, 0xFFFF_FFFE, 0x8000_0000];

    /// <summary>RFC 1624 section 4: HC 0xDD2F, m 0x5555 → m' 0x3285; equation 3 gives 0x0000 (equation 2 would give 0xFFFF).</summary>
    [Fact]
    public void Update_Rfc1624Example_ReturnsZeroNotNegativeZero()
    {
        Assert.Equal(0x0000, IncrementalChecksum.Update((ushort)0xDD2F, (ushort)0x5555, (ushort)0x3285));
    }

    [Fact]
    public void Update_SameValue_ReturnsSameChecksum()
    {
        foreach (var checksum in new ushort[] { 0x0000, 0x0001, 0x1234, 0xFFFE })
        {
            foreach (var value in CornerWords)
            {
                Assert.Equal(checksum, IncrementalChecksum.Update(checksum, value, value));
                Assert.Equal(checksum, IncrementalChecksum.Update(checksum, (uint)value * 0x10001, (uint)value * 0x10001));
            }
        }
    }

    /// <summary>0x0000 and 0xFFFF are both zero in ones-complement arithmetic: swapping one for the other changes nothing.</summary>
    [Theory]
    [InlineData((ushort)0x0000, (ushort)0xFFFF)]
    [InlineData((ushort)0xFFFF, (ushort)0x0000)]
    public void Update_OnesComplementZeroSwapped_ReturnsSameChecksum(ushort oldValue, ushort newValue)
    {
        Assert.Equal(0x1234, IncrementalChecksum.Update((ushort)0x1234, oldValue, newValue));
        Assert.Equal(0x0000, IncrementalChecksum.Update((ushort)0x0000, oldValue, newValue));
    }

    /// <summary>Thousands of seeded random headers, one 16-bit word changed (often to a corner value or to the value that makes the checksum 0x0000): incremental equals full.</summary>
    [Fact]
    public void Update16_RandomHeadersAndChanges_EqualsFullRecomputation()
    {
        var random = new Random(16);
        for (var i = 0; i < Rounds; i++)
        {
            var header = RandomHeader(random, forceZeroChecksum: random.Next(8) == 0);
            var offset = RandomWordOffset(random);
            var oldValue = RefChecksum.ReadUInt16(header.AsSpan(offset));
            var newValue = random.Next(4) switch
            {
                0 => CornerWords[random.Next(CornerWords.Length)],
                1 => ValueGivingZeroChecksum(header, offset),
                _ => (ushort)random.Next(0x10000),
            };
            var oldChecksum = RefChecksum.ReadUInt16(header.AsSpan(10));

            FrameBuilder.WriteUInt16(header, offset, newValue);
            var updated = IncrementalChecksum.Update(oldChecksum, oldValue, newValue);

            Assert.Equal(FullChecksum(header), updated);
        }
    }

    [Fact]
    public void Update32_RandomHeadersAndChanges_EqualsFullRecomputation()
    {
        var random = new Random(32);
        for (var i = 0; i < Rounds; i++)
        {
            var header = RandomHeader(random, forceZeroChecksum: random.Next(8) == 0);
            var offset = random.Next(2) == 0 ? 12 : 16;
            var oldValue = RefChecksum.ReadUInt32(header.AsSpan(offset));
            var newValue = random.Next(3) switch
            {
                0 => CornerAddresses[random.Next(CornerAddresses.Length)],
                1 => ((uint)ValueGivingZeroChecksum(header, offset) << 16) | RefChecksum.ReadUInt16(header.AsSpan(offset + 2)),
                _ => (uint)random.NextInt64(0, 1L << 32),
            };
            var oldChecksum = RefChecksum.ReadUInt16(header.AsSpan(10));

            FrameBuilder.WriteUInt32(header, offset, newValue);
            var updated = IncrementalChecksum.Update(oldChecksum, oldValue, newValue);

            Assert.Equal(FullChecksum(header), updated);
        }
    }

    /// <summary>Chained updates (as NAT does: address, then port) stay equal to a full recomputation.</summary>
    [Fact]
    public void Update_ChainedAddressAndPortChanges_EqualsFullRecomputation()
    {
        var random = new Random(1624);
        for (var i = 0; i < Rounds / 4; i++)
        {
            var header = RandomHeader(random, forceZeroChecksum: random.Next(4) == 0);
            var checksum = RefChecksum.ReadUInt16(header.AsSpan(10));
            for (var step = 0; step < 4; step++)
            {
                if (random.Next(2) == 0)
                {
                    var offset = random.Next(2) == 0 ? 12 : 16;
                    var oldValue = RefChecksum.ReadUInt32(header.AsSpan(offset));
                    var newValue = random.Next(3) == 0 ? CornerAddresses[random.Next(CornerAddresses.Length)] : (uint)random.NextInt64(0, 1L << 32);
                    FrameBuilder.WriteUInt32(header, offset, newValue);
                    checksum = IncrementalChecksum.Update(checksum, oldValue, newValue);
                }
                else
                {
                    var offset = RandomWordOffset(random);
                    var oldValue = RefChecksum.ReadUInt16(header.AsSpan(offset));
                    var newValue = random.Next(3) == 0 ? ValueGivingZeroChecksum(header, offset) : (ushort)random.Next(0x10000);
                    FrameBuilder.WriteUInt16(header, offset, newValue);
                    checksum = IncrementalChecksum.Update(checksum, oldValue, newValue);
                }

                Assert.Equal(FullChecksum(header), checksum);
            }
        }
    }

    /// <summary>
    /// A UDP checksum that computed to 0 travels as 0xFFFF (RFC 768). Updating from that form must still give
    /// a checksum that verifies (it may come out as 0x0000, the other zero, which NAT then sends as 0xFFFF).
    /// </summary>
    [Fact]
    public void Update_FromNegativeZeroChecksum_StillVerifies()
    {
        var random = new Random(768);
        for (var i = 0; i < 2000; i++)
        {
            var header = RandomHeader(random, forceZeroChecksum: true);
            FrameBuilder.WriteUInt16(header, 10, 0xFFFF);
            Assert.Equal(0, RefChecksum.Compute(header));

            var offset = RandomWordOffset(random);
            var oldValue = RefChecksum.ReadUInt16(header.AsSpan(offset));
            var newValue = random.Next(2) == 0 ? oldValue : (ushort)random.Next(0x10000);
            FrameBuilder.WriteUInt16(header, offset, newValue);
            var updated = IncrementalChecksum.Update((ushort)0xFFFF, oldValue, newValue);
            FrameBuilder.WriteUInt16(header, 10, updated);

            Assert.Equal(0, RefChecksum.Compute(header));
        }
    }

    /// <summary>A random 20-byte IPv4 header (first byte 0x45, so never all zero) carrying its correct checksum.</summary>
    private static byte[] RandomHeader(Random random, bool forceZeroChecksum)
    {
        var header = new byte[20];
        random.NextBytes(header);
        header[0] = 0x45;
        if (forceZeroChecksum)
        {
            // Choose the identification so that the other words sum to 0xFFFF: the checksum is then 0x0000.
            FrameBuilder.WriteUInt16(header, 4, ValueGivingZeroChecksum(header, 4));
        }

        FrameBuilder.WriteUInt16(header, 10, FullChecksum(header));
        return header;
    }

    /// <summary>A random word offset other than the version/IHL word and the checksum.</summary>
    private static int RandomWordOffset(Random random)
    {
        int[] offsets = [2, 4, 6, 8, 12, 14, 16, 18];
        return offsets[random.Next(offsets.Length)];
    }

    /// <summary>The checksum of <paramref name="header"/> computed from scratch (checksum field taken as zero).</summary>
    private static ushort FullChecksum(byte[] header)
    {
        var copy = (byte[])header.Clone();
        copy[10] = 0;
        copy[11] = 0;
        return RefChecksum.Compute(copy);
    }

    /// <summary>The value of the word at <paramref name="offset"/> that makes the full checksum come out 0x0000.</summary>
    private static ushort ValueGivingZeroChecksum(byte[] header, int offset)
    {
        var copy = (byte[])header.Clone();
        copy[10] = 0;
        copy[11] = 0;
        copy[offset] = 0;
        copy[offset + 1] = 0;
        return (ushort)~RefChecksum.OnesComplementSum(copy);
    }
}
