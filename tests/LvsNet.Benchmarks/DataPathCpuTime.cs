using System.Diagnostics;
using System.Globalization;
using LvsNet.Core.Configuration;

namespace LvsNet.Benchmarks;

/// <summary>
/// The <see cref="DataPathBenchmarks"/> rows measured by the process's CPU time instead of the
/// wall clock: on a machine shared with other work (two cores, builds running) wall-clock
/// figures swing by half, while CPU time per packet moves by a few percent. Eight rounds of
/// four million packets each; the first two warm up (tiering), the report is the best of the rest.
/// </summary>
internal static class DataPathCpuTime
{
    private const int Rounds = 8;
    private const int WarmUpRounds = 2;
    private const int PacketsPerRound = 4_000_000;

    /// <summary><c>cpu-time [dr|nat|tun|fullnat ...]</c>: one line a method and row (established, reply, new flow).</summary>
    public static int Run(string[] args)
    {
        if (args is [_, "sync", ..])
        {
            return RunSync(args[1..]);
        }

        var methods = args.Length > 1
            ? args.Skip(1).Select(a => ForwardingMethods.TryParse(a, out var m) ? m : throw new ArgumentException($"unknown forwarding method '{a}'")).ToArray()
            : [ForwardingMethod.DirectRouting, ForwardingMethod.Nat, ForwardingMethod.Tunnel, ForwardingMethod.FullNat];
        foreach (var method in methods)
        {
            var bench = new DataPathBenchmarks { Flows = 1024, Method = method };
            bench.Setup();
            Report(bench, Row.Established);
            if (method is ForwardingMethod.Nat or ForwardingMethod.FullNat)
            {
                Report(bench, Row.Reply);
            }

            Report(bench, Row.NewFlow);
            bench.AssertNewFlowsForwarded();
            Report(bench, Row.ShortConnection);
            bench.AssertNewFlowsForwarded();
        }

        return 0;
    }

    /// <summary>
    /// <c>cpu-time sync [methods]</c>: the established and short-connection rows with the master
    /// sync off, then on, then on with a 10 s sync_refresh_period and 3 retries, in the same process (the records are drained every 1024 iterations, as
    /// the sync thread would: that work is counted too, so the figure is an upper bound).
    /// </summary>
    private static int RunSync(string[] args)
    {
        var methods = args.Length > 1
            ? args.Skip(1).Select(a => ForwardingMethods.TryParse(a, out var m) ? m : throw new ArgumentException($"unknown forwarding method '{a}'")).ToArray()
            : [ForwardingMethod.DirectRouting, ForwardingMethod.Nat, ForwardingMethod.FullNat];
        foreach (var method in methods)
        {
            foreach (var (sync, refresh) in new[] { (false, 0), (true, 0), (true, 10) })
            {
                var bench = new DataPathBenchmarks { Flows = 1024, Method = method, Sync = sync, SyncRefreshSeconds = refresh };
                bench.Setup();
                var label = !sync ? "sync off          " : refresh > 0 ? $"sync on, refresh {refresh}s " : "sync on           ";
                Console.Write(label);
                Report(bench, Row.Established);
                bench.AssertNewFlowsForwarded();
                Console.Write(label);
                Report(bench, Row.ShortConnection);
                bench.AssertNewFlowsForwarded();
            }
        }

        return 0;
    }

    private enum Row
    {
        Established,
        Reply,
        NewFlow,
        ShortConnection,
    }

    // The rows are called directly (no delegate), as a capture loop calls the processor.
    private static void Report(DataPathBenchmarks bench, Row row)
    {
        var (sentBefore, forwardedBefore) = (bench.FramesSent, bench.Forwarded);
        var best = double.MaxValue;
        using var process = Process.GetCurrentProcess();
        for (var round = 0; round < Rounds; round++)
        {
            process.Refresh();
            var before = process.TotalProcessorTime;
            for (var i = 0; i < PacketsPerRound; i++)
            {
                switch (row)
                {
                    case Row.Reply:
                        bench.Reply();
                        break;
                    case Row.NewFlow:
                        bench.NewFlow();
                        break;
                    case Row.ShortConnection:
                        if (i % 8 == 0)
                        {
                            // Eight times fewer rounds of a row that sends 5 to 9 frames each.
                            bench.ShortConnection();
                        }

                        break;
                    default:
                        bench.EstablishedFlow();
                        break;
                }

                if (bench.Sync && (i & 1023) == 0)
                {
                    bench.DrainSync();
                }
            }

            process.Refresh();
            if (round >= WarmUpRounds)
            {
                best = Math.Min(best, (process.TotalProcessorTime - before).TotalNanoseconds / (row == Row.ShortConnection ? PacketsPerRound / 8 : PacketsPerRound));
            }
        }

        static string Describe(Row row) => row switch
        {
            Row.Reply => "reply through the director",
            Row.NewFlow => "new flow (SYN)",
            Row.ShortConnection => "short connection, per conn.",
            _ => "established client packet",
        };

        // A row measures forwarding only if every frame it sent was forwarded, once.
        var (sent, forwarded) = (bench.FramesSent - sentBefore, bench.Forwarded - forwardedBefore);
        if (sent != forwarded)
        {
            throw new InvalidOperationException($"{row}: {sent} frames sent, {forwarded} forwarded");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ForwardingMethods.ToConfigName(bench.Method),-8} {Describe(row),-28} {best,7:F1} ns CPU per {(row == Row.ShortConnection ? "connection" : "packet")}"));
    }
}
