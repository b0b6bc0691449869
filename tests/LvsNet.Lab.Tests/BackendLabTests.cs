using System.Diagnostics;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// The same end-to-end checks over every packet I/O backend and forwarding method: real nginx,
/// curl and wrk in the namespace lab, with one worker and with two (a fanout group steered by the
/// daemon's classic BPF program, clients from two addresses that the program gives to different
/// workers).
/// </summary>
[Trait("Category", "Lab")]
public class BackendLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(60);

    /// <summary>The built lvsnet-rs next to the daemon's build (same configuration).</summary>
    internal static string RealServerTool =>
        Path.Combine(Path.GetDirectoryName(DaemonProcess.DaemonDll)!, "..", "..", "..", "..", "LvsNet.RealServer", "bin", Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(DaemonProcess.DaemonDll))!)!, "net10.0", "lvsnet-rs.dll");

    private static string Config(string backend, int workers, string method)
    {
        var port = method is "nat" or "fullnat" ? 8080 : 80;
        var pool = method == "fullnat" ? "\n    local_addresses: [10.77.0.50, 10.77.0.51]" : string.Empty;
        return $"""
            director:
              interface: eth0
              address: 10.77.0.2/24
            capture:
              backend: {backend}
              workers: {workers}
            virtual_services:
              - protocol: tcp
                address: 10.77.0.100
                port: 80
                scheduler: rr{pool}
                real_servers:
                  - address: 10.77.0.11
                    port: {port}
                    method: {method}
                  - address: 10.77.0.12
                    port: {port}
                    method: {method}
            """;
    }

    [RequiresRootTheory]
    [InlineData("afpacket", 1, "dr")]
    [InlineData("afpacket", 1, "nat")]
    [InlineData("afpacket", 1, "tun")]
    [InlineData("afpacket", 1, "fullnat")]
    [InlineData("afpacket", 2, "dr")]
    [InlineData("afpacket", 2, "nat")]
    [InlineData("afpacket", 2, "fullnat")]
    [InlineData("afxdp", 1, "dr")]
    [InlineData("afxdp", 1, "nat")]
    [InlineData("afxdp", 1, "tun")]
    [InlineData("afxdp", 1, "fullnat")]
    public void Backend_ForwardsEveryMethodEndToEnd(string backend, int workers, string method)
    {
        using var lab = Lab.Up(mode: method);
        var decapsulators = new List<Process>();
        try
        {
            if (method == "tun")
            {
                foreach (var rs in new[] { "rs1", "rs2" })
                {
                    decapsulators.Add(StartDecapsulator(lab, rs));
                }
            }

            // A second client address that the steering program gives to the other worker.
            var second = Enumerable.Range(20, 40).Select(i => $"10.77.0.{i}")
                .First(a => workers == 1 || FlowSteering.Owner(Ipv4Address.Parse(a), workers) != FlowSteering.Owner(Ipv4Address.Parse("10.77.0.10"), workers));
            var add = lab.Exec("client", Short, "ip", "addr", "add", second + "/24", "dev", "eth0");
            Assert.True(add.ExitCode == 0, add.Output);
            if (method == "nat")
            {
                foreach (var rs in new[] { "rs1", "rs2" })
                {
                    Assert.Equal(0, lab.Exec(rs, Short, "ip", "route", "add", second + "/32", "via", "10.77.0.2", "dev", "eth0").ExitCode);
                }
            }

            using var daemon = DaemonProcess.Start(lab, Config(backend, workers, method));
            var started = daemon.WaitForEvent("Started", Short);
            Assert.Equal((backend, workers), (started.GetProperty("Backend").GetString(), started.GetProperty("Workers").GetInt32()));

            // The connection tables asked for transparent huge pages (docs/connection-table.md), and
            // the kernel's own account of the daemon's memory shows huge pages backing it.
            var tables = daemon.WaitForEvent("ConnectionTables", Short);
            Assert.Equal(workers, tables.GetProperty("Workers").GetInt32());
            if (!File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled").Contains("[never]", StringComparison.Ordinal))
            {
                Assert.True(tables.GetProperty("HugePageMiB").GetInt64() > 0, tables.ToString());
                var huge = File.ReadLines($"/proc/{daemon.Pid}/smaps_rollup").First(l => l.StartsWith("AnonHugePages:", StringComparison.Ordinal));
                Assert.True(long.Parse(huge.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) >= 2048, huge);
            }
            if (backend == "afxdp")
            {
                daemon.WaitForEvent("XdpAttached", Short);
            }

            var answers = lab.Requests(20);
            Assert.Equal(10, answers.GetValueOrDefault("rs1"));
            Assert.Equal(10, answers.GetValueOrDefault("rs2"));
            var fromSecond = lab.Shell("client", $"for i in $(seq 1 10); do curl -s --max-time 3 --interface {second} http://{lab.Vip}/ || echo FAILED; done", Short);
            Assert.Equal(10, fromSecond.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l is "rs1" or "rs2"));

            var wrk = lab.Exec("client", Short, "wrk", "-t2", "-c8", "-d2s", "--timeout", "3s", $"http://{lab.Vip}/");
            Assert.True(wrk.ExitCode == 0, wrk.Output);
            Assert.DoesNotContain("Socket errors", wrk.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("Non-2xx", wrk.StandardOutput, StringComparison.Ordinal);

            daemon.Stop(TimeSpan.FromSeconds(10));
            var stopped = daemon.Events("CaptureStopped");
            Assert.Equal(workers, stopped.Count);
            Assert.All(stopped, e => Assert.True(e.GetProperty("Forwarded").GetInt64() > 0, $"a worker forwarded nothing:\n{daemon.Log}"));
        }
        finally
        {
            foreach (var process in decapsulators)
            {
                Lab.Stop(process);
            }
        }
    }

    internal static Process StartDecapsulator(Lab lab, string rs)
    {
        var process = lab.Start(rs, "dotnet", RealServerTool, "tun", "run", "10.77.0.100", "--interface", "eth0");
        var line = process.StandardOutput.ReadLine();
        while (line is not null && !line.StartsWith("decapsulating", StringComparison.Ordinal))
        {
            line = process.StandardOutput.ReadLine();
        }

        if (line is null)
        {
            // Only now: reading stderr to its end waits for the process to exit.
            Assert.Fail("lvsnet-rs did not start: " + process.StandardError.ReadToEnd());
        }

        return process;
    }
}
