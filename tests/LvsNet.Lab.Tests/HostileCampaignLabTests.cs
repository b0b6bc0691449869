using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// The short form of the hostile-traffic campaign (lab/hostile-campaign.sh --short): 2000 frames of
/// every class (IPv4, and IPv6 against an IPv6 service of the same director) against lvsnetd while curl, one keep-alive connection and wrk keep working. The daemon
/// must stay up without an exception, serve legitimate clients, keep the keep-alive connection and
/// its memory; every class has an expected outcome, and the ones whose defence is still pending must
/// still be seen leaking, so the list shrinks as defences land instead of hiding anything.
/// </summary>
[Trait("Category", "Lab")]
public class HostileCampaignLabTests
{
    private enum Outcome
    {
        /// <summary>No frame of the class reaches a real server.</summary>
        Blocked,

        /// <summary>Nothing diverted to a wrong MAC, every probe connection after the class answered.</summary>
        NotPoisoned,

        /// <summary>Measured, not asserted (valid frames may be forwarded).</summary>
        Informational,
    }

    /// <summary>
    /// What each class must come to once issue 13's defences are in (from the kernel's input path, IPVS
    /// and the issue's goals, not from the daemon's code).
    /// </summary>
    private static readonly Dictionary<string, Outcome> Expected = new(StringComparer.Ordinal)
    {
        ["arp-who-has-vip-foreign-mac"] = Outcome.NotPoisoned,
        ["arp-gratuitous-real-server"] = Outcome.NotPoisoned,
        ["arp-unsolicited-reply"] = Outcome.NotPoisoned,
        ["arp-sender-zero-mac"] = Outcome.NotPoisoned,
        ["arp-sender-broadcast-mac"] = Outcome.NotPoisoned,
        ["arp-sender-multicast-mac"] = Outcome.NotPoisoned,
        ["arp-sender-director-mac"] = Outcome.NotPoisoned,
        ["arp-claims-vip"] = Outcome.NotPoisoned,
        ["arp-claims-dip"] = Outcome.NotPoisoned,
        ["martian-src-zero-net"] = Outcome.Blocked,
        ["martian-src-loopback"] = Outcome.Blocked,
        ["martian-src-multicast"] = Outcome.Blocked,
        ["martian-src-limited-broadcast"] = Outcome.Blocked,
        ["martian-src-class-e"] = Outcome.Blocked,
        ["martian-src-vip"] = Outcome.Blocked,
        ["martian-src-dip"] = Outcome.Blocked,
        ["ip-bad-header-checksum"] = Outcome.Blocked,
        ["ip-ihl-below-5"] = Outcome.Blocked,
        ["ip-ihl-past-total-length"] = Outcome.Blocked,
        ["ip-total-length-below-header"] = Outcome.Blocked,
        ["ip-total-length-past-frame"] = Outcome.Blocked,
        ["ip-options-malformed"] = Outcome.Blocked,
        ["ip-options-lsrr"] = Outcome.Blocked,
        ["ip-options-ssrr"] = Outcome.Blocked,
        ["tcp-syn-fin"] = Outcome.Blocked,
        ["tcp-syn-rst"] = Outcome.Blocked,
        ["tcp-syn-ack"] = Outcome.Blocked,
        ["tcp-no-flags"] = Outcome.Blocked,
        ["tcp-fin-no-ack"] = Outcome.Blocked,
        ["tcp-src-port-0"] = Outcome.Blocked,
        ["tcp-dst-port-0"] = Outcome.Blocked,
        ["vlan-tagged"] = Outcome.Blocked,
        ["ttl-1"] = Outcome.Blocked,
        // veth hands up unpadded frames, so runts are judged by the IPv4 header (docs/hardening.md), not by 60 bytes.
        ["runt"] = Outcome.Informational,
        ["oversize"] = Outcome.Blocked,
        ["ip-fragments-overlapping"] = Outcome.Blocked,
        ["ip-fragments-tiny-first"] = Outcome.Blocked,
        ["ip-fragments-valid"] = Outcome.Informational,
        ["flood-syn-spoofed"] = Outcome.Informational,
        ["flood-ack-unknown-flow"] = Outcome.Blocked,
        ["flood-arp"] = Outcome.Informational,
        ["mutation"] = Outcome.Informational,
        ["ipv6-bad-version"] = Outcome.Blocked,
        ["ipv6-payload-length-past-frame"] = Outcome.Blocked,
        ["ipv6-ext-too-many"] = Outcome.Blocked,
        ["ipv6-ext-bad-length"] = Outcome.Blocked,
        ["ipv6-ext-hop-by-hop-not-first"] = Outcome.Blocked,
        ["ipv6-routing-segments-left"] = Outcome.Blocked,
        ["ipv6-fragments-overlapping"] = Outcome.Blocked,
        ["ipv6-fragments-tiny-first"] = Outcome.Blocked,
        ["ipv6-fragments-chain-split"] = Outcome.Blocked,
        ["ipv6-na-forged-real-server"] = Outcome.NotPoisoned,
        ["ipv6-fragments-valid"] = Outcome.Informational,
    };

