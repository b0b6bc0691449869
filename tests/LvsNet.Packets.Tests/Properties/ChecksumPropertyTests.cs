using System.Buffers.Binary;
using CsCheck;
using LvsNet.Packets.Checksums;
using Xunit;

namespace LvsNet.Packets.Tests.Properties;

/// <summary>
/// Properties of the Internet checksum (RFC 1071) and its incremental update (RFC 1624), checked
/// on generated data with shrinking; the reference sums are the naive <see cref="RefChecksum"/> and
/// PacketDotNet's, neither of which shares code with LvsNet's.
/// </summary>
public class ChecksumPropertyTests
{
    private const int Iterations = 2_000;

    // An even-length "header" of 2 to 64 words; the checksum field is word 0 of the generated index range.
    private static readonly Gen<byte[]> Words = Gen.Int[1, 32].SelectMany(n => Gen.Byte.Array[n * 2]);

    // A receiver sums everything, checksum included, and expects -0. The one exception: data that is all
    // zeros but for the checksum sums to +0, where equation 3 yields 0x0000 and only 0xFFFF verifies
    // (RFC 1624 section 5: no real IP or TCP header is all zeros).
    private static void AssertVerifies(byte[] data, int checksumOffset)
    {
        var rest = data.ToArray();
        rest[checksumOffset] = rest[checksumOffset + 1] = 0;
        if (rest.Any(b => b != 0))
        {
            Assert.Equal(0, InternetChecksum.Compute(data));
        }
    }

    private static bool SameOnesComplementValue(ushort a, ushort b) => a == b || (a is 0 or 0xFFFF && b is 0 or 0xFFFF);

    [Fact]
    public void Compute_EqualsTwoIndependentReferences()
    {
        Gen.Byte.Array[0, 200].Sample(data =>
        {
            var expected = (ushort)~RefChecksum.OnesComplementSum(data);
            Assert.Equal(expected, InternetChecksum.Compute(data));
            Assert.Equal(expected, (ushort)PacketDotNet.Utils.ChecksumUtils.OnesComplementSum(data, 0, data.Length));
        }, iter: Iterations);
    }

    [Fact]
    public void Compute_SplitAtAnyEvenOffset_SumsToTheSame()
    {
        Gen.Byte.Array[0, 200].SelectMany(data => Gen.Int[0, data.Length / 2].Select(half => (data, half * 2))).Sample((data, split) =>
        {
            var partial = InternetChecksum.Sum(data.AsSpan(0, split));
            Assert.Equal(InternetChecksum.Compute(data), InternetChecksum.Fold(InternetChecksum.Sum(data.AsSpan(split), partial)));
        }, iter: Iterations);
    }

    [Fact]
    public void Update16_EqualsFullRecompute_AndTheDataStillVerifies()
    {
        Words.SelectMany(data => Gen.Int[1, Math.Max(1, data.Length / 2 - 1)].Select(Gen.UShort, (word, value) => (data, word, value)))
            .Where(t => t.data.Length >= 4)
            .Sample((data, word, value) =>
            {
                // Word 0 holds the checksum over the whole buffer.
                BinaryPrimitives.WriteUInt16BigEndian(data, 0);
                BinaryPrimitives.WriteUInt16BigEndian(data, InternetChecksum.Compute(data));
                var old = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(word * 2));
                var updated = IncrementalChecksum.Update(BinaryPrimitives.ReadUInt16BigEndian(data), old, value);

                BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(word * 2), value);
                BinaryPrimitives.WriteUInt16BigEndian(data, 0);
                var full = InternetChecksum.Compute(data);

                // RFC 1624 section 3: equation 3 may give -0 (0xFFFF) where a recompute gives +0, and the reverse; both verify.
                Assert.True(SameOnesComplementValue(full, updated), $"incremental 0x{updated:x4}, full 0x{full:x4}");
                BinaryPrimitives.WriteUInt16BigEndian(data, updated);
                AssertVerifies(data, checksumOffset: 0);
            }, iter: Iterations);
    }

    [Fact]
    public void Update32_ForAnAddressChange_EqualsFullRecompute()
    {
        Gen.Byte.Array[20].Select(Gen.UInt, (header, address) => (header, address)).Sample((header, address) =>
        {
            // An IPv4-shaped header: checksum at bytes 10-11, destination address at 16-19.
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), 0);
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), InternetChecksum.Compute(header));
            var old = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(16));
            var updated = IncrementalChecksum.Update(BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(10)), old, address);

            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(16), address);
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), 0);
            var full = InternetChecksum.Compute(header);
            Assert.True(SameOnesComplementValue(full, updated), $"incremental 0x{updated:x4}, full 0x{full:x4}");
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), updated);
            AssertVerifies(header, checksumOffset: 10);
        }, iter: Iterations);
    }
}
