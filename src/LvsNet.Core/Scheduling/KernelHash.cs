using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using LvsNet.Core.Hashing;

namespace LvsNet.Core.Scheduling;

/// <summary>
/// The kernel hash functions the hashing schedulers use, bit-exact so that tables and bucket
/// choices match a Linux director's: <c>hash_32()</c> (include/linux/hash.h) and the 64-bit
/// <c>hsiphash()</c> (lib/siphash.c), which on 64-bit kernels is SipHash-1-3 with a 32-bit result.
/// </summary>
internal static class KernelHash
{
    /// <summary>GOLDEN_RATIO_32 of include/linux/hash.h.</summary>
    public const uint GoldenRatio32 = 0x61C88647;

    private const ulong SipConst0 = 0x736f6d6570736575UL;
    private const ulong SipConst1 = 0x646f72616e646f6dUL;
    private const ulong SipConst2 = 0x6c7967656e657261UL;
    private const ulong SipConst3 = 0x7465646279746573UL;

    /// <summary><c>hash_32(value, bits)</c>: the top <paramref name="bits"/> bits of <c>value * GOLDEN_RATIO_32</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Hash32(uint value, int bits) => unchecked(value * GoldenRatio32) >> (32 - bits);

    /// <summary>
    /// <c>hsiphash(&amp;v, sizeof(v), key)</c> for a 4-byte value on a little-endian 64-bit kernel:
    /// the value's bytes are read as a little-endian word, which is the value itself.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint HsipHash(uint value, ulong key0, ulong key1)
    {
        var v0 = SipConst0 ^ key0;
        var v1 = SipConst1 ^ key1;
        var v2 = SipConst2 ^ key0;
        var v3 = SipConst3 ^ key1;
        var b = (4UL << 56) | value;
        return Finish(ref v0, ref v1, ref v2, ref v3, b);
    }

    /// <summary>
    /// <c>hsiphash(data, len, key)</c> on a 64-bit kernel for any length (the reference the 4-byte
    /// fast path is tested against, and what lib/test_siphash.c's vectors check).
    /// </summary>
    public static uint HsipHash(ReadOnlySpan<byte> data, ulong key0, ulong key1)
    {
        var v0 = SipConst0 ^ key0;
        var v1 = SipConst1 ^ key1;
        var v2 = SipConst2 ^ key0;
        var v3 = SipConst3 ^ key1;
        var b = (ulong)data.Length << 56;
        var whole = data.Length & ~7;
        for (var i = 0; i < whole; i += 8)
        {
            var m = BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i));
            v3 ^= m;
            SipHash.Round(ref v0, ref v1, ref v2, ref v3);
            v0 ^= m;
        }

        for (var i = whole; i < data.Length; i++)
        {
            b |= (ulong)data[i] << (8 * (i - whole));
        }

        return Finish(ref v0, ref v1, ref v2, ref v3, b);
    }

    // HPOSTAMBLE on 64-bit: one compression round, then three finalisation rounds (SipHash-1-3).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Finish(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3, ulong b)
    {
        v3 ^= b;
        SipHash.Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= b;
        v2 ^= 0xff;
        SipHash.Round(ref v0, ref v1, ref v2, ref v3);
        SipHash.Round(ref v0, ref v1, ref v2, ref v3);
        SipHash.Round(ref v0, ref v1, ref v2, ref v3);
        return (uint)((v0 ^ v1) ^ (v2 ^ v3));
    }
}