    /// <summary>
    /// The IPv6 classes' drop reasons (RFC 8200 input checks, RFC 5722, RFC 7112, RFC 4861 policy) and the
    /// share of the class's frames each must count: a tiny or split first fragment is refused at once, the
    /// second fragment of its pair waits for the fragment timeout (counted FragmentTimeout later).
    /// </summary>
    private static readonly Dictionary<string, (string Reason, double Share)> Ipv6Reasons = new(StringComparer.Ordinal)
    {
        ["ipv6-bad-version"] = ("MalformedIpv6", 1),
        ["ipv6-payload-length-past-frame"] = ("MalformedIpv6", 1),
        ["ipv6-ext-too-many"] = ("Ipv6ExtensionHeaders", 1),
        ["ipv6-ext-bad-length"] = ("Ipv6ExtensionHeaders", 1),
        ["ipv6-ext-hop-by-hop-not-first"] = ("Ipv6ExtensionHeaders", 1),
        ["ipv6-routing-segments-left"] = ("Ipv6ExtensionHeaders", 1),
        ["ipv6-fragments-overlapping"] = ("FragmentOverlap", 1),
        ["ipv6-fragments-tiny-first"] = ("Ipv6ExtensionHeaders", 0.5),
        ["ipv6-fragments-chain-split"] = ("Ipv6ExtensionHeaders", 0.5),
        ["ipv6-na-forged-real-server"] = ("NeighborAdvertisementRefused", 1),
    };

    /// <summary>
    /// Classes whose defence has not landed yet: the test asserts that they STILL leak, so when a
    /// defence lands this test fails until its classes are taken off this list (and then held to
    /// <see cref="Expected"/>). Measured against main on the date of the commit that last changed it.
    /// </summary>
    private static readonly HashSet<string> PendingDefences = new(StringComparer.Ordinal)
    {
        // CLASS@BACKEND: pending on that backend only. None at present.
    };

