using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using LvsNet.Core.Hashing;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.Connections;

/// <summary>The inbound key of an IPv6 connection: protocol, client address and port, VIP and port.</summary>
/// <param name="Protocol">The protocol.</param>
/// <param name="ClientAddress">The client's address.</param>
/// <param name="ClientPort">The client's port.</param>
/// <param name="VirtualAddress">The VIP.</param>
/// <param name="VirtualPort">The virtual port.</param>
public readonly record struct Ipv6ConnectionKey(IpProtocol Protocol, Ipv6Address ClientAddress, ushort ClientPort, Ipv6Address VirtualAddress, ushort VirtualPort)
{
    /// <summary>
    /// The bucket hash: SipHash-1-3 under <paramref name="key"/> of (client address, client port,
    /// protocol), as the IPv4 key hashes its 7 bytes. The client chooses all of it, so a keyed PRF
    /// it is, never a fold: the XOR of the four address words is trivial to aim at one bucket.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Hash(IpProtocol protocol, Ipv6Address clientAddress, ushort clientPort, in SipHashKey key)
    {
        Span<byte> message = stackalloc byte[19];
        BinaryPrimitives.WriteUInt128LittleEndian(message, clientAddress.Value);
        BinaryPrimitives.WriteUInt16LittleEndian(message.Slice(16), clientPort);
        message[18] = (byte)protocol;
        return (uint)SipHash.Hash13(message, key);
    }
}
