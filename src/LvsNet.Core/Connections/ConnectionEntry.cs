using System.Runtime.InteropServices;
using LvsNet.Packets;

namespace LvsNet.Core.Connections;

/// <summary>
/// One connection, stored by value in the table's preallocated array (no object per connection,
/// no managed references, so the GC never scans the table). 64 bytes: one cache line.
/// </summary>
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

    /// <summary>The next entry in the same hash bucket, or -1.</summary>
    internal int BucketNext;

    /// <summary>The previous entry in the same timer-wheel slot, or -1.</summary>
    internal int WheelPrev;

    /// <summary>The next entry in the same timer-wheel slot, or -1.</summary>
    internal int WheelNext;

    /// <summary>When the entry expires, in table ticks.</summary>
    public uint ExpiresAt;

    /// <summary>The timeout that the last packet armed, in table ticks.</summary>
    public uint TimeoutTicks;

    /// <summary>Packets seen from the client.</summary>
    public uint InPackets;

    /// <summary>The timer-wheel slot whose list holds the entry.</summary>
    internal ushort WheelSlot;

    /// <summary>FULLNAT: the local port the director allocated on <see cref="LocalAddress"/>, or 0.</summary>
    public ushort LocalPort;

    /// <summary>For a connection: the index of the persistence template controlling it, or -1.</summary>
    public int Control;

    /// <summary>For a template: how many connections it controls (it cannot expire while this is above 0).</summary>
    public int Controlled;

    /// <summary>FULLNAT: the local (source) address the real server sees, from the service's pool; 0 for other methods.</summary>
    public uint LocalAddress;

    /// <summary>FULLNAT: the next entry in the same reply bucket (hashed by local address and port), or -1.</summary>
    internal int ReplyNext;

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
