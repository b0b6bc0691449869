using System.Numerics;
using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Core.Scheduling;

/// <summary>
/// mh: Maglev consistent hashing (ip_vs_mh.c; Eisenbud et al., NSDI 2016, §3.4). Every server
/// has a permutation of the <c>M</c> table slots derived from its address and port; the table is
/// filled round by round in list order, each server claiming its next free preferred slot as many
/// times in a row as its (gcd-reduced, shifted) weight. Clients are looked up by
/// <c>hsiphash(saddr [+ sport]) % M</c>.
/// </summary>
/// <remarks>
/// <para>Bit-exact with the kernel: hsiphash (SipHash-1-3 on 64-bit) with the fixed keys
/// 2654435761 / 2654446892, so two directors, or a director and LvsNet, build the same table.</para>
/// <para>Weights are the servers' <see cref="RealServerState.LastWeight"/> (the latest non-zero
/// weight): quiescing a server does not rebuild the table, its slots stay, and lookups landing on
/// it find no server unless <c>mh-fallback</c> probes further.</para>
/// <para>Build O(M · n) worst case, per snapshot; pick O(1) (O(M) worst case with fallback); no
/// allocation per pick.</para>
/// </remarks>
public sealed class MaglevHashScheduler : IScheduler
{
    /// <summary>The kernel's default table size (CONFIG_IP_VS_MH_TAB_INDEX = 12).</summary>
    public const int DefaultTableSize = SchedulerNames.MaglevDefaultTableSize;

    // generate_hash_secret(): fixed keys, both words equal (unsigned long, 64-bit).
    private const ulong Key1 = 2654435761UL;
    private const ulong Key2 = 2654446892UL;

    private readonly RealServerState[] _servers;
    private readonly int[] _lookup;
    private readonly int _tableSize;
    private readonly bool _fallback;
    private readonly bool _usePort;

    /// <summary>Creates the scheduler over <paramref name="servers"/> in list order.</summary>
    /// <param name="servers">The service's servers in kernel list order.</param>
    /// <param name="flags"><see cref="SchedulerFlags.Flag1"/> = mh-fallback, <see cref="SchedulerFlags.Flag2"/> = mh-port.</param>
    /// <param name="tableSize">One of <see cref="TableSizes"/>.</param>
    /// <exception cref="ArgumentException">The size is not one of the kernel's primes, or there are more servers than slots (the kernel's EINVAL).</exception>
    public MaglevHashScheduler(RealServerState[] servers, SchedulerFlags flags = SchedulerFlags.None, int tableSize = DefaultTableSize)
    {
        ArgumentNullException.ThrowIfNull(servers);
        var index = IndexOfSize(tableSize);
        if (index < 0)
        {
            throw new ArgumentException($"mh table size {tableSize} is not one of {string.Join(", ", TableSizes)}", nameof(tableSize));
        }

        if (servers.Length > tableSize)
        {
            throw new ArgumentException($"mh cannot hold {servers.Length} servers in a table of {tableSize}", nameof(servers));
        }

        _servers = servers;
        _tableSize = tableSize;
        _fallback = (flags & SchedulerFlags.Flag1) != 0;
        _usePort = (flags & SchedulerFlags.Flag2) != 0;
        _lookup = new int[tableSize];
        Array.Fill(_lookup, -1);

        // IP_VS_MH_TAB_BITS = CONFIG_IP_VS_MH_TAB_INDEX / 2, where the index of primes[k] is k + 8.
        Populate((index + 8) / 2);
    }

    /// <summary>The table sizes the kernel can be built with (primes[] of ip_vs_mh.c).</summary>
    public static IReadOnlyList<int> TableSizes => SchedulerNames.MaglevTableSizes;

    /// <inheritdoc />
    public string Name => SchedulerNames.MaglevHash;

    /// <summary>The table size M.</summary>
    public int TableSize => _tableSize;

    /// <summary>The server owning a slot, or null when the table is empty (for tests and listings).</summary>
    public RealServerState? SlotOwner(int slot) => _lookup[slot] < 0 ? null : _servers[_lookup[slot]];

