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

    /// <summary><c>cpu-time [dr|nat|tun|fullnat ...]</c>: one line a method and row.</summary>
    public static int Run(string[] args)
    {
        var methods = args.Length > 1
            ? args.Skip(1).Select(a => ForwardingMethods.TryParse(a, out var m) ? m : throw new ArgumentException($"unknown forwarding method '{a}'")).ToArray()
            : [ForwardingMethod.DirectRouting, ForwardingMethod.Nat, ForwardingMethod.Tunnel, ForwardingMethod.FullNat];
        foreach (var method in methods)
        {
            var bench = new DataPathBenchmarks { Flows = 1024, Method = method };
            bench.Setup();
            Report(bench, reply: false);
            if (method is ForwardingMethod.Nat or ForwardingMethod.FullNat)
            {
                Report(bench, reply: true);
            }
        }

        return 0;
    }

    // The rows are called directly (no delegate), as a capture loop calls the processor.
    private static void Report(DataPathBenchmarks bench, bool reply)
    {
        var best = double.MaxValue;
        using var process = Process.GetCurrentProcess();
        for (var round = 0; round < Rounds; round++)
        {
            process.Refresh();
            var before = process.TotalProcessorTime;
            for (var i = 0; i < PacketsPerRound; i++)
            {
                if (reply)
                {
                    bench.Reply();
                }
                else
                {
                    bench.EstablishedFlow();
                }
            }

            process.Refresh();
            if (round >= WarmUpRounds)
            {
                best = Math.Min(best, (process.TotalProcessorTime - before).TotalNanoseconds / PacketsPerRound);
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ForwardingMethods.ToConfigName(bench.Method),-8} {(reply ? "reply through the director" : "established client packet"),-28} {best,7:F1} ns CPU per packet"));
    }
}
