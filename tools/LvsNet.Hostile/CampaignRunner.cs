using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using LvsNet.PacketIo.AfPacket;

namespace LvsNet.Hostile;

/// <summary>
/// Runs the classes one after the other: send (bounded in count and time, paced), let the frames
/// settle, probe new connections after ARP classes, read the watchers and the daemon, heal the
/// neighbour entries the class may have poisoned, then go on. Prints one JSON document.
/// </summary>
internal sealed class CampaignRunner(CampaignOptions options)
{
    private readonly DaemonProbe _daemon = new(options.Socket, options.DaemonPid);

    public JsonObject Run()
    {
        var context = new LabContext
        {
            ClientMac = CampaignOptions.Mac(File.ReadAllText($"/sys/class/net/{options.Interface}/address").Trim()),
            DirectorMac = options.DirectorMac,
            ClientIp = ToUInt(options.ClientIp),
            Vip = ToUInt(options.Vip),
            Dip = ToUInt(options.Dip),
            RealServerIps = [.. options.RealServerIps.Select(ToUInt)],
            RealServerMacs = options.RealServerMacs,
            Port = options.Port,
            Vip6 = options.Vip6?.GetAddressBytes() ?? [],
            Dip6 = options.Dip6?.GetAddressBytes() ?? [],
            ClientIp6 = options.ClientIp6?.GetAddressBytes() ?? [],
            RealServerIps6 = [.. options.RealServerIps6.Select(a => a.GetAddressBytes())],
        };
        using var device = new AfPacketDevice(new AfPacketOptions(options.Interface)
        {
            Filter = "less 1",
            Promiscuous = false,
            BlockSizeBytes = 64 * 1024,
            BlockCount = 1,
            TransmitBatchSize = 64,
            TransmitFrameSizeBytes = 2048,
        });

        var rssBefore = _daemon.RssKilobytes();
        var results = new JsonArray();
        foreach (var cls in ClassCatalog.Select(options.Classes))
        {
            if (cls.Ipv6 && (options.Vip6 is null || options.Dip6 is null || options.ClientIp6 is null || options.RealServerIps6.Length == 0))
            {
                // The lab has no IPv6 (or the campaign was not told its addresses): nothing to attack.
                continue;
            }

            var result = RunClass(cls, context, device);
            results.Add(result);
            Console.Error.WriteLine($"hostile: {cls.Name,-32} sent {result["sent"],9} reached_rs {result["reached_rs"],7} diverted {result["diverted"],5} probe_failures {result["probe_failures"],2} {result["verdict"]}");
            if (!_daemon.Alive())
            {
                Console.Error.WriteLine("hostile: the daemon is gone; stopping the campaign");
                break;
            }
        }

        return new JsonObject
        {
            ["dry_run"] = options.DryRun,
            ["seed"] = options.Seed,
            ["daemon_alive"] = _daemon.Alive(),
            ["rss_kb_before"] = rssBefore,
            ["rss_kb_after"] = _daemon.RssKilobytes(),
            ["classes"] = results,
        };
    }

