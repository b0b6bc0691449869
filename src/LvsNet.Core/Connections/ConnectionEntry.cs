using System.Runtime.InteropServices;
using LvsNet.Packets;

namespace LvsNet.Core.Connections;

/// <summary>
/// One connection, stored by value in the table's preallocated array (no object per connection,
/// no managed references, so the GC never scans the table). 56 bytes, everything a connection
/// needs included: the sync daemon's memory and the FULLNAT binding live here, not beside it.
/// </summary>
/// <remarks>
/// What was folded to fit: a template's count of controlled connections shares the field of a
/// connection's template index (an entry is one or the other); the timer-wheel slot is stored in
/// the previous-link of the slot's first entry; the FULLNAT local address is a 2-byte id of
/// <see cref="LocalAddressBook"/>; the FULLNAT reply index is a port map in the table, not a
/// chain link here.
/// </remarks>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public struct ConnectionEntry
{
    /// <summary>The client's address.</summary>
    public uint ClientAddress;

    /// <summary>The VIP.</summary>
    public uint VirtualAddress;

    /// <summary>The client's port.</summary>
    public ushort ClientPort;

    /// <summary>The virtual port.</summary>
    public ushort VirtualPort;

    /// <summary>The protocol.</summary>
    public IpProtocol Protocol;

    /// <summary>The state.</summary>
    public ConnectionState State;

    /// <summary>Flags.</summary>
    public ConnectionFlags Flags;

    /// <summary>The state this connection had when it was last synced (IPVS old_state; the sync daemon's only per-connection memory).</summary>
    public ConnectionState SyncedState;

    /// <summary>The real server's id (<see cref="RealServerState.Id"/>).</summary>
    public int RealServerId;

    /// <summary>The next entry in the same hash bucket, or -1 (also the free-list link).</summary>
    internal int BucketNext;

    /// <summary>The previous entry in the same timer-wheel slot, or, for the slot's first entry, the slot's complement (<c>~slot</c>, always negative).</summary>
    internal int WheelPrev;

    /// <summary>The next entry in the same timer-wheel slot, or -1.</summary>
    internal int WheelNext;

    /// <summary>When the entry expires, in table ticks.</summary>
    public uint ExpiresAt;

    /// <summary>The timeout that the last packet armed, in table ticks.</summary>
    public uint TimeoutTicks;

    /// <summary>Packets seen from the client.</summary>
    public uint InPackets;

    // A connection: the index of the template controlling it, or -1. A template: how many
    // connections it controls. The Template flag says which.
    private int _controlLink;

    /// <summary>
    /// The sync daemon's memory of when the connection was last synced (IPVS sync_endtime): the
    /// expiry it reported in quarter ticks (the tick shifted left by 2), and in the low 2 bits the
    /// retries sent since.
    /// </summary>
    internal uint SyncEnd;

    /// <summary>FULLNAT: the local port the director allocated on <see cref="LocalAddress"/>, or 0.</summary>
    public ushort LocalPort;

    /// <summary>FULLNAT: the <see cref="LocalAddressBook"/> id of the local address, or 0.</summary>
    internal ushort LocalAddressId;

    /// <summary>FULLNAT: the local (source) address the real server sees, from the service's pool; 0 for other methods.</summary>
    public readonly uint LocalAddress => LocalAddressBook.AddressOf(LocalAddressId);

    /// <summary>For a connection: the index of the persistence template controlling it, or -1 (always -1 for a template).</summary>
    public int Control
    {
        readonly get => (Flags & ConnectionFlags.Template) == 0 ? _controlLink : -1;
        internal set => _controlLink = value;
    }

    /// <summary>For a template: how many connections it controls (it cannot expire while this is above 0); 0 for a connection.</summary>
    public int Controlled
    {
        readonly get => (Flags & ConnectionFlags.Template) != 0 ? _controlLink : 0;
        internal set => _controlLink = value;
    }

    /// <summary>True when the entry holds a connection.</summary>
    public readonly bool InUse => (Flags & ConnectionFlags.InUse) != 0;

    /// <summary>True when the key fields match.</summary>
    internal readonly bool Matches(in ConnectionKey key) =>
        (Flags & ConnectionFlags.Template) == 0
        && ClientAddress == key.ClientAddress
        && ClientPort == key.ClientPort
        && VirtualAddress == key.VirtualAddress
        && VirtualPort == key.VirtualPort
        && Protocol == key.Protocol;
}
