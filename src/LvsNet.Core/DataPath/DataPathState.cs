using System.Runtime.CompilerServices;
using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.Runtime;

namespace LvsNet.Core.DataPath;

/// <summary>
/// What every job of one capture thread reads and the batch start changes: the clock tick and
/// what was taken from the snapshot in use. One instance per <see cref="PacketProcessor"/>.
/// </summary>
/// <remarks>Thread contract: written by <see cref="PacketProcessor.BeginBatch"/> only, read by the same thread.</remarks>
internal sealed class DataPathState
{
    /// <summary>The current tick of the connection clock.</summary>
    public uint Now;

    /// <summary>The batch's time in microseconds (wrapping), for handshake times.</summary>
    public uint Microseconds;

    /// <summary>The capture worker this state belongs to (its stripe of the per-worker counters).</summary>
    public int Worker;

    /// <summary>True while the director is master (or has no HA role): it answers ARP for its addresses and forwards.</summary>
    public bool Active = true;

    /// <summary>The master sync daemon's settings for this batch, or null when none runs.</summary>
    public Sync.SyncMasterSettings? SyncMaster;

    /// <summary>This thread's sync producer (null without sync).</summary>
    public Sync.SyncProducer? SyncProducer;

    /// <summary>The snapshot the current batch uses (null until the first configuration).</summary>
    public LvsSnapshot? Snapshot;

    /// <summary>The snapshot's real servers by id.</summary>
    public RealServerState?[] Servers = [];

    /// <summary>The snapshot's state timeouts.</summary>
    public ConnectionTimeouts Timeouts = new(new ConnectionTableConfig());

    /// <summary>expire_nodest_conn: forget a connection whose server is gone instead of dropping its packets.</summary>
    public bool ExpireNodest;

    /// <summary>expire_quiescent_template: a template whose server has weight 0 is not used.</summary>
    public bool ExpireQuiescent;

    /// <summary>sloppy_tcp: a TCP segment without SYN and RST may open a connection.</summary>
    public bool SloppyTcp;

    /// <summary>secure_tcp active: TCP connections follow the secure state table.</summary>
    public bool SecureTcp;

    /// <summary>The real server with <paramref name="id"/>, or null when the snapshot no longer has it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RealServerState? ServerOf(int id)
    {
        var servers = Servers;
        return (uint)id < (uint)servers.Length ? servers[id] : null;
    }

    /// <summary>Takes what the data path needs from a new snapshot.</summary>
    public void Apply(LvsSnapshot snapshot)
    {
        Snapshot = snapshot;
        Servers = snapshot.ServersById;
        Timeouts = new ConnectionTimeouts(snapshot.Config.Connections);
        ExpireNodest = snapshot.Config.Connections.ExpireNodestConnections;
        ExpireQuiescent = snapshot.Config.Connections.ExpireQuiescentTemplates;
        SloppyTcp = snapshot.Config.Connections.SloppyTcp;
    }
}
