using System.Runtime.CompilerServices;

namespace LvsNet.Core.Scheduling;

/// <summary>The load measures and least-load searches the kernel schedulers share (include/net/ip_vs.h).</summary>
internal static class ServerLoad
{
    /// <summary>
    /// <c>ip_vs_dest_conn_overhead()</c>: active connections weigh 256 inactive ones
    /// (<c>(activeconns &lt;&lt; 8) + inactconns</c>; ip_vs_lc.c's comment still says 32, the code
    /// says 256). Computed in 64 bits so the cross-multiplications cannot overflow.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Overhead(RealServerState server) => ((long)server.ActiveConnections << 8) + server.InactiveConnections;

    /// <summary>False for a server the schedulers must skip: OVERLOAD set, or already removed from the service.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsUsable(RealServerState server) => !server.IsOverloaded && server.IsAvailable;

    /// <summary>
    /// The wlc choice (ip_vs_wlc.c, and __ip_vs_lblc_schedule/__ip_vs_lblcr_schedule): the first
    /// usable server with a positive weight, then every later usable server whose
    /// <c>overhead/weight</c> is strictly smaller, compared by 64-bit cross-multiplication, so ties
    /// keep the earlier server and weight-0 servers can never win. Returns the index, or -1.
    /// </summary>
    public static int WeightedLeastConnection(RealServerState[] servers)
    {
        var least = -1;
        long leastOverhead = 0;
        long leastWeight = 0;
        for (var i = 0; i < servers.Length; i++)
        {
            var server = servers[i];
            if (!IsUsable(server))
            {
                continue;
            }

            long weight = server.EffectiveWeight;
            if (least < 0)
            {
                if (weight > 0)
                {
                    least = i;
                    leastOverhead = Overhead(server);
                    leastWeight = weight;
                }

                continue;
            }

            var overhead = Overhead(server);
            if (leastOverhead * weight > overhead * leastWeight)
            {
                least = i;
                leastOverhead = overhead;
                leastWeight = weight;
            }
        }

        return least;
    }

    /// <summary>
    /// The "overloaded" test of lblc and lblcr (is_overloaded() in ip_vs_lblc.c/ip_vs_lblcr.c),
    /// which ignores the OVERLOAD flag: more active connections than weight, while some server of
    /// the service has fewer than half its weight in active connections.
    /// </summary>
    public static bool IsLocalityOverloaded(RealServerState server, RealServerState[] servers)
    {
        if (server.ActiveConnections <= server.EffectiveWeight)
        {
            return false;
        }

        foreach (var other in servers)
        {
            if ((long)other.ActiveConnections * 2 < other.EffectiveWeight)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Greatest common divisor of two positive numbers.</summary>
    public static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