    private JsonObject RunClass(HostileClass cls, LabContext context, AfPacketDevice device)
    {
        var count = cls.Kind == ClassKind.Mutation && options.Mutations is { } mutations ? mutations : options.Count;
        var pps = cls.Kind == ClassKind.Mutation && options.MutationPps is { } mutationPps ? mutationPps : options.Pps;
        var before = _daemon.DataPath();
        var markedBefore = Marked(cls.Id);
        var divertedBefore = Diverted();
        var start = DateTimeOffset.UtcNow;

        string? restoreMtu = null;
        if (cls.Oversize && !options.DryRun)
        {
            // The veth refuses to send a frame larger than its MTU (plus the Ethernet header); 1504 lets a
            // 1518-byte untagged frame out, and the bridge and the director's veth still accept it.
            restoreMtu = File.ReadAllText($"/sys/class/net/{options.Interface}/mtu").Trim();
            Run("ip", "link", "set", "dev", options.Interface, "mtu", "1504");
        }

        var (sent, failed, seconds) = Send(cls, context, device, count, pps);
        if (restoreMtu is not null)
        {
            Run("ip", "link", "set", "dev", options.Interface, "mtu", restoreMtu);
        }

        var sendEnd = DateTimeOffset.UtcNow;
        Thread.Sleep(options.SettleMilliseconds);
        var probeFailures = 0;
        var probed = cls.Kind is ClassKind.Arp or ClassKind.NeighborDiscovery;
        if (probed && options.Probes > 0)
        {
            // Neighbour discovery classes attack the IPv6 entries: probe through the IPv6 VIP.
            var vip = cls.Kind == ClassKind.NeighborDiscovery ? options.Vip6! : options.Vip;
            probeFailures = ConnectionProbe.Failures(vip, options.Port, options.Probes, TimeSpan.FromSeconds(1.5));
        }

        // The watchers write their totals every 100 ms.
        Thread.Sleep(250);
        var reached = Marked(cls.Id) - markedBefore;
        var diverted = Diverted() - divertedBefore;
        var after = _daemon.DataPath();
        if (cls.Kind is not ClassKind.Invalid && options.Heal is { } heal)
        {
            Run("bash", "-c", heal);
        }

        var verdict = options.DryRun ? "baseline" : cls.Expected switch
        {
            Expectation.Blocked => reached == 0 ? "held" : "leaks",
            Expectation.NotPoisoned => diverted == 0 && probeFailures == 0 ? "held" : "leaks",
            _ => "info",
        };
        return new JsonObject
        {
            ["class"] = cls.Name,
            ["id"] = cls.Id,
            ["kind"] = cls.Kind.ToString().ToLowerInvariant(),
            ["expected"] = cls.Expected.ToString().ToLowerInvariant(),
            ["description"] = cls.Description,
            ["sent"] = sent,
            ["send_failures"] = failed,
            ["seconds"] = Math.Round(seconds, 3),
            ["start_ms"] = start.ToUnixTimeMilliseconds(),
            ["send_end_ms"] = sendEnd.ToUnixTimeMilliseconds(),
            ["end_ms"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            ["reached_rs"] = reached,
            ["diverted"] = diverted,
            ["probes"] = probed ? options.Probes : 0,
            ["probe_failures"] = probeFailures,
            ["daemon"] = Delta(before, after),
            ["daemon_alive"] = _daemon.Alive(),
            ["rss_kb"] = _daemon.RssKilobytes(),
            ["verdict"] = verdict,
        };
    }

    private (long Sent, long Failed, double Seconds) Send(HostileClass cls, LabContext context, AfPacketDevice device, long count, long pps)
    {
        var random = new Random(options.Seed ^ (cls.Id * 7919));
        var sentBefore = device.Sent;
        var failedBefore = device.SendFailures;
        var watch = Stopwatch.StartNew();
        long offered = 0;
        while (offered < count && watch.Elapsed.TotalSeconds < options.MaxClassSeconds)
        {
            var allowed = pps == 0 ? count : Math.Min(count, (long)(watch.Elapsed.TotalSeconds * pps) + 64);
            var burst = (int)Math.Min(64, allowed - offered);
            if (burst <= 0)
            {
                Thread.Sleep(1);
                continue;
            }

            for (var i = 0; i < burst; i++)
            {
                var frame = cls.Generate(context, random, offered + i);
                if (!options.DryRun)
                {
                    device.Send(frame);
                }
            }

            if (!options.DryRun)
            {
                device.Flush();
            }

            offered += burst;
        }

        return options.DryRun
            ? (0, 0, watch.Elapsed.TotalSeconds)
            : (device.Sent - sentBefore, device.SendFailures - failedBefore, watch.Elapsed.TotalSeconds);
    }

    /// <summary>Marked frames of a class seen at every real server together.</summary>
    private long Marked(int id) => options.WatchFiles.Sum(file => ReadWatch(file) is { } w && w.TryGetProperty("marked", out var m) && m.TryGetProperty(id.ToString(System.Globalization.CultureInfo.InvariantCulture), out var n) ? n.GetInt64() : 0);

    private long Diverted() => ReadWatch(options.ClientWatchFile) is { } w ? w.GetProperty("diverted").GetInt64() : 0;

    private static JsonElement? ReadWatch(string path)
    {
        if (path.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.Clone();
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return null;
        }
    }

    /// <summary>How the daemon's counters moved during the class: every changed counter, drops by reason.</summary>
    private static JsonObject Delta(JsonElement? before, JsonElement? after)
    {
        var delta = new JsonObject();
        if (before is not { } b || after is not { } a)
        {
            delta["unavailable"] = true;
            return delta;
        }

        foreach (var key in new[] { "received", "forwarded", "ignored", "dropped", "connections_created", "errors" })
        {
            delta[key] = Number(a, key) - Number(b, key);
        }

        delta["table_entries"] = Number(a, "table_entries");
        var drops = new JsonObject();
        if (a.TryGetProperty("drops_by_reason", out var reasons))
        {
            foreach (var reason in reasons.EnumerateObject())
            {
                var previous = b.TryGetProperty("drops_by_reason", out var old) && old.TryGetProperty(reason.Name, out var o) ? o.GetInt64() : 0;
                if (reason.Value.GetInt64() != previous)
                {
                    drops[reason.Name] = reason.Value.GetInt64() - previous;
                }
            }
        }

        delta["drops_by_reason"] = drops;
        return delta;
    }

    private static long Number(JsonElement element, string key) =>
        element.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;

    private static uint ToUInt(System.Net.IPAddress address) => BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());

    private static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
        }
    }
}
