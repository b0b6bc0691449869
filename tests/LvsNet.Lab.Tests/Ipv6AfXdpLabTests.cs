using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// IPv6 DR and NAT over the AF_XDP backend: the XDP program redirects the IPv6 traffic to the VIP,
/// the neighbour solicitations for it and (NAT) the real servers' replies to the client, leaves the
/// advertisements answering the daemon's solicitations to the kernel (the daemon reads copies), and
/// the host's own IPv6 traffic keeps working (for NAT: the real servers' traffic to the director's
/// own address stays with the kernel).
/// </summary>
[Trait("Category", "Lab")]
public class Ipv6AfXdpLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    [RequiresRootTheory]
    [InlineData("dr")]
    [InlineData("nat")]
    public void Ipv6_OverAfXdp_CurlThroughTheVip_AndTheHostKeepsItsOwnIpv6(string method)
    {
        using var lab = Lab.Up(mode: method, ipv6: true);
        var port = method == "nat" ? 8080 : 80;
        var yaml = $"""
            director:
              interface: eth0
              address: 10.77.0.2/24
              address6: fd77::2/64
            capture:
              backend: afxdp
            virtual_services:
              - name: web6
                protocol: tcp
                address: fd77::100
                port: 80
                scheduler: rr
                real_servers:
                  - address: fd77::b
                    port: {port}
                    method: {method}
                  - address: fd77::c
                    port: {port}
                    method: {method}
            """;
        using var daemon = DaemonProcess.Start(lab, yaml);
        var started = daemon.WaitForEvent("Started", Short);
        Assert.Equal("afxdp", started.GetProperty("Backend").GetString());
        daemon.WaitForEvent("XdpAttached", Short);

        // 20 new connections over IPv6: the client resolves the VIP (solicitation redirected to the
        // daemon), the daemon resolves rs1 and rs2 (advertisements read beside the socket).
        var curl = lab.Shell("client", "for i in $(seq 1 20); do curl -6 -s --max-time 3 'http://[fd77::100]/' || echo FAILED; done", TimeSpan.FromSeconds(90));
        Assert.True(curl.ExitCode == 0, curl.Output);
        var answers = curl.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).GroupBy(l => l.Trim()).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(answers.GetValueOrDefault("rs1") == 10 && answers.GetValueOrDefault("rs2") == 10, curl.StandardOutput + "\n" + daemon.Log);

        // DR and NAT keep the client's address: the real server saw fd77::a.
        var peer = lab.Shell("client", "curl -6 -s --max-time 3 'http://[fd77::100]/peer'", Short);
        Assert.Matches(@"^rs[12] fd77::a\s*$", peer.StandardOutput);

        // The host's own IPv6 stays with the kernel: the client reaches the director's fd77::2 (the
        // kernel answers the solicitation for it), and the director's kernel reaches rs1 (its own
        // solicitation's answer is passed to it; with NAT rs1 is a reply source, and its echo reply
        // to the director's own address stays with the kernel).
        var toHost = lab.Exec("client", Short, "ping", "-6", "-c", "2", "-W", "2", "fd77::2");
        Assert.True(toHost.ExitCode == 0, toHost.Output);
        var fromHost = lab.Exec("dir", Short, "ping", "-6", "-c", "2", "-W", "2", "fd77::b");
        Assert.True(fromHost.ExitCode == 0, fromHost.Output);

        var (_, code) = daemon.Stop(TimeSpan.FromSeconds(10));
        Assert.Equal(0, code);
        var stopped = daemon.Events("CaptureStopped");
        Assert.Single(stopped);
        Assert.True(stopped[0].GetProperty("Forwarded").GetInt64() >= 20 * 3, daemon.Log);
    }
}
