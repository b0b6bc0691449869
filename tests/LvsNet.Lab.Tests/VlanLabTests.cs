using System.Diagnostics;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// The director on VLAN 100 of a trunk (<c>director.vlan: 100</c>) on every backend: the client, the
/// real servers and the director's own kernel are put on VLAN 100 by tcx programs
/// (<c>lvsnet-rs vlan run</c>; this kernel has no 8021q module), so every frame on the lab's bridge
/// is 802.1Q-tagged. Real curl requests are answered through the daemon; tshark on the client's
/// interface decodes the tags of what arrives there; an untagged client gets no service and its
/// frames are counted as <c>VlanUntagged</c>.
/// </summary>
[Trait("Category", "Lab")]
public class VlanLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(60);

    [RequiresRootTheory]
    [InlineData("pcap", "nat")]
    [InlineData("afpacket", "dr")]
    [InlineData("afxdp", "nat")]
    public void DirectorOnVlan100_ServesTaggedClients_AndDropsUntaggedOnes(string backend, string method)
    {
        using var lab = Lab.Up(mode: method);
        var ports = new List<Process>();
        try
        {
            foreach (var role in (string[])["dir", "rs1", "rs2", "client"])
            {
                ports.Add(StartVlanPort(lab, role));
            }

            var directorMac = lab.Exec("dir", Short, "cat", "/sys/class/net/eth0/address").StandardOutput.Trim();
            var config = DirectRoutingLabTests.Config("rr", extra: $"  vlan: 100\ncapture:\n  backend: {backend}", method: method, realPort: method == "nat" ? 8080 : 80);

            // What reaches the client's interface from the daemon's start on (its gratuitous ARP for the
            // VIP included), decoded by tshark: packet sockets see a frame before the tcx program takes
            // its tag off.
            using var tshark = lab.Start("client", "tshark", "-i", "eth0", "-n", "-l", "-a", "duration:40", "-T", "fields", "-e", "eth.src", "-e", "vlan.id", "-e", "ip.src", "-e", "arp.src.proto_ipv4");
            WaitForCapture(tshark);
            using var daemon = DaemonProcess.Start(lab, config);

            var answers = lab.Requests(20);
            Assert.True(answers.GetValueOrDefault("rs1") == 10 && answers.GetValueOrDefault("rs2") == 10, $"answers: {string.Join(", ", answers)}\n{daemon.Log}");
            var wrk = lab.Exec("client", Short, "wrk", "-t1", "-c4", "-d2s", "--timeout", "2s", $"http://{lab.Vip}/");
            Assert.True(wrk.ExitCode == 0, wrk.Output);
            Assert.DoesNotContain("Socket errors", wrk.StandardOutput, StringComparison.Ordinal);

            var frames = ReadFrames(tshark);
            Assert.True(frames.Count > 100, $"only {frames.Count} frames captured");
            Assert.All(frames, f => Assert.Equal("100", f.Vlan));
            var fromDirector = frames.Where(f => string.Equals(f.Source, directorMac, StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.Contains(fromDirector, f => f.ArpSender == lab.Vip);
            if (method == "nat")
            {
                Assert.Contains(fromDirector, f => f.IpSource == lab.Vip);
            }

            // The client leaves the VLAN: its frames arrive untagged, on the trunk's native VLAN.
            Lab.Stop(ports[^1]);
            ports.RemoveAt(ports.Count - 1);
            lab.Exec("client", Short, "ip", "neigh", "flush", "dev", "eth0");
            var untagged = lab.Requests(2, maxTimeSeconds: 2);
            Assert.Equal(2, untagged.GetValueOrDefault("FAILED"));

            daemon.Stop(TimeSpan.FromSeconds(10));
            var drops = FloodDefenceLabTests.Drops(daemon);
            Assert.True(drops.GetValueOrDefault("VlanUntagged") > 0, $"drops: {string.Join(", ", drops)}");
        }
        finally
        {
            foreach (var port in ports)
            {
                Lab.Stop(port);
            }
        }
    }

    private static Process StartVlanPort(Lab lab, string role)
    {
        var process = lab.Start(role, "dotnet", BackendLabTests.RealServerTool, "vlan", "run", "eth0", "100");
        var line = process.StandardOutput.ReadLine();
        if (line is null || !line.Contains("is on VLAN 100", StringComparison.Ordinal))
        {
            Assert.Fail($"lvsnet-rs vlan run in {role} did not start: {line} {process.StandardError.ReadToEnd()}");
        }

        return process;
    }

    private static void WaitForCapture(Process tshark)
    {
        // tshark says "Capturing on 'eth0'" on standard error once its socket is open.
        var line = tshark.StandardError.ReadLine();
        while (line is not null && !line.Contains("Capturing on", StringComparison.Ordinal))
        {
            line = tshark.StandardError.ReadLine();
        }

        Assert.NotNull(line);
    }

    private static List<(string Source, string Vlan, string IpSource, string ArpSender)> ReadFrames(Process tshark)
    {
        // SIGINT ends the capture at once (tshark prints each frame as it comes, -l); its own limit
        // (-a duration) only bounds a capture that this never reaches.
        ProcessResult.Run("kill", ["-INT", tshark.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
        var output = tshark.StandardOutput.ReadToEnd();
        tshark.WaitForExit(20_000);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.TrimEnd('\r').Split('\t'))
            .Where(f => f.Length >= 4)
            .Select(f => (f[0], f[1], f[2], f[3]))];
    }
}
