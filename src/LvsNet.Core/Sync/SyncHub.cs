using LvsNet.Packets;

namespace LvsNet.Core.Sync;

/// <summary>
/// Where the capture threads and the sync threads meet: per worker, one queue of records to send
/// (capture thread → master sync thread) and one of received records to apply (backup sync thread →
/// capture thread); the master settings while a master daemon runs; the counters.
/// </summary>
/// <remarks>
/// Thread contract: each outbound queue has its worker as the only producer and the master sync
/// thread as the only consumer; each inbound queue the backup sync thread as producer and its
/// worker as consumer. <see cref="Master"/> is a volatile reference the capture threads read once
/// per batch; null means no master daemon (nothing is queued).
/// </remarks>
public sealed class SyncHub
{
    private volatile SyncMasterSettings? _master;
    private volatile int _backupThreshold = 3;

    /// <summary>Creates the queues for <paramref name="workers"/> capture threads.</summary>
    public SyncHub(int workers, int queueLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        Outbound = new SpscRing<SyncConnection>[workers];
        Inbound = new SpscRing<SyncConnection>[workers];
        for (var i = 0; i < workers; i++)
        {
            Outbound[i] = new SpscRing<SyncConnection>(queueLength);
            Inbound[i] = new SpscRing<SyncConnection>(queueLength);
        }
    }

    /// <summary>Per worker: records for the master sync thread to send.</summary>
    public SpscRing<SyncConnection>[] Outbound { get; }

    /// <summary>Per worker: received records for the capture thread to apply.</summary>
    public SpscRing<SyncConnection>[] Inbound { get; }

    /// <summary>The running master daemon's settings, or null when none runs.</summary>
    public SyncMasterSettings? Master
    {
        get => _master;
        set => _master = value;
    }

    /// <summary>The packet count a received connection starts with (sync_threshold: the master syncs it again at the same point of its period).</summary>
    public int BackupThreshold
    {
        get => _backupThreshold;
        set => _backupThreshold = value;
    }

    /// <summary>The counters.</summary>
    public SyncCounters Counters { get; } = new();

    /// <summary>
    /// Backup sync thread: hands a received record to <paramref name="worker"/> (the one that owns
    /// its client, as the fanout steering decides), and counts it dropped when that queue is full.
    /// </summary>
    public bool Deliver(in SyncConnection connection, int worker)
    {
        if (Inbound[worker].TryEnqueue(connection))
        {
            return true;
        }

        SyncCounters.Add(ref Counters._applyDropped);
        return false;
    }

    /// <summary>The forwarding-method bits of the IPVS flags for a method.</summary>
    public static uint ForwardFlags(Configuration.ForwardingMethod method) => method switch
    {
        Configuration.ForwardingMethod.Nat => IpvsConnectionFlags.Masquerade,
        Configuration.ForwardingMethod.Tunnel => IpvsConnectionFlags.Tunnel,
        Configuration.ForwardingMethod.FullNat => IpvsConnectionFlags.FullNat,
        _ => IpvsConnectionFlags.DirectRoute,
    };

    /// <summary>True for the protocols the sync carries.</summary>
    public static bool Carries(IpProtocol protocol) => protocol is IpProtocol.Tcp or IpProtocol.Udp;
}
