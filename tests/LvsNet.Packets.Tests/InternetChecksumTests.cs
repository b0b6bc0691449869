using LvsNet.Packets.Checksums;
using Xunit;

namespace LvsNet.Packets.Tests;

public class InternetChecksumTests
{
    /// <summary>RFC 1071 section 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2, so the checksum is 0x220d.</summary>
    [Fact]
    public void Compute_Rfc1071Example_Returns220D()
    {
        byte[] data = [0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7];

        Assert.Equal(0x220D, InternetChecksum.Compute(data));
        Assert.Equal(0x220D, RefChecksum.Compute(data));
        Assert.Equal(0xDDF2, (ushort)~InternetChecksum.Fold(InternetChecksum.Sum(data)));
    }

    [Fact]
    public void Compute_WellKnownIpv4Header_ReturnsStoredChecksum()
    {
        var header = FrameBuilder.Hex(GoldenFrames.Ipv4HeaderWithChecksumB861);
        Assert.Equal(0, InternetChecksum.Compute(header));

        header[10] = 0;
        header[11] = 0;

        Assert.Equal(0xB861, InternetChecksum.Compute(header));
    }

    [Theory]
    [InlineData(new byte[] { 0x01 }, 0xFEFF)]
    [InlineData(new byte[] { 0x01, 0x02, 0x03 }, 0xFBFD)]
    [InlineData(new byte[] { 0x01, 0x02, 0x03, 0x04, 0x05 }, 0xF6F9)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, 0xFEFF)]
    public void Compute_OddLength_PadsLastByteWithZero(byte[] data, int expected)
    {
        Assert.Equal(expected, InternetChecksum.Compute(data));
        Assert.Equal(expected, RefChecksum.Compute(data));
    }

    [Fact]
    public void Compute_Empty_ReturnsAllOnes()
    {
        Assert.Equal(0xFFFF, InternetChecksum.Compute([]));
    }

    [Theory]
    [InlineData(0x00, 2, 0xFFFF)]
    [InlineData(0xFF, 2, 0x0000)]
    [InlineData(0xFF, 4, 0x0000)]
    [InlineData(0xFF, 6, 0x0000)]
    [InlineData(0xFF, 65535, 0x00FF)]
    [InlineData(0xFF, 65536, 0x0000)]
    public void Compute_UniformData_MatchesOnesComplementArithmetic(byte value, int length, int expected)
    {
        var data = new byte[length];
        data.AsSpan().Fill(value);

        Assert.Equal(expected, InternetChecksum.Compute(data));
        Assert.Equal(expected, RefChecksum.Compute(data));
    }

    /// <summary>Every length 0..100 exercises the 4-byte loop, the 2-byte step and the odd byte in each combination.</summary>
    [Fact]
    public void Compute_RandomDataOfEveryLength_MatchesReference()
    {
        var random = new Random(1071);
        for (var length = 0; length <= 100; length++)
        {
            for (var round = 0; round < 50; round++)
            {
                var data = new byte[length];
                random.NextBytes(data);

                Assert.Equal(RefChecksum.Compute(data), InternetChecksum.Compute(data));
            }
        }
    }

    [Fact]
    public void Compute_LargeRandomData_MatchesReference()
    {
        var random = new Random(9000);
        var data = new byte[65535];
        random.NextBytes(data);

        Assert.Equal(RefChecksum.Compute(data), InternetChecksum.Compute(data));
    }

    [Fact]
    public void Compute_HeaderContainingItsCorrectChecksum_ReturnsZero()
    {
        var random = new Random(42);
        for (var i = 0; i < 2000; i++)
        {
            var header = new byte[20 + (4 * random.Next(11))];
            random.NextBytes(header);
            header[0] = (byte)(0x40 | (header.Length / 4));
            header[10] = 0;
            header[11] = 0;
            FrameBuilder.WriteUInt16(header, 10, RefChecksum.Compute(header));

            Assert.Equal(0, InternetChecksum.Compute(header));
        }
    }

    [Theory]
    [MemberData(nameof(GoldenIpHeaders))]
    public void Compute_GoldenHeaders_ReturnsZero(string hex, int ipOffset)
    {
        var frame = FrameBuilder.Hex(hex);

        Assert.Equal(0, InternetChecksum.Compute(frame.AsSpan(ipOffset, (frame[ipOffset] & 0x0F) * 4)));
    }

    public static TheoryData<string, int> GoldenIpHeaders() => new()
    {
        { GoldenFrames.LinuxSyn, 14 },
        { GoldenFrames.VlanDnsQuery, 18 },
        { GoldenFrames.IcmpEchoRequest, 14 },
        { GoldenFrames.Ipv4HeaderWithChecksumB861, 0 },
    };

    [Fact]
    public void Sum_SplitAtEvenOffsetWithInitial_EqualsWholeSum()
    {
        var random = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            var data = new byte[random.Next(0, 200)];
            random.NextBytes(data);
            var split = random.Next(0, (data.Length / 2) + 1) * 2;

            var partial = InternetChecksum.Sum(data.AsSpan(0, split));
            var whole = InternetChecksum.Sum(data.AsSpan(split), partial);

            Assert.Equal(InternetChecksum.Compute(data), InternetChecksum.Fold(whole));
        }
    }

    /// <summary>Fold must give the ones-complement value of any 64-bit sum: its residue mod 0xFFFF, with 0 written as 0xFFFF unless the sum is 0.</summary>
    [Fact]
    public void Fold_RandomSums_MatchesModularArithmetic()
    {
        var random = new Random(64);
        ulong[] corners =
        [
            0, 1, 0xFFFF, 0x1_0000, 0xFFFF_FFFF, 0x1_0000_0000, 0xFFFF_FFFF_FFFF, ulong.MaxValue, ulong.MaxValue - 1, 0x8000_0000_0000_0000,

            // Sums whose folding carries all the way: 0x1_0000 + 0xFFFF_FFFF folds to 0x1_0000_FFFF, then 0x1_FFFF, then 0x1_0000.
            0x0001_0000_FFFF_FFFF, 0xFFFF_FFFF_0000_FFFF, 0x0000_FFFF_FFFF_FFFF, 0x0001_FFFF_FFFF_FFFE,
        ];
        ushort[] chunks = [0x0000, 0x0001, 0xFFFE, 0xFFFF];
        ulong RandomSum() => random.Next(2) == 0
            ? (ulong)random.NextInt64() * 3
            : ((ulong)Chunk() << 48) | ((ulong)Chunk() << 32) | ((ulong)Chunk() << 16) | Chunk();
        ushort Chunk() => random.Next(3) == 0 ? (ushort)random.Next(0x10000) : chunks[random.Next(chunks.Length)];

        foreach (var sum in corners.Concat(Enumerable.Range(0, 20_000).Select(_ => RandomSum())))
        {
            Assert.Equal(ExpectedFold(sum), InternetChecksum.Fold(sum));
        }
    }

    [Fact]
    public void ComputeTransport_RandomSegments_MatchesReferencePseudoHeaderChecksum()
    {
        var random = new Random(793);
        IpProtocol[] protocols = [IpProtocol.Tcp, IpProtocol.Udp, IpProtocol.Sctp];
        for (var i = 0; i < 3000; i++)
        {
            var segment = new byte[random.Next(0, 120)];
            random.NextBytes(segment);
            var source = (uint)random.NextInt64(0, 1L << 32);
            var destination = (uint)random.NextInt64(0, 1L << 32);
            var protocol = protocols[random.Next(protocols.Length)];

            Assert.Equal(
                RefChecksum.Transport(source, destination, (byte)protocol, segment),
                TransportChecksum.Compute(source, destination, protocol, segment));
        }
    }

    [Fact]
    public void ComputeTransport_SegmentWithItsChecksum_ReturnsZero()
    {
        var frame = FrameBuilder.Hex(GoldenFrames.LinuxSyn);

        Assert.Equal(0, TransportChecksum.Compute(0x0A00_020F, 0x5DB8_D822, IpProtocol.Tcp, frame.AsSpan(34)));
    }

    [Fact]
    public void PseudoHeaderSum_Values_AddsAddressesProtocolAndLength()
    {
        var sum = TransportChecksum.PseudoHeaderSum(0xC0A8_0001, 0xC0A8_00C7, IpProtocol.Udp, 0x5F);

        // 0xc0a8 + 0x0001 + 0xc0a8 + 0x00c7 + 0x0011 + 0x005f, folded.
        Assert.Equal(RefChecksum.OnesComplementSum(FrameBuilder.Hex("c0a80001 c0a800c7 0011 005f")), (ushort)~InternetChecksum.Fold(sum));
    }

    private static ushort ExpectedFold(ulong sum)
    {
        if (sum == 0)
        {
            return 0xFFFF;
        }

        var residue = sum % 0xFFFF;
        return (ushort)~(residue == 0 ? 0xFFFFu : (uint)residue);
    }

    [Fact]
    public void VerifiesTwentyBytes_AgreesWithTheReferenceSum_OnGoldenAndRandomHeaders()
    {
        var golden = FrameBuilder.Hex(GoldenFrames.Ipv4HeaderWithChecksumB861);
        Assert.True(InternetChecksum.VerifiesTwentyBytes(golden));
        golden[10] ^= 0x01;
        Assert.False(InternetChecksum.VerifiesTwentyBytes(golden));

        // Random headers, half of them given a correct checksum by the independent reference;
        // the all-zero and all-ones headers are the ones-complement corner cases.
        var random = new Random(1071);
        var header = new byte[20];
        for (var i = 0; i < 20_000; i++)
        {
            random.NextBytes(header);
            if ((i & 1) == 0)
            {
                header[10] = header[11] = 0;
                var checksum = RefChecksum.Compute(header);
                header[10] = (byte)(checksum >> 8);
                header[11] = (byte)checksum;
            }

            Assert.Equal(RefChecksum.Compute(header) == 0, InternetChecksum.VerifiesTwentyBytes(header));
        }

        Assert.Equal(RefChecksum.Compute(new byte[20]) == 0, InternetChecksum.VerifiesTwentyBytes(new byte[20]));
        var ones = Enumerable.Repeat((byte)0xFF, 20).ToArray();
        Assert.Equal(RefChecksum.Compute(ones) == 0, InternetChecksum.VerifiesTwentyBytes(ones));
    }
}
