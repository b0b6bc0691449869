using LvsNet.Core.Configuration;

namespace LvsNet.Core.Scheduling;

/// <summary>
/// wrr: classic LVS weighted round robin (ip_vs_wrr.c), not the "smooth" variant. Walks the
/// list from the current server returning the first with weight ≥ the current weight; at the end
/// of the list the current weight steps down by the gcd of the weights, restarting at the maximum.
/// Weights 4/3/2 give A A B A B C A B C.
/// </summary>
/// <remarks>
/// Uses <see cref="RealServerState.EffectiveWeight"/>. The gcd and maximum are recomputed when a
/// dynamic-weight update changes a weight, with the kernel's <c>ip_vs_wrr_dest_changed()</c>
/// rules (restart at the list head, keep the current weight when it is still in range).
/// O(n · max/gcd) worst case per pick, O(1) amortised; no allocation.
/// </remarks>
public sealed class WeightedRoundRobinScheduler : IScheduler
{
    private const int Head = -1;

    private readonly RealServerState[] _servers;

    // The weights the marks below were computed from; the walk compares against these, as the
    // kernel's marks always match its current weights.
    private readonly int[] _weights;
    private int _generation;
    private int _current = Head;
    private int _currentWeight;
    private int _maxWeight;
    private int _gcd;

    /// <summary>Creates the scheduler over <paramref name="servers"/> in list order.</summary>
    /// <param name="servers">The service's servers in kernel list order.</param>
    /// <param name="previous">The service's previous wrr instance, whose current weight is kept.</param>
    public WeightedRoundRobinScheduler(RealServerState[] servers, IScheduler? previous = null)
    {
        ArgumentNullException.ThrowIfNull(servers);
        _servers = servers;
        _weights = new int[servers.Length];
        _generation = RealServerState.WeightGeneration;
        ReadWeights();
        ComputeMarks();

        // ip_vs_wrr_init_svc() starts at cw = mw; a server change (ip_vs_wrr_dest_changed) keeps cw.
        _currentWeight = _maxWeight;
        if (previous is WeightedRoundRobinScheduler old)
        {
            _currentWeight = old._currentWeight;
            AdjustCurrentWeight();
        }
    }

    /// <inheritdoc />
    public string Name => SchedulerNames.WeightedRoundRobin;

    /// <inheritdoc />
    public RealServerState? Schedule(in FlowInfo flow)
    {
        if (RealServerState.WeightGeneration != _generation)
        {
            RefreshWeights();
        }

        if (_maxWeight == 0)
        {
            return null;
        }

        // ip_vs_wrr_schedule() of current kernels: stop only after every server was checked for
        // weight >= 1 (the "last pass"), starting over from the head if the walk began mid-list.
        var servers = _servers;
        var weights = _weights;
        var count = servers.Length;
        var index = _current;
        var last = index;
        var stop = int.MinValue;
        var lastPass = false;
        var restarted = false;
        var cw = _currentWeight;
        while (true)
        {
            for (index++; index < count; index++)
            {
                var server = servers[index];
                if (weights[index] >= cw && ServerLoad.IsUsable(server))
                {
                    _current = index;
                    _currentWeight = cw;
                    return server;
                }

                if (index == stop)
                {
                    _current = index;
                    _currentWeight = cw;
                    return null;
                }
            }

            index = Head;
            cw -= _gcd;
            if (cw <= 0)
            {
                cw = _maxWeight;
                if (lastPass || last == Head)
                {
                    _current = Head;
                    _currentWeight = cw;
                    return null;
                }

                restarted = true;
            }

            lastPass = cw <= _gcd;
            if (lastPass && restarted && last != Head)
            {
                // The first pass at weight >= 1 only covered the servers after 'last'.
                stop = last;
            }
        }
    }

    private void RefreshWeights()
    {
        _generation = RealServerState.WeightGeneration;
        if (ReadWeights())
        {
            // ip_vs_wrr_dest_changed(): back to the head, new gcd and maximum, cw kept if in range.
            ComputeMarks();
            _current = Head;
            AdjustCurrentWeight();
        }
    }

    private bool ReadWeights()
    {
        var changed = false;
        for (var i = 0; i < _servers.Length; i++)
        {
            var weight = _servers[i].EffectiveWeight;
            if (_weights[i] != weight)
            {
                _weights[i] = weight;
                changed = true;
            }
        }

        return changed;
    }

    private void ComputeMarks()
    {
        var gcd = 0;
        var max = 0;
        foreach (var weight in _weights)
        {
            if (weight > 0)
            {
                gcd = gcd == 0 ? weight : ServerLoad.Gcd(weight, gcd);
                max = Math.Max(max, weight);
            }
        }

        _gcd = gcd == 0 ? 1 : gcd;

        // mw = max weight − (di − 1), as the kernel computes it.
        _maxWeight = max - (_gcd - 1);
    }

    private void AdjustCurrentWeight()
    {
        var cw = _currentWeight;
        if (cw > _maxWeight || cw == 0)
        {
            cw = _maxWeight;
        }
        else if (_gcd > 1)
        {
            cw = (cw / _gcd * _gcd) + 1;
        }

        _currentWeight = cw;
    }
}
