using LvsNet.Core.Connections;
using LvsNet.Core.Hashing;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Core.Tests.Hashing;

public class SipHashTests
{
    // The reference key of the SipHash paper and reference code: bytes 00 01 .. 0f.
    private static readonly SipHashKey ReferenceKey = new(0x0706050403020100UL, 0x0f0e0d0c0b0a0908UL);

    // SipHash-2-4 of the messages 00, 00 01, .., 00 .. 3e under the reference key (vectors.h of the
    // reference implementation, github.com/veorq/SipHash; the 64-bit outputs read little-endian).
    private static readonly ulong[] SipHash24Vectors =
    [
        0x726fdb47dd0e0e31, 0x74f839c593dc67fd, 0x0d6c8009d9a94f5a, 0x85676696d7fb7e2d,
        0xcf2794e0277187b7, 0x18765564cd99a68d, 0xcbc9466e58fee3ce, 0xab0200f58b01d137,
        0x93f5f5799a932462, 0x9e0082df0ba9e4b0, 0x7a5dbbc594ddb9f3, 0xf4b32f46226bada7,
        0x751e8fbc860ee5fb, 0x14ea5627c0843d90, 0xf723ca908e7af2ee, 0xa129ca6149be45e5,
        0x3f2acc7f57c29bdb, 0x699ae9f52cbe4794, 0x4bc1b3f0968dd39c, 0xbb6dc91da77961bd,
        0xbed65cf21aa2ee98, 0xd0f2cbb02e3b67c7, 0x93536795e3a33e88, 0xa80c038ccd5ccec8,
        0xb8ad50c6f649af94, 0xbce192de8a85b8ea, 0x17d835b85bbb15f3, 0x2f2e6163076bcfad,
        0xde4daaaca71dc9a5, 0xa6a2506687956571, 0xad87a3535c49ef28, 0x32d892fad841c342,
        0x7127512f72f27cce, 0xa7f32346f95978e3, 0x12e0b01abb051238, 0x15e034d40fa197ae,
        0x314dffbe0815a3b4, 0x027990f029623981, 0xcadcd4e59ef40c4d, 0x9abfd8766a33735c,
        0x0e3ea96b5304a7d0, 0xad0c42d6fc585992, 0x187306c89bc215a9, 0xd4a60abcf3792b95,
        0xf935451de4f21df2, 0xa9538f0419755787, 0xdb9acddff56ca510, 0xd06c98cd5c0975eb,
        0xe612a3cb9ecba951, 0xc766e62cfcadaf96, 0xee64435a9752fe72, 0xa192d576b245165a,
        0x0a8787bf8ecb74b2, 0x81b3e73d20b49b6f, 0x7fa8220ba3b2ecea, 0x245731c13ca42499,
        0xb78dbfaf3a8d83bd, 0xea1ad565322a1a0b, 0x60e61c23a3795013, 0x6606d7e446282b93,
        0x6ca4ecb15c5f91e1, 0x9f626da15c9625f3, 0xe51b38608ef25f57, 0x958a324ceb064572,
    ];


    private static byte[] Message(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)i)];

    [Fact]
    public void Hash24_MatchesReferenceVectors()
    {
        for (var length = 0; length < 64; length++)
        {
            Assert.Equal(SipHash24Vectors[length], SipHash.Hash24(Message(length), ReferenceKey));
        }
    }

    [Fact]
    public void Hash13_MatchesKernelHsiphashVectors()
    {
        for (var length = 0; length < 64; length++)
        {
            Assert.Equal(KernelTestVectors.HsipHash[length], (uint)SipHash.Hash13(Message(length), ReferenceKey));
        }
    }

    [Fact]
    public void Hash13_ShortFastPath_EqualsByteForm()
    {
        var random = new Random(7);
        var bytes = new byte[8];
        for (var i = 0; i < 10_000; i++)
        {
            var key = new SipHashKey((ulong)random.NextInt64(), (ulong)random.NextInt64());
            var length = i % 8;
            random.NextBytes(bytes);
            Array.Clear(bytes, length, 8 - length);
            var packed = BitConverter.ToUInt64(bytes);
            Assert.Equal(SipHash.Hash13(bytes.AsSpan(0, length), key), SipHash.Hash13(packed, length, key));
        }
    }

    [Fact]
    public void Hash13_OfAddress_IsTheFourBytesLittleEndian()
    {
        var key = new SipHashKey(0x0123456789abcdefUL, 0xfedcba9876543210UL);
        Assert.Equal(SipHash.Hash13([0x64, 0x00, 0x4d, 0x0a], key), SipHash.Hash13(0x0A4D0064u, key));
    }

    [Fact]
    public void ConnectionKeyHash_IsSipHash13OfAddressPortProtocol()
    {
        var key = new SipHashKey(11, 22);
        byte[] message = [0x0a, 0x00, 0x4d, 0x0a, 0x39, 0x30, (byte)IpProtocol.Tcp];
        Assert.Equal((uint)SipHash.Hash13(message, key), ConnectionKey.Hash(IpProtocol.Tcp, 0x0A4D000A, 12345, key));
    }

    [Fact]
    public void Keys_Differ_AndChangeTheHash()
    {
        Assert.NotEqual(SipHashKey.Random(), SipHashKey.Random());
        Assert.NotEqual(SipHashKey.FromSeed(1), SipHashKey.FromSeed(2));
        Assert.NotEqual(SipHash.Hash13(1u, SipHashKey.FromSeed(1)), SipHash.Hash13(1u, SipHashKey.FromSeed(2)));
        Assert.Equal(SipHashKey.Process, SipHashKey.Process);
    }

    [Fact]
    public void FastPaths_AllocateNothing()
    {
        // The first round warms up (tiered compilation may allocate on this thread); the second is measured.
        var key = SipHashKey.Process;
        Assert.NotEqual(0UL, HashMany(key));
        var before = AllocationMeter.Start();
        var sink = HashMany(key);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEqual(0UL, sink);
    }

    private static ulong HashMany(SipHashKey key)
    {
        ulong sink = 0;
        for (var i = 0; i < 100_000; i++)
        {
            sink += SipHash.Hash13((uint)i, key) + ConnectionKey.Hash(IpProtocol.Tcp, (uint)i, (ushort)i, key) + (ulong)KeyedAddressComparer.Process.GetHashCode((uint)i);
        }

        return sink;
    }
}
