namespace LvsNet.Control.Listings;

/// <summary>
/// The IPVS rate estimator of one counter set (ip_vs_est.c): every <see cref="SampleInterval"/>
/// the change of each counter is turned into a per-second rate and smoothed with an exponentially
/// weighted moving average of weight 1/4 (about an 8 s window).
/// </summary>
/// <remarks>
/// Fixed point exactly as the kernel keeps it: connection and packet rates are scaled by 2^10
/// (the 2 s delta shifted left by 9), byte rates by 2^5 (delta shifted left by 4); each sample does
/// <c>avg += (rate - avg) &gt;&gt; 2</c> with an arithmetic shift. Read-out rounds:
/// <c>(avg + 511) &gt;&gt; 10</c> and <c>(avg + 15) &gt;&gt; 5</c>. Not thread-safe; the owner serialises calls.
/// </remarks>
public sealed class RateEstimator
{
    /// <summary>How often <see cref="Sample"/> must be called.</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(2);

    private TrafficStats _last;
    private long _cps;
    private long _inPps;
    private long _outPps;
    private long _inBps;
    private long _outBps;

    /// <summary>Starts estimating from the counters' current values (rates 0).</summary>
    public RateEstimator(TrafficStats current)
    {
        ArgumentNullException.ThrowIfNull(current);
        _last = current;
    }

    /// <summary>The current estimates.</summary>
    public TrafficRates Rates => new(
        (_cps + 0x1FF) >> 10,
        (_inPps + 0x1FF) >> 10,
        (_outPps + 0x1FF) >> 10,
        (_inBps + 0xF) >> 5,
        (_outBps + 0xF) >> 5);

    /// <summary>Takes one 2-second sample of the counters.</summary>
    public void Sample(TrafficStats current)
    {
        ArgumentNullException.ThrowIfNull(current);
        _cps += (((current.Connections - _last.Connections) << 9) - _cps) >> 2;
        _inPps += (((current.InPackets - _last.InPackets) << 9) - _inPps) >> 2;
        _outPps += (((current.OutPackets - _last.OutPackets) << 9) - _outPps) >> 2;
        _inBps += (((current.InBytes - _last.InBytes) << 4) - _inBps) >> 2;
        _outBps += (((current.OutBytes - _last.OutBytes) << 4) - _outBps) >> 2;
        _last = current;
    }

    /// <summary>Forgets the history (ipvsadm -Z): rates 0, next deltas from <paramref name="current"/>.</summary>
    public void Reset(TrafficStats current)
    {
        ArgumentNullException.ThrowIfNull(current);
        _last = current;
        _cps = _inPps = _outPps = _inBps = _outBps = 0;
    }
}
