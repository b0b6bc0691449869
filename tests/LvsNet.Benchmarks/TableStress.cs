using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.CompilerServices;
using LvsNet.Core.Connections;
using LvsNet.Packets;

namespace LvsNet.Benchmarks;

/// <summary>
/// Fills a connection table with millions of live entries and measures what issue-level goals
/// name: bytes per entry, resident memory, insert and lookup rates at that size (one at a time and
/// batched), and GC pauses while the table is full and churning.
/// </summary>
/// <remarks>
/// Rates are given twice: per wall-clock second and per second of process CPU time. The second
/// is the one to compare on a shared machine, where the process waits for a core.
/// </remarks>
internal static class TableStress
{
    private const int Probes = 1 << 22;

    public static int Run(int entries, bool hugePages = true)
    {
        var entrySize = Unsafe.SizeOf<ConnectionEntry>();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ConnectionEntry: {entrySize} bytes; GC: {(GCSettings.IsServerGC ? "server" : "workstation")}, latency mode {GCSettings.LatencyMode}"));
        var rssStart = ResidentMiB();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();
        var table = new ConnectionTable(entries, seed: 12345, hugePages: hugePages);
        table.Commit();
        var allocated = GC.GetTotalMemory(forceFullCollection: true) - before;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"table of {entries:N0}: {allocated / (1024.0 * 1024):F0} MiB managed = {allocated / 1e6:F0} MB ({(double)allocated / entries:F1} bytes per entry incl. buckets), {table.BucketCount:N0} buckets, created and committed in {watch.ElapsedMilliseconds} ms; resident {rssStart:F0} -> {ResidentMiB():F0} MiB; advised for huge pages {table.HugePageBytes / (1024.0 * 1024):F0} MiB, backed by huge pages {AnonHugeMiB():F0} MiB"));

        // Clients spread over a /8 with random-looking ports: keys as a real director sees them.
        static ConnectionKey Key(int i) => new(IpProtocol.Tcp, 0x0B000000u + (uint)(i >> 4) * 2654435761u % 0xFFFFFF, (ushort)(1024 + (i & 0xF) * 3001 % 64000), 0x0A4D0064, 80);

        var phase = Phase.Start();
        for (var i = 0; i < entries; i++)
        {
            var index = table.Insert(Key(i), i & 7, ConnectionFlags.None, 0);
            table.Transition(index, ConnectionState.Established, 3600, 0, null);
        }

        Console.WriteLine(phase.Rate("insert", entries) + string.Create(CultureInfo.InvariantCulture, $", count {table.Count:N0}; resident {ResidentMiB():F0} MiB"));

        var random = new Random(7);
        var probes = new int[Probes];
        var keys = new ConnectionKey[Probes];
        for (var i = 0; i < probes.Length; i++)
        {
            probes[i] = random.Next(entries);
            keys[i] = Key(probes[i]);
        }

        for (var round = 0; round < 2; round++)
        {
            phase = Phase.Start();
            var found = 0;
            foreach (ref readonly var key in keys.AsSpan())
            {
                found += table.Find(key) >= 0 ? 1 : 0;
            }

            Console.WriteLine(phase.Rate("lookup, one at a time (random, table full)", Probes) + string.Create(CultureInfo.InvariantCulture, $", found {found:N0}/{Probes:N0}"));

            foreach (var batch in (ReadOnlySpan<int>)[8, 32])
            {
                var results = new int[ConnectionTable.MaxBatch];
                phase = Phase.Start();
                found = 0;
                for (var i = 0; i < Probes; i += batch)
                {
                    table.FindBatch(keys.AsSpan(i, batch), results);
                    for (var j = 0; j < batch; j++)
                    {
                        found += results[j] >= 0 ? 1 : 0;
                    }
                }

                Console.WriteLine(phase.Rate($"lookup, FindBatch of {batch}", Probes) + string.Create(CultureInfo.InvariantCulture, $", found {found:N0}/{Probes:N0}"));
            }
        }

        probes = null;
        keys = null;
        Churn(table, entries, "connection churn + small garbage (daemon-like)", withLargeObjects: false);
        Churn(table, entries, "connection churn + small garbage + 100 KB arrays (LOH, forces gen2)", withLargeObjects: true);

        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        var full = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"forced full blocking gen2 with the table full: {full.PauseDurations[0].TotalMilliseconds:F2} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"process resident set: {ResidentMiB():F0} MiB (peak {PeakResidentMiB():F0} MiB); GC heap {GC.GetTotalMemory(false) / (1024.0 * 1024):F0} MiB"));

        // Expiry of everything through the wheel, for the record.
        watch.Restart();
        var freed = table.Advance(4000, []);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"expire all via the timer wheel: {freed:N0} entries in {watch.ElapsedMilliseconds} ms"));
        return 0;

        static void Churn(ConnectionTable table, int entries, string name, bool withLargeObjects)
        {
            // 10 s: each round replaces one connection (remove a random one, insert a new key) and
            // allocates garbage, some of which survives to gen1/gen2 through a ring of 4096 slots.
            var pauses = new List<(double Ms, int Generation)>();
            var keep = new object[4096];
            var random = new Random(11);
            var lastIndex = GC.GetGCMemoryInfo(GCKind.Any).Index;
            var next = entries;
            var n = 0;
            var phase = Phase.Start();
            while (phase.Wall.Elapsed < TimeSpan.FromSeconds(10))
            {
                for (var k = 0; k < 1024; k++, n++)
                {
                    var victim = random.Next(entries);
                    if (table[victim].InUse)
                    {
                        table.Remove(victim, []);
                        table.Insert(Key(next++), next & 7, ConnectionFlags.None, 0);
                    }

                    keep[n & 4095] = new byte[withLargeObjects && n % 64 == 0 ? 100_000 : 512];
                }

                var info = GC.GetGCMemoryInfo(GCKind.Any);
                if (info.Index != lastIndex)
                {
                    lastIndex = info.Index;
                    pauses.Add((info.PauseDurations[0].TotalMilliseconds, info.Generation));
                }
            }

            var sorted = pauses.Select(p => p.Ms).Order().ToList();
            double P(double q) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];
            var gen2 = pauses.Count(p => p.Generation == 2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"GC, {name}: {n:N0} rounds, {pauses.Count} collections sampled ({gen2} gen2), pause p50 {P(0.5):F3} ms, p99 {P(0.99):F3} ms, max {P(1):F3} ms; gen2 max {pauses.Where(p => p.Generation == 2).Select(p => p.Ms).DefaultIfEmpty(0).Max():F3} ms; table count {table.Count:N0}; resident {ResidentMiB():F0} MiB, GC heap {GC.GetTotalMemory(false) / (1024.0 * 1024):F0} MiB, committed {GC.GetGCMemoryInfo().TotalCommittedBytes / (1024.0 * 1024):F0} MiB"));
            GC.KeepAlive(keep);
        }
    }

    private static double ResidentMiB() => StatusKiB("VmRSS:") / 1024.0;

    // Transparent huge pages backing this process's anonymous memory (smaps_rollup).
    private static double AnonHugeMiB()
    {
        var line = File.ReadLines("/proc/self/smaps_rollup").FirstOrDefault(l => l.StartsWith("AnonHugePages:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    private static double PeakResidentMiB() => StatusKiB("VmHWM:") / 1024.0;

    private static long StatusKiB(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    /// <summary>Wall-clock and process CPU time of one measured phase.</summary>
    private readonly record struct Phase(Stopwatch Wall, TimeSpan CpuStart)
    {
        public static Phase Start() => new(Stopwatch.StartNew(), Process.GetCurrentProcess().TotalProcessorTime);

        public string Rate(string name, int operations)
        {
            var wall = Wall.Elapsed.TotalSeconds;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - CpuStart).TotalSeconds;
            return string.Create(CultureInfo.InvariantCulture, $"{name}: {operations / wall / 1e6:F2} M/s wall ({wall * 1e9 / operations:F0} ns each), {operations / cpu / 1e6:F2} M/s of CPU time ({cpu * 1e9 / operations:F0} ns each)");
        }
    }
}
