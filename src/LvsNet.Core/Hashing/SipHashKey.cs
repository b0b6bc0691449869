using System.Buffers.Binary;
using System.Security.Cryptography;

namespace LvsNet.Core.Hashing;

/// <summary>A 128-bit SipHash key, as the two little-endian 64-bit words of the 16 key bytes.</summary>
/// <param name="K0">Key bytes 0–7.</param>
/// <param name="K1">Key bytes 8–15.</param>
public readonly record struct SipHashKey(ulong K0, ulong K1)
{
    /// <summary>
    /// The key of this process, drawn once from the operating system's random source at first use.
    /// Every table whose keys a remote peer chooses hashes with it, so nobody outside the process
    /// can predict which keys share a bucket.
    /// </summary>
    public static SipHashKey Process { get; } = Random();

    /// <summary>A fresh key from the operating system's random source.</summary>
    public static SipHashKey Random()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return new SipHashKey(BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]));
    }

    /// <summary>A key derived from a number (tests and benchmarks that want repeatable bucket layouts).</summary>
    public static SipHashKey FromSeed(ulong seed) =>
        new(seed ^ 0x9E3779B97F4A7C15UL, (seed * 0xBF58476D1CE4E5B9UL) ^ 0x94D049BB133111EBUL);
}
