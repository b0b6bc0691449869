using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;

namespace LvsNet.Core.DataPath.Defence;

/// <summary>
/// IPVS's defences against a table-filling flood (ip_vs_ctl.c update_defense_level, run once a
/// second), driven by the free entries of this thread's connection table where the kernel looks
/// at free memory: <c>drop_entry</c> (random dropping of half-open and long-idle entries),
/// <c>drop_packet</c> (refusing one new connection in n) and <c>secure_tcp</c> (the secure TCP
/// state table). Modes: 0 off, 1 and 2 automatic (the kernel writes 2 while the defence is
/// active; here the mode stays as configured), 3 always.
/// </summary>
internal sealed class FloodDefence
{
    private readonly ConnectionTable _table;
    private readonly DataPathState _state;
    private int _dropRate;
    private int _dropCounter;

    private readonly SourceRateLimiter _sources;

    public FloodDefence(ConnectionTable table, DataPathState state, int workers)
    {
        _table = table;
        _state = state;
        _sources = new SourceRateLimiter(workers);
    }

    /// <summary>Takes a new snapshot's connection settings (the per-source limit).</summary>
    public void Configure(ConnectionTableConfig config) => _sources.Configure(config);

    /// <summary>False when <paramref name="source"/>'s prefix has used up its per-source rate of new connections.</summary>
    public bool AdmitsNewConnectionFrom(uint source) => !_sources.Enabled || _sources.TryAcquire(source, _state.Now);

    /// <summary>Whether the per-source limit lets an IPv6 client open a connection now (its /64 is the source).</summary>
    public bool AdmitsNewConnectionFrom(Packets.Ipv6.Ipv6Address source) => !_sources.Enabled || _sources.TryAcquire6(source, _state.Now);

    /// <summary>True while drop_entry is active.</summary>
    public bool DropEntryActive { get; private set; }

    /// <summary>One new connection in this many is refused; 0 when drop_packet is inactive.</summary>
    public int DropRate => _dropRate;

    /// <summary>Re-evaluates every defence from the table's occupancy and runs drop_entry when active; called once a second.</summary>
    public void Update()
    {
        if (_state.Snapshot is not { } snapshot)
        {
            return;
        }

        var config = snapshot.Config.Connections;

        // The threshold is set for the whole table; each worker's table holds its share of the entries.
        var threshold = (long)(config.AmemThreshold ?? config.MaxEntries / 16) * _table.Capacity / Math.Max(1, config.MaxEntries);
        long free = _table.Capacity - _table.Count;
        var nearlyFull = free < threshold;

        DropEntryActive = config.DropEntry switch
        {
            0 => false,
            3 => true,
            _ => nearlyFull,
        };

        switch (config.DropPacket)
        {
            case 0:
                _dropRate = 0;
                break;
            case 3:
                _dropRate = config.AmDropRate;
                break;
            default:
                // The kernel's rate: amemthresh / (amemthresh − available), and the countdown restarts.
                _dropRate = nearlyFull ? (int)Math.Min(int.MaxValue, threshold / (threshold - free)) : 0;
                _dropCounter = _dropRate;
                break;
        }

        _state.SecureTcp = config.SecureTcp switch
        {
            0 => false,
            3 => true,
            _ => nearlyFull,
        };

        if (DropEntryActive)
        {
            _table.DropRandomEntries(_state.Now, _state.Servers);
        }
    }

    /// <summary>IPVS ip_vs_todrop: true for one new connection in every <see cref="DropRate"/> while drop_packet is active.</summary>
    public bool ShouldDropNewConnection()
    {
        if (_dropRate == 0 || --_dropCounter > 0)
        {
            return false;
        }

        _dropCounter = _dropRate;
        return true;
    }
}
