using LvsNet.Control.Protocol;
using LvsNet.Core.DataPath;

namespace LvsNet.Daemon.Control;

/// <summary>The fragment, neighbour and SYN-proxy parts of the data path's status, from the summed counters and each worker's occupancy.</summary>
internal static class DefenceStatus
{
    /// <summary>The fragment counters (drop reasons among them) and the bounds in use across <paramref name="workers"/>.</summary>
    public static FragmentStatus Fragments(DataPathCounters counters, IReadOnlyList<CaptureWorker> workers)
    {
        var occupancy = workers.Select(w => w.Processor.Fragments).ToList();
        return new FragmentStatus
        {
            Held = counters.FragmentsHeld,
            Forwarded = counters.FragmentedDatagrams,
            TimedOut = counters[DropReason.FragmentTimeout],
            Overlap = counters[DropReason.FragmentOverlap],
            Duplicate = counters[DropReason.FragmentDuplicate],
            Tiny = counters[DropReason.FragmentTiny],
            Malformed = counters[DropReason.FragmentMalformed],
            PoolFull = counters[DropReason.FragmentNoBuffer],
            PendingDatagrams = occupancy.Sum(o => o.Datagrams),
            DatagramCapacity = occupancy.Sum(o => o.DatagramCapacity),
            BuffersInUse = occupancy.Sum(o => o.BuffersInUse),
            BufferCapacity = occupancy.Sum(o => o.BufferCapacity),
        };
    }

    /// <summary>The neighbour tables of <paramref name="workers"/>, summed.</summary>
    public static NeighbourStatus Neighbours(IReadOnlyList<CaptureWorker> workers) => new()
    {
        Entries = workers.Sum(w => w.Processor.Neighbours.Count),
        Capacity = workers.Sum(w => w.Processor.Neighbours.Capacity),
        RequestsSent = workers.Sum(w => w.Processor.Neighbours.RequestsSent),
        Failed = workers.Sum(w => w.Processor.Neighbours.Failures),
        Reclaimed = workers.Sum(w => w.Processor.Neighbours.Reclaimed),
        Entries6 = workers.Sum(w => w.Processor.Neighbours6.Count),
        Capacity6 = workers.Sum(w => w.Processor.Neighbours6.Capacity),
        SolicitationsSent = workers.Sum(w => w.Processor.Neighbours6.SolicitationsSent),
        Failed6 = workers.Sum(w => w.Processor.Neighbours6.Failures),
        Reclaimed6 = workers.Sum(w => w.Processor.Neighbours6.Reclaimed),
    };

    /// <summary>The SYN proxy's counters (drop reasons among them).</summary>
    public static SynProxyStatus SynProxy(DataPathCounters counters) => new()
    {
        CookiesSent = counters.SynCookiesSent,
        CookiesValid = counters.SynCookiesValid,
        CookiesInvalid = counters[DropReason.SynCookieInvalid],
        Connections = counters.SynProxyOpened,
        PendingDropped = counters[DropReason.SynProxyPending],
    };
}
