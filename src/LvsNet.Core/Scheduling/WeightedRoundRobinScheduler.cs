namespace LvsNet.Core.Scheduling;

/// <summary>
/// wrr: classic LVS weighted round robin (ip_vs_wrr.c), not the "smooth" variant. Walks the
/// list from the current server returning the first with weight ≥ the current weight; at the end
/// of the list the current weight steps down by the gcd of the weights, restarting at the maximum.
/// Weights 4/3/2 give A A B A B C A B C.
/// </summary>
public sealed class WeightedRoundRobinScheduler : IScheduler
{
    private readonly RealServerState[] _servers;
    private readonly int _gcd;
    private readonly int _maxWeight;
    private int _index = -1;
    private int _currentWeight;

    /// <summary>Creates the scheduler over <paramref name="servers"/> in list order.</summary>
    public WeightedRoundRobinScheduler(RealServerState[] servers, IScheduler? previous = null)
    {
        _servers = servers;
        var gcd = 0;
        var max = 0;
        foreach (var server in servers)
        {
            var weight = server.Weight;
            if (weight > 0)
            {
                gcd = gcd == 0 ? weight : Gcd(gcd, weight);
                max = Math.Max(max, weight);
            }
        }

        _gcd = gcd == 0 ? 1 : gcd;

        // mw = max weight − (di − 1), as the kernel computes it.
        _maxWeight = max == 0 ? 0 : max - (_gcd - 1);
        _currentWeight = _maxWeight;

        // On a server change the kernel restarts at the list head but keeps cw when it is still
        // in range (rounded onto the gcd grid).
        if (previous is WeightedRoundRobinScheduler old && old._currentWeight > 0)
        {
            var cw = old._currentWeight;
            _currentWeight = cw > _maxWeight ? _maxWeight : _gcd > 1 ? (cw / _gcd * _gcd) + 1 : cw;
        }
    }

    /// <inheritdoc />
    public string Name => SchedulerNames.WeightedRoundRobin;

    /// <inheritdoc />
    public RealServerState? Schedule(in FlowInfo flow)
    {
        var servers = _servers;
        if (_maxWeight == 0 || servers.Length == 0)
        {
            return null;
        }

        var index = _index;
        var cw = _currentWeight;

        // Bound the walk: a full cycle visits every (server, cw) pair once.
        var limit = servers.Length * ((_maxWeight / _gcd) + 2);
        for (var step = 0; step < limit; step++)
        {
            index++;
            if (index >= servers.Length)
            {
                index = 0;
                cw -= _gcd;
                if (cw <= 0)
                {
                    cw = _maxWeight;
                }
            }

            var server = servers[index];
            if (server.Weight >= cw && !server.IsOverloaded)
            {
                _index = index;
                _currentWeight = cw;
                return server;
            }
        }

        return null;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
