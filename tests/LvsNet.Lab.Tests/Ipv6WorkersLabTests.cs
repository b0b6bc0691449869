using LvsNet.Core.DataPath;
using LvsNet.Packets.Ipv6;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// IPv6 services with two capture workers (afpacket fanout steered by the daemon's classic BPF
/// program): clients from two IPv6 addresses that the program gives to different workers, real
/// nginx servers, curl and wrk over IPv6; each worker must have forwarded traffic and no request
/// may fail (a reply steered to the wrong worker would find no connection).
/// </summary>
[Trait("Category", "Lab")]
public class Ipv6WorkersLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(60);

    [RequiresRootTheory]
    [InlineData("dr")]
    [InlineData("nat")]
    [InlineData("fullnat")]
    public void TwoWorkers_Ipv6Service_EveryMethodEndToEnd(string method)
    {
        using var lab = Lab.Up(mode: method, ipv6: true);
        var port = method == "dr" ? 80 : 8080;
        var pool = method == "fullnat" ? "\n    local_addresses: [fd77::50, fd77::51]" : string.Empty;
        var yaml = $"""
            director:
              interface: eth0
              address: 10.77.0.2/24
              address6: fd77::2/64
            capture:
              backend: afpacket
              workers: 2
            virtual_services:
              - protocol: tcp
                address: fd77::100
                port: 80
                scheduler: rr{pool}
                real_servers:
                  - address: fd77::b
                    port: {port}
                    method: {method}
                  - address: fd77::c
                    port: {port}
                    method: {method}
            """;

        // A second client address that the steering program gives to the other worker.
        var first = Ipv6Address.Parse("fd77::a");
        var second = Enumerable.Range(0x20, 0x40).Select(i => Ipv6Address.Parse($"fd77::{i:x}"))
            .First(a => FlowSteering.Owner(FlowSteering.Key6(a, 128), 2) != FlowSteering.Owner(FlowSteering.Key6(first, 128), 2));
        var add = lab.Exec("client", Short, "ip", "-6", "addr", "add", second + "/64", "dev", "eth0", "nodad");
        Assert.True(add.ExitCode == 0, add.Output);
        if (method == "nat")
        {
            foreach (var rs in new[] { "rs1", "rs2" })
            {
                var route = lab.Exec(rs, Short, "ip", "-6", "route", "add", second + "/128", "via", "fd77::2", "dev", "eth0");
                Assert.True(route.ExitCode == 0, route.Output);
            }
        }

        using var daemon = DaemonProcess.Start(lab, yaml);
        var started = daemon.WaitForEvent("Started", Short);
        Assert.Equal(2, started.GetProperty("Workers").GetInt32());

        foreach (var source in new[] { first, second })
        {
            var curl = lab.Shell("client", $"for i in $(seq 1 10); do curl -6 -s --max-time 3 --interface {source} 'http://[fd77::100]/' || echo FAILED; done", TimeSpan.FromSeconds(90));
            var answers = curl.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
            Assert.True(answers.Count == 10 && answers.Count(a => a == "rs1") == 5 && answers.Count(a => a == "rs2") == 5, $"from {source}:\n{curl.Output}\n{daemon.Log}");
        }

        var wrk = lab.Exec("client", Short, "wrk", "-t2", "-c8", "-d2s", "--timeout", "3s", "http://[fd77::100]/");
        Assert.True(wrk.ExitCode == 0, wrk.Output);
        Assert.DoesNotContain("Socket errors", wrk.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Non-2xx", wrk.StandardOutput, StringComparison.Ordinal);

        daemon.Stop(TimeSpan.FromSeconds(10));
        var stopped = daemon.Events("CaptureStopped");
        Assert.Equal(2, stopped.Count);
        Assert.All(stopped, e => Assert.True(e.GetProperty("Forwarded").GetInt64() > 0, $"a worker forwarded nothing:\n{daemon.Log}"));
    }
}