    /// <summary>
    /// 802.1Q-tagged SYNs to the VIP on the afxdp backend. The lab's switch is a Linux bridge, whose ingress moves
    /// the tag into the socket buffer's metadata, so the director's XDP program gets the frames without it (as
    /// from a NIC with receive VLAN offload); before the device-bound program asked the driver for the tag,
    /// 2000 of 2000 reached a real server. None may, each must be counted as <c>VlanTagged</c>, and the
    /// legitimate clients keep working.
    /// </summary>
    [RequiresRootFact]
    public void VlanTaggedClass_OnAfXdp_NoFrameReachesARealServer()
    {
        const int count = 2000;
        var id = "hv" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var script = Path.Combine(TestEnvironment.RepositoryRoot, "lab", "hostile-campaign.sh");
        ProcessResult result;
        try
        {
            result = ProcessResult.Run(script,
                ["--backend", "afxdp", "--methods", "nat", "--classes", "vlan-tagged", "--count", count.ToString(CultureInfo.InvariantCulture),
                 "--no-baseline", "--max-class-seconds", "30", "--id", id], TimeSpan.FromSeconds(100));
        }
        finally
        {
            ProcessResult.Run(Lab.Script, ["down", id + "na"], TimeSpan.FromSeconds(30));
        }

        Assert.True(result.ExitCode == 0, $"hostile-campaign.sh exited {result.ExitCode}:\n{result.Output}");
        using var document = JsonDocument.Parse(result.StandardOutput.Trim().Split('\n')[^1]);
        var summary = document.RootElement[0];
        var report = result.StandardError;
        Assert.True(summary.GetProperty("daemon_alive").GetBoolean(), report);
        Assert.True(summary.GetProperty("exceptions_in_log").GetInt32() == 0, "exceptions in the daemon's log:\n" + report);

        var vlan = Assert.Single(summary.GetProperty("classes").EnumerateArray());
        Assert.Equal("vlan-tagged", vlan.GetProperty("class").GetString());
        var sent = vlan.GetProperty("sent").GetInt64();
        Assert.True(sent >= count * 95 / 100, $"only {sent} of {count} tagged frames left:\n{report}");
        Assert.True(vlan.GetProperty("reached_rs").GetInt64() == 0, $"tagged frames reached a real server:\n{report}");
        var drops = vlan.GetProperty("daemon").GetProperty("drops_by_reason");
        var counted = drops.TryGetProperty("VlanTagged", out var value) ? value.GetInt64() : 0;
        Assert.True(counted >= sent, $"{counted} VlanTagged drops for {sent} tagged frames:\n{report}");

        // The leak created a connection per tagged SYN; legitimate clients open a few dozen in the same time.
        var created = vlan.GetProperty("daemon").GetProperty("connections_created").GetInt64();
        Assert.True(created < sent / 4, $"{created} connections created during the class of {sent} tagged SYNs:\n{report}");

        var legit = summary.GetProperty("legit").GetProperty("attack");
        Assert.True(legit.GetProperty("total").GetInt32() > 0 && legit.GetProperty("ok").GetInt32() == legit.GetProperty("total").GetInt32(),
            $"legitimate requests during the attack pass: {legit}\n{report}");
        Assert.False(summary.GetProperty("keepalive").GetProperty("broken").GetBoolean(), "the keep-alive connection broke:\n" + report);
    }

