using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace LvsNet.Core.Hashing;

/// <summary>
/// SipHash (Aumasson and Bernstein, 2012), the keyed PRF the tables whose keys an attacker chooses
/// hash with. The data path uses SipHash-1-3 (one compression round per 8-byte word, three
/// finalisation rounds), the variant Linux's <c>hsiphash()</c> and Rust's <c>HashMap</c> use for
/// hash tables; SipHash-2-4 is here as the reference that the published test vectors check.
/// </summary>
/// <remarks>
/// Why a PRF and not a seeded mix: a seed XORed into the key before a bijective mixer leaves every
/// pair of keys that are equal after the XOR colliding for every seed (<c>a ^ (p &lt;&lt; 16)</c> in
/// the old connection hash). Under a secret 128-bit key, SipHash outputs of distinct inputs look
/// independent, so a remote sender cannot aim many keys at one bucket.
/// The short fast paths hash messages of up to 7 bytes held in one <see cref="ulong"/>
/// (little-endian: byte i in bits 8i..8i+7): one compression round and three finalisation rounds,
/// no memory access and no allocation.
/// </remarks>
public static class SipHash
{
    private const ulong C0 = 0x736f6d6570736575UL;
    private const ulong C1 = 0x646f72616e646f6dUL;
    private const ulong C2 = 0x6c7967656e657261UL;
    private const ulong C3 = 0x7465646279746573UL;

    /// <summary>SipHash-1-3 of a message of <paramref name="length"/> (0–7) bytes packed little-endian into <paramref name="message"/>.</summary>
    /// <remarks>Bits of <paramref name="message"/> above byte <paramref name="length"/> − 1 must be zero.</remarks>
    /// <remarks>
    /// Not inlined on purpose: inlined into a large caller (the NAT reply lookup) the JIT ran out of
    /// inlining budget for <see cref="Round"/>, left its four state words on the stack and took
    /// about 40 ns; as a call of its own it keeps them in registers for the cost of a call.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static ulong Hash13(ulong message, int length, in SipHashKey key)
    {
        var v0 = C0 ^ key.K0;
        var v1 = C1 ^ key.K1;
        var v2 = C2 ^ key.K0;
        var v3 = C3 ^ key.K1;

        // The last (here the only) block: the tail bytes and the length in the top byte.
        var b = ((ulong)length << 56) | message;
        v3 ^= b;
        Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= b;
        v2 ^= 0xff;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        return v0 ^ v1 ^ v2 ^ v3;
    }

    /// <summary>SipHash-1-3 of the four little-endian bytes of <paramref name="value"/> (an IPv4 address as the data path holds it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash13(uint value, in SipHashKey key) => Hash13(value, 4, key);

    /// <summary>SipHash-1-3 of any message.</summary>
    public static ulong Hash13(ReadOnlySpan<byte> data, in SipHashKey key) => Hash(data, key, 1, 3);

    /// <summary>SipHash-2-4 of any message (the original definition, as in the paper and the reference code).</summary>
    public static ulong Hash24(ReadOnlySpan<byte> data, in SipHashKey key) => Hash(data, key, 2, 4);

    /// <summary>SipHash-c-d over a whole message: the byte-oriented reference the fast paths are tested against.</summary>
    private static ulong Hash(ReadOnlySpan<byte> data, in SipHashKey key, int compressionRounds, int finalizationRounds)
    {
        var v0 = C0 ^ key.K0;
        var v1 = C1 ^ key.K1;
        var v2 = C2 ^ key.K0;
        var v3 = C3 ^ key.K1;
        var whole = data.Length & ~7;
        for (var i = 0; i < whole; i += 8)
        {
            var m = BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i, 8));
            v3 ^= m;
            for (var r = 0; r < compressionRounds; r++)
            {
                Round(ref v0, ref v1, ref v2, ref v3);
            }

            v0 ^= m;
        }

        var b = (ulong)(data.Length & 0xff) << 56;
        for (var i = whole; i < data.Length; i++)
        {
            b |= (ulong)data[i] << (8 * (i - whole));
        }

        v3 ^= b;
        for (var r = 0; r < compressionRounds; r++)
        {
            Round(ref v0, ref v1, ref v2, ref v3);
        }

        v0 ^= b;
        v2 ^= 0xff;
        for (var r = 0; r < finalizationRounds; r++)
        {
            Round(ref v0, ref v1, ref v2, ref v3);
        }

        return v0 ^ v1 ^ v2 ^ v3;
    }

    // SipRound of the paper (the kernel's SIPHASH_PERMUTATION, which KernelHash reuses for hsiphash).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        v0 += v1;
        v1 = BitOperations.RotateLeft(v1, 13);
        v1 ^= v0;
        v0 = BitOperations.RotateLeft(v0, 32);
        v2 += v3;
        v3 = BitOperations.RotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = BitOperations.RotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = BitOperations.RotateLeft(v1, 17);
        v1 ^= v2;
        v2 = BitOperations.RotateLeft(v2, 32);
    }
}