    /// <summary>ip_vs_mh_hashkey(): <c>hsiphash(offset + port + addr, key1) % M</c> for a client.</summary>
    public int SlotOf(uint address, ushort port, uint offset = 0) =>
        (int)(KernelHash.HsipHash(unchecked(offset + port + address), Key1, Key1) % (uint)_tableSize);

    /// <inheritdoc />
    public RealServerState? Schedule(in FlowInfo flow)
    {
        // ip_vs_mh_get_port(): ports exist for TCP, UDP and SCTP only.
        var port = _usePort && flow.Protocol is IpProtocol.Tcp or IpProtocol.Udp or IpProtocol.Sctp ? flow.SourcePort : (ushort)0;
        var slot = SlotOf(flow.Source, port);
        var owner = _lookup[slot];
        if (owner < 0)
        {
            return null;
        }

        var server = _servers[owner];
        if (IsUsable(server))
        {
            return server;
        }

        return _fallback ? Fallback(flow.Source, port, slot) : null;
    }

    /// <summary>True for a slot owner that may take the connection: positive weight, not overloaded.</summary>
    private static bool IsUsable(RealServerState server) => server.Weight > 0 && ServerLoad.IsUsable(server);

    private static int IndexOfSize(int size)
    {
        for (var i = 0; i < TableSizes.Count; i++)
        {
            if (TableSizes[i] == size)
            {
                return i;
            }
        }

        return -1;
    }

    // ip_vs_mh_get_fallback(): probe hash(addr, port, roffset) for roffset = slot, slot + 1, ...
    private RealServerState? Fallback(uint address, ushort port, int slot)
    {
        for (var offset = 0; offset < _tableSize; offset++)
        {
            var roffset = (uint)((offset + slot) % _tableSize);
            var owner = _lookup[SlotOf(address, port, roffset)];
            if (owner < 0)
            {
                break;
            }

            if (IsUsable(_servers[owner]))
            {
                return _servers[owner];
            }
        }

        return null;
    }

    // ip_vs_mh_gcd_weight(), ip_vs_mh_shift_weight(), ip_vs_mh_permutate() and ip_vs_mh_populate().
    private void Populate(int tableBits)
    {
        var servers = _servers;
        var count = servers.Length;
        var m = _tableSize;
        var gcd = 0;
        var maxWeight = 0;
        var weights = new int[count];
        for (var i = 0; i < count; i++)
        {
            var weight = servers[i].LastWeight;
            weights[i] = weight;
            if (weight > 0)
            {
                gcd = gcd > 0 ? ServerLoad.Gcd(weight, gcd) : weight;
                maxWeight = Math.Max(maxWeight, weight);
            }
        }

        // gcd < 1: no server, or every last_weight is 0; the table stays empty.
        if (gcd < 1)
        {
            return;
        }

        // Keep turns small: shift = occupied bits of max/gcd − IP_VS_MH_TAB_BITS (fls() is 1-based).
        var shift = Math.Max(0, (32 - BitOperations.LeadingZeroCount((uint)(maxWeight / gcd))) - tableBits);
        var skip = new int[count];
        var perm = new int[count];
        var turns = new int[count];
        for (var i = 0; i < count; i++)
        {
            var key = unchecked(servers[i].Port + servers[i].Address);
            perm[i] = (int)(KernelHash.HsipHash(key, Key1, Key1) % (uint)m);
            skip[i] = (int)(KernelHash.HsipHash(key, Key2, Key2) % (uint)(m - 1)) + 1;
            var t = (weights[i] / gcd) >> shift;
            turns[i] = t != 0 ? t : weights[i] != 0 ? 1 : 0;
        }

        var taken = new bool[m];
        var filled = 0;
        var run = 0;
        while (true)
        {
            var i = 0;
            while (i < count)
            {
                if (turns[i] < 1)
                {
                    i++;
                    continue;
                }

                var c = perm[i];
                while (taken[c])
                {
                    c += skip[i];
                    if (c >= m)
                    {
                        c -= m;
                    }
                }

                perm[i] = c;
                taken[c] = true;
                _lookup[c] = i;
                if (++filled == m)
                {
                    return;
                }

                if (++run >= turns[i])
                {
                    run = 0;
                    i++;
                }
            }
        }
    }
}
