using System.Buffers.Binary;
using LvsNet.Core.Connections;
using LvsNet.Core.Hashing;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.DataPath.SynProxy;

/// <summary>
/// SYN cookies: the initial sequence number the director answers a SYN with, from which it later
/// recognises the client's ACK without having kept anything. The cookie is SipHash-1-3 under a
/// secret random key of the connection's four-tuple, the client's initial sequence number and a
/// 64-second time slot, with its low 3 bits replaced by the index of the MSS the client offered
/// in a small table (as Linux's <c>msstab</c> does). An ACK is valid in the slot of its SYN and the
/// next one, so a cookie lives 64 to 128 s.
/// </summary>
/// <remarks>
/// <para>IPv6 connections (<see cref="Make(Ipv6Address, ushort, Ipv6Address, ushort, uint, uint, ushort, out ushort)"/>)
/// hash their whole 128-bit addresses under the same key, as Linux's <c>__cookie_v6_init_sequence</c>
/// hashes the IPv6 4-tuple with the IPv4 function family; the MSS table is shared (1220 is IPv6's
/// minimum MTU less 60, 1440 IPv6 on Ethernet).</para>
/// Unlike Linux's cookies no time counter sits in the top bits: checking two slots costs two hashes,
/// and the full 29 bits of hash remain, so a blind guess is right once in 2^28 tries.
/// </remarks>
internal sealed class SynCookies
{
    private const int SlotTicks = 64 * ConnectionClock.TicksPerSecond;
    private const uint MssMask = 0x7;

    // Common MSS values (IPv4 on Ethernet 1460, with tunnels or PPPoE less); a client's offer is
    // rounded down to one of them.
    private static readonly ushort[] MssTable = [536, 1220, 1360, 1400, 1440, 1460];

    private readonly SipHashKey _key = SipHashKey.Random();

    /// <summary>The cookie for a SYN, and the MSS it encodes (the client's offer rounded down to the table).</summary>
    public uint Make(uint client, ushort clientPort, uint server, ushort serverPort, uint clientIsn, uint now, ushort offeredMss, out ushort mss)
    {
        var index = 0;
        for (var i = MssTable.Length - 1; i > 0; i--)
        {
            if (offeredMss >= MssTable[i])
            {
                index = i;
                break;
            }
        }

        mss = MssTable[index];
        return (Hash(client, clientPort, server, serverPort, clientIsn, now / SlotTicks) & ~MssMask) | (uint)index;
    }

    /// <summary>The cookie for an IPv6 SYN, and the MSS it encodes (the client's offer rounded down to the table).</summary>
    public uint Make(Ipv6Address client, ushort clientPort, Ipv6Address server, ushort serverPort, uint clientIsn, uint now, ushort offeredMss, out ushort mss)
    {
        var index = MssIndex(offeredMss);
        mss = MssTable[index];
        return (Hash(client, clientPort, server, serverPort, clientIsn, now / SlotTicks) & ~MssMask) | (uint)index;
    }

    /// <summary>True when <paramref name="cookie"/> (the client's acknowledgment − 1) is the one made for this IPv6 SYN in this slot or the one before.</summary>
    public bool TryCheck(Ipv6Address client, ushort clientPort, Ipv6Address server, ushort serverPort, uint clientIsn, uint cookie, uint now, out ushort mss)
    {
        var slot = now / SlotTicks;
        return Matches(cookie, Hash(client, clientPort, server, serverPort, clientIsn, slot), out mss)
            || Matches(cookie, Hash(client, clientPort, server, serverPort, clientIsn, slot - 1), out mss);
    }

    private static int MssIndex(ushort offeredMss)
    {
        for (var i = MssTable.Length - 1; i > 0; i--)
        {
            if (offeredMss >= MssTable[i])
            {
                return i;
            }
        }

        return 0;
    }

    private uint Hash(Ipv6Address client, ushort clientPort, Ipv6Address server, ushort serverPort, uint clientIsn, uint slot)
    {
        Span<byte> message = stackalloc byte[44];
        client.WriteTo(message);
        server.WriteTo(message.Slice(16));
        BinaryPrimitives.WriteUInt16LittleEndian(message.Slice(32), clientPort);
        BinaryPrimitives.WriteUInt16LittleEndian(message.Slice(34), serverPort);
        BinaryPrimitives.WriteUInt32LittleEndian(message.Slice(36), clientIsn);
        BinaryPrimitives.WriteUInt32LittleEndian(message.Slice(40), slot);
        return (uint)SipHash.Hash13(message, _key);
    }

    /// <summary>True when <paramref name="cookie"/> (the client's acknowledgment − 1) is the one made for this SYN in this slot or the one before.</summary>
    public bool TryCheck(uint client, ushort clientPort, uint server, ushort serverPort, uint clientIsn, uint cookie, uint now, out ushort mss)
    {
        var slot = now / SlotTicks;
        return Matches(cookie, Hash(client, clientPort, server, serverPort, clientIsn, slot), out mss)
            || Matches(cookie, Hash(client, clientPort, server, serverPort, clientIsn, slot - 1), out mss);
    }

    private uint Hash(uint client, ushort clientPort, uint server, ushort serverPort, uint clientIsn, uint slot)
    {
        Span<byte> message = stackalloc byte[20];
        BinaryPrimitives.WriteUInt32LittleEndian(message, client);
        BinaryPrimitives.WriteUInt32LittleEndian(message.Slice(4), server);
        BinaryPrimitives.WriteUInt16LittleEndian(message.Slice(8), clientPort);
        BinaryPrimitives.WriteUInt16LittleEndian(message.Slice(10), serverPort);
        BinaryPrimitives.WriteUInt32LittleEndian(message.Slice(12), clientIsn);
        BinaryPrimitives.WriteUInt32LittleEndian(message.Slice(16), slot);
        return (uint)SipHash.Hash13(message, _key);
    }

    // The cookie matches one slot's hash and names an MSS of the table (the caller tries the slot before only when this one fails).
    private static bool Matches(uint cookie, uint hash, out ushort mss)
    {
        mss = 0;
        var index = (int)(cookie & MssMask);
        if (index >= MssTable.Length || (hash & ~MssMask) != (cookie & ~MssMask))
        {
            return false;
        }

        mss = MssTable[index];
        return true;
    }
}
