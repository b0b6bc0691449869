using System.Runtime.CompilerServices;
using LvsNet.Core.Hashing;
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
    /// <remarks>
    /// SipHash-1-3 under <paramref name="key"/> of the 7 bytes address, port, protocol: the client
    /// chooses all three (a spoofed source), so the hash must be a keyed PRF, not a seeded mix.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Hash(IpProtocol protocol, uint clientAddress, ushort clientPort, in SipHashKey key) =>
        (uint)SipHash.Hash13(clientAddress | ((ulong)clientPort << 32) | ((ulong)protocol << 48), 7, key);

    /// <summary>The bucket hash under the process key (<see cref="SipHashKey.Process"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Hash(IpProtocol protocol, uint clientAddress, ushort clientPort) =>
        Hash(protocol, clientAddress, clientPort, SipHashKey.Process);
}