    [RequiresRootTheory]
    [InlineData("pcap", "dr")]
    [InlineData("afpacket", "nat")]
    [InlineData("afxdp", "nat")]
    public void ShortCampaign_DaemonSurvivesAndServes(string backend, string method)
    {
        var id = "hc" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var script = Path.Combine(TestEnvironment.RepositoryRoot, "lab", "hostile-campaign.sh");
        ProcessResult result;
        try
        {
            result = ProcessResult.Run(script, ["--short", "--backend", backend, "--methods", method, "--id", id], TimeSpan.FromSeconds(100));
        }
        finally
        {
            // Normally the script's trap has already done this; after a kill on timeout it has not.
            ProcessResult.Run(Lab.Script, ["down", id + method[..2]], TimeSpan.FromSeconds(30));
        }

        Assert.True(result.ExitCode == 0, $"hostile-campaign.sh exited {result.ExitCode}:\n{result.Output}");
        using var document = JsonDocument.Parse(result.StandardOutput.Trim().Split('\n')[^1]);
        var summary = document.RootElement[0];
        var report = result.StandardError;

        Assert.True(summary.GetProperty("daemon_alive").GetBoolean(), report);
        Assert.True(summary.GetProperty("exceptions_in_log").GetInt32() == 0, "exceptions in the daemon's log:\n" + report);
        Assert.True(summary.GetProperty("capture_errors").GetInt64() == 0, "errors caught on the capture thread:\n" + report);

        // Legitimate success over the attack pass, leaving out the time windows of the classes whose defence is
        // pending (an ARP class that still poisons makes the connections scheduled to that server fail, which is
        // the leak the class is listed for); when a defence lands its window counts again.
        var classes = summary.GetProperty("classes").EnumerateArray().ToDictionary(c => c.GetProperty("class").GetString()!, StringComparer.Ordinal);
        var legit = summary.GetProperty("legit").GetProperty("attack");
        bool Pending(string name) => PendingDefences.Contains(name) || PendingDefences.Contains(name + "@" + backend);
        var pendingWindows = classes.Where(c => Pending(c.Key)).Select(c => c.Value.GetProperty("legit")).ToList();
        var ok = legit.GetProperty("ok").GetInt32() - pendingWindows.Sum(w => w.GetProperty("ok").GetInt32());
        var total = legit.GetProperty("total").GetInt32() - pendingWindows.Sum(w => w.GetProperty("total").GetInt32());
        Assert.True(total >= 50, $"only {total} legitimate requests were made outside pending classes:\n{report}");
        Assert.True(ok >= 0.99 * total, $"legitimate success {ok}/{total} outside pending classes is below 99 % (all: {legit}):\n{report}");

        var keepalive = summary.GetProperty("keepalive");
        Assert.True(keepalive.GetProperty("requests").GetInt32() >= 20, report);
        Assert.False(keepalive.GetProperty("broken").GetBoolean(), "the keep-alive connection broke:\n" + report);

        var wrk = summary.GetProperty("wrk").GetProperty("attack");
        Assert.True(wrk.GetProperty("requests").GetInt64() > 0, report);
        Assert.Equal(0, wrk.GetProperty("socket_errors").GetInt64());

        // A few thousand frames per class cannot show a slow leak; this bound catches a gross one (the runtime's
        // own warm-up moves RSS by some 20 % in the first seconds). The long run in docs/reliability.md holds the 10 % goal.
        var before = summary.GetProperty("rss_kb_before").GetInt64();
        var after = summary.GetProperty("rss_kb_after").GetInt64();
        Assert.True(before > 0 && after > 0 && after <= before * 3 / 2, $"RSS {before} -> {after} kB:\n{report}");

        Assert.Equal(Expected.Keys.Order(StringComparer.Ordinal), classes.Keys.Order(StringComparer.Ordinal));
        var wrong = new List<string>();
        foreach (var (name, outcome) in Expected)
        {
            var c = classes[name];
            var sent = c.GetProperty("sent").GetInt64();
            // The kernel may refuse the odd frame of a burst (ENOBUFS); a class that mostly did not leave proves nothing.
            if (sent < 1900)
            {
                wrong.Add($"{name}: only {sent} of 2000 frames left, {c.GetProperty("send_failures").GetInt64()} refused by the kernel");
                continue;
            }

            var leaked = outcome switch
            {
                Outcome.Blocked => c.GetProperty("reached_rs").GetInt64() > 0,
                Outcome.NotPoisoned => c.GetProperty("diverted").GetInt64() > 0 || c.GetProperty("probe_failures").GetInt32() > 0,
                _ => (bool?)null,
            };
            if (leaked is null)
            {
                continue;
            }

            if (Ipv6Reasons.TryGetValue(name, out var expectedDrop))
            {
                // Every frame the daemon refused is counted under its reason (a few may be lost to the capture buffer at 20 kpps).
                var drops = c.GetProperty("daemon").GetProperty("drops_by_reason");
                var counted = drops.TryGetProperty(expectedDrop.Reason, out var n) ? n.GetInt64() : 0;
                if (counted < 0.9 * expectedDrop.Share * sent)
                {
                    wrong.Add($"{name}: {counted} drops counted {expectedDrop.Reason} for {sent} frames");
                }
            }

            var pending = Pending(name);
            if (leaked.Value != pending)
            {
                wrong.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: expected {(pending ? "still leaking (PendingDefences)" : outcome.ToString())}, measured reached_rs {c.GetProperty("reached_rs").GetInt64()}, diverted {c.GetProperty("diverted").GetInt64()}, probe failures {c.GetProperty("probe_failures").GetInt32()}"));
            }
        }

        Assert.True(wrong.Count == 0, string.Join('\n', wrong) + "\n" + report);
        Assert.All(PendingDefences, name => Assert.True(Expected[name.Split('@')[0]] != Outcome.Informational, name));
    }
}
