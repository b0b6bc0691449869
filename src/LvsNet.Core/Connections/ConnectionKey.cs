using System.Runtime.CompilerServices;
using LvsNet.Packets;

namespace LvsNet.Core.Connections;

/// <summary>The inbound key of a connection: protocol, client address and port, virtual address and port.</summary>
/// <param name="Protocol">The protocol.</param>
/// <param name="ClientAddress">The client's address.</param>
/// <param name="ClientPort">The client's port.</param>
/// <param name="VirtualAddress">The VIP.</param>
/// <param name="VirtualPort">The virtual port.</param>
public readonly record struct ConnectionKey(IpProtocol Protocol, uint ClientAddress, ushort ClientPort, uint VirtualAddress, ushort VirtualPort)
{
    /// <summary>
    /// The bucket hash. Like IPVS, only (protocol, client address, client port) are hashed, so a
    /// NAT reply (whose destination is the client) finds the same bucket.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Hash(IpProtocol protocol, uint clientAddress, ushort clientPort, uint seed)
    {
        // A multiply-xorshift mix (murmur3 finaliser) over the 48+8 bits; seeded per table so a
        // remote client cannot aim at one bucket.
        var h = clientAddress ^ seed;
        h ^= ((uint)clientPort << 16) | (uint)protocol;
        h ^= h >> 16;
        h *= 0x85EBCA6B;
        h ^= h >> 13;
        h *= 0xC2B2AE35;
        h ^= h >> 16;
        return h;
    }
}
