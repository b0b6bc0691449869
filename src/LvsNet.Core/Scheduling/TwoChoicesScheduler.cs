using LvsNet.Core.Configuration;

namespace LvsNet.Core.Scheduling;

/// <summary>
/// twos: power of two random choices (ip_vs_twos.c). Draws two weighted-random servers among the
/// usable ones with a positive weight and returns the second if its <c>overhead/weight</c> is
/// strictly lower than the first's, else the first.
/// </summary>
/// <remarks>
/// <para>Random values are drawn in <c>[0, total weight]</c> inclusive, as the kernel's
/// <c>get_random_u32() % (total + 1)</c> does, so 0 (and any value up to the first weight) picks the
/// first server: the kernel's slight bias towards the list head is kept. <see cref="Random.Next(int)"/>
/// avoids the modulo bias itself.</para>
/// <para>Uses <see cref="RealServerState.EffectiveWeight"/>. Two O(n) passes per pick; no allocation.
/// The random source comes from <see cref="SchedulerOptions.Random"/> and is used on the capture
/// thread only.</para>
/// </remarks>
public sealed class TwoChoicesScheduler : IScheduler
{
    private readonly RealServerState[] _servers;
    private readonly Random _random;

    /// <summary>Creates the scheduler over <paramref name="servers"/> in list order.</summary>
    /// <param name="servers">The service's servers in kernel list order.</param>
    /// <param name="random">The random source; null creates an unseeded one.</param>
    public TwoChoicesScheduler(RealServerState[] servers, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(servers);
        _servers = servers;
#pragma warning disable CA5394 // Load balancing, not security: a fast non-cryptographic source is what the kernel uses too.
        _random = random ?? new Random();
#pragma warning restore CA5394
    }

    /// <inheritdoc />
    public string Name => SchedulerNames.TwoChoices;

    /// <inheritdoc />
    public RealServerState? Schedule(in FlowInfo flow)
    {
        var servers = _servers;
        long total = 0;
        foreach (var server in servers)
        {
            var weight = server.EffectiveWeight;
            if (weight > 0 && ServerLoad.IsUsable(server))
            {
                total += weight;
            }
        }

        if (total == 0)
        {
            return null;
        }

#pragma warning disable CA5394 // See the constructor.
        long r1 = _random.NextInt64(total + 1);
        long r2 = _random.NextInt64(total + 1);
#pragma warning restore CA5394
        RealServerState? choice1 = null;
        RealServerState? choice2 = null;
        long weight1 = 0;
        long weight2 = 0;
        long overhead1 = 0;
        long overhead2 = 0;
        foreach (var server in servers)
        {
            long weight = server.EffectiveWeight;
            if (weight <= 0 || !ServerLoad.IsUsable(server))
            {
                continue;
            }

            r1 -= weight;
            r2 -= weight;
            if (r1 <= 0 && choice1 is null)
            {
                choice1 = server;
                weight1 = weight;
                overhead1 = ServerLoad.Overhead(server);
            }

            if (r2 <= 0 && choice2 is null)
            {
                choice2 = server;
                weight2 = weight;
                overhead2 = ServerLoad.Overhead(server);
            }

            if (choice1 is not null && choice2 is not null)
            {
                break;
            }
        }

        // A weight read between the two passes may have dropped; the kernel would then return the
        // last eligible server it saw as choice1. Fall back the same way rather than fail.
        if (choice1 is null)
        {
            return choice2 ?? LastUsable(servers);
        }

        return choice2 is not null && weight2 * overhead1 > weight1 * overhead2 ? choice2 : choice1;
    }

    private static RealServerState? LastUsable(RealServerState[] servers)
    {
        for (var i = servers.Length - 1; i >= 0; i--)
        {
            if (servers[i].EffectiveWeight > 0 && ServerLoad.IsUsable(servers[i]))
            {
                return servers[i];
            }
        }

        return null;
    }
}
