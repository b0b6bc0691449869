using System.Runtime.InteropServices;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.Connections;

/// <summary>
/// One IPv6 connection: its key, real server, state and timer links. Kept apart from the IPv4
/// <see cref="ConnectionEntry"/> so that the IPv4 table keeps its 32-bit keys and its cache lines.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct Ipv6ConnectionEntry
{
    /// <summary>The client's address.</summary>
    public Ipv6Address ClientAddress;

    /// <summary>The VIP.</summary>
    public Ipv6Address VirtualAddress;

    /// <summary>FULLNAT: the local address the real server sees as the client (default when none is bound).</summary>
    public Ipv6Address LocalAddress;

    /// <summary>The client's port.</summary>
    public ushort ClientPort;

    /// <summary>FULLNAT: the local port (0 when none is bound).</summary>
    public ushort LocalPort;

    /// <summary>The virtual port.</summary>
    public ushort VirtualPort;

    /// <summary>The protocol.</summary>
    public IpProtocol Protocol;

    /// <summary>The connection's state.</summary>
    public ConnectionState State;

    /// <summary>In use, active, NOOUTPUT.</summary>
    public ConnectionFlags Flags;

    /// <summary>The real server's id (see <see cref="RealServerState.Id"/>).</summary>
    public int RealServerId;

    /// <summary>The tick at which the connection expires.</summary>
    public uint ExpiresAt;

    /// <summary>Packets from the client.</summary>
    public uint InPackets;

    /// <summary>The state last sent to the sync backups (IPVS old_state).</summary>
    public ConnectionState SyncedState;

    /// <summary>The sync daemon's memory of the last sync (IPVS sync_endtime; see ConnectionTable.SyncEndTime).</summary>
    internal uint SyncEnd;

    /// <summary>The persistence template controlling this connection, as its index + 1 (0: none, so that a cleared entry has none).</summary>
    internal int ControlPlusOne;

    /// <summary>For a template: the connections it controls (it cannot expire while there are any).</summary>
    internal int Controlled;

    /// <summary>For a template: the persistence timeout its timer is re-armed with.</summary>
    internal uint TemplateTimeoutTicks;

    internal int BucketNext;
    internal int WheelPrev;
    internal int WheelNext;
    internal ushort WheelSlot;

    /// <summary>True while the entry holds a connection.</summary>
    public readonly bool InUse => (Flags & ConnectionFlags.InUse) != 0;

    internal readonly bool Matches(in Ipv6ConnectionKey key) =>
        ClientPort == key.ClientPort
        && ClientAddress == key.ClientAddress
        && VirtualPort == key.VirtualPort
        && VirtualAddress == key.VirtualAddress
        && Protocol == key.Protocol;
}
