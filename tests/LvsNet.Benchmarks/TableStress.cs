using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using LvsNet.Core.Connections;
using LvsNet.Packets;

namespace LvsNet.Benchmarks;

/// <summary>
/// Fills a connection table with millions of live entries and measures what issue-level goals
/// name: bytes per entry, insert and lookup rates at that size, memory, and GC pauses while the
/// table is full and the process allocates on another thread (as the control plane does).
/// </summary>
internal static class TableStress
{
    public static int Run(int entries)
    {
        var entrySize = Unsafe.SizeOf<ConnectionEntry>();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ConnectionEntry: {entrySize} bytes"));
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();
        var table = new ConnectionTable(entries, seed: 12345);
        var allocated = GC.GetTotalMemory(forceFullCollection: true) - before;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"table of {entries:N0}: {allocated / (1024.0 * 1024):F0} MiB managed ({(double)allocated / entries:F1} bytes per entry incl. buckets), {table.BucketCount:N0} buckets, created in {watch.ElapsedMilliseconds} ms"));

        // Clients spread over a /8 with random-looking ports: keys as a real director sees them.
        static ConnectionKey Key(int i) => new(IpProtocol.Tcp, 0x0B000000u + (uint)(i >> 4) * 2654435761u % 0xFFFFFF, (ushort)(1024 + (i & 0xF) * 3001 % 64000), 0x0A4D0064, 80);

        watch.Restart();
        for (var i = 0; i < entries; i++)
        {
            var index = table.Insert(Key(i), i & 7, ConnectionFlags.None, 0);
            table.Transition(index, ConnectionState.Established, 3600, 0, null);
        }

        var insertSeconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"insert: {entries / insertSeconds / 1e6:F2} M/s ({insertSeconds * 1e9 / entries:F0} ns each), count {table.Count:N0}"));

        var random = new Random(7);
        var probes = new int[1 << 22];
        for (var i = 0; i < probes.Length; i++)
        {
            probes[i] = random.Next(entries);
        }

        watch.Restart();
        var found = 0;
        foreach (var i in probes)
        {
            found += table.Find(Key(i)) >= 0 ? 1 : 0;
        }

        var lookupSeconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lookup (random, table full): {probes.Length / lookupSeconds / 1e6:F2} M/s ({lookupSeconds * 1e9 / probes.Length:F0} ns each), found {found:N0}/{probes.Length:N0}"));

        // GC pauses with the table full: churn garbage (some of it surviving to gen1/gen2) and
        // read each collection's pause.
        var pauses = new List<double>();
        var keep = new object[4096];
        var lastIndex = GC.GetGCMemoryInfo(GCKind.Any).Index;
        watch.Restart();
        var n = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            keep[n++ & 4095] = new byte[n % 64 == 0 ? 100_000 : 512];
            if ((n & 1023) == 0)
            {
                var info = GC.GetGCMemoryInfo(GCKind.Any);
                if (info.Index != lastIndex)
                {
                    lastIndex = info.Index;
                    pauses.Add(info.PauseDurations[0].TotalMilliseconds);
                }
            }
        }

        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        var full = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        pauses.Sort();
        double P(double q) => pauses.Count == 0 ? 0 : pauses[Math.Min(pauses.Count - 1, (int)(q * pauses.Count))];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"GC while full: {pauses.Count} collections observed, pause p50 {P(0.5):F3} ms, p99 {P(0.99):F3} ms, max {P(1):F3} ms; forced full blocking gen2: {full.PauseDurations[0].TotalMilliseconds:F2} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"process working set: {Environment.WorkingSet / (1024.0 * 1024):F0} MiB; GC heap {GC.GetTotalMemory(false) / (1024.0 * 1024):F0} MiB"));

        // Expiry of everything through the wheel, for the record.
        watch.Restart();
        var freed = table.Advance(4000, []);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"expire all via the timer wheel: {freed:N0} entries in {watch.ElapsedMilliseconds} ms"));
        GC.KeepAlive(keep);
        return 0;
    }
}
