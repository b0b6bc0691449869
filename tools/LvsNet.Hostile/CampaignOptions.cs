using System.Globalization;
using System.Net;

namespace LvsNet.Hostile;

/// <summary>The campaign's command line (see <see cref="Usage"/>).</summary>
internal sealed record CampaignOptions
{
    public const string Usage = """
        lvsnet-hostile: hostile-frame campaign against lvsnetd in the namespace lab (run inside the client namespace).
          lvsnet-hostile list
              every class: id, name, kind, expected outcome, description
          lvsnet-hostile pcap FILE [PER_CLASS]
              the first PER_CLASS (default 4) frames of every class, in catalog order, with the lab's addresses
          lvsnet-hostile watch --interface IF --dir-mac MAC --out FILE [--duration S]
              counts frames from the director on IF (marked per class, diverted); JSON totals in FILE every 100 ms
          lvsnet-hostile campaign --interface IF --dir-mac MAC --vip IP --dip IP --client-ip IP
                --rs-ips A,B --rs-macs M,N --socket PATH --daemon-pid PID --watch F1,F2 --client-watch F
                [--classes all|a,b] [--count N] [--mutations N] [--pps N] [--mutation-pps N] [--seed N] [--settle-ms N]
                [--probes N] [--heal CMD] [--max-class-seconds S] [--dry-run] [--port N]
                [--vip6 IP --dip6 IP --client-ip6 IP --rs-ips6 A,B]
              sends each class (bounded by --count frames and --max-class-seconds, paced at --pps; 0 = as fast
              as possible), then reads the watchers, the daemon's status and RSS; prints one JSON document.
              --dry-run sends nothing but keeps the same timing and probes (the baseline). The IPv6 classes
              (ipv6-*) are sent only with the lab's IPv6 addresses (--vip6 and the others).
        """;

    public required string Interface { get; init; }
    public required byte[] DirectorMac { get; init; }
    public IPAddress Vip { get; init; } = IPAddress.Any;
    public IPAddress Dip { get; init; } = IPAddress.Any;
    public IPAddress ClientIp { get; init; } = IPAddress.Any;
    public IPAddress[] RealServerIps { get; init; } = [];
    public byte[][] RealServerMacs { get; init; } = [];
    public ushort Port { get; init; } = 80;
    public IPAddress? Vip6 { get; init; }
    public IPAddress? Dip6 { get; init; }
    public IPAddress? ClientIp6 { get; init; }
    public IPAddress[] RealServerIps6 { get; init; } = [];
    public string Socket { get; init; } = "";
    public int DaemonPid { get; init; }
    public string[] WatchFiles { get; init; } = [];
    public string ClientWatchFile { get; init; } = "";
    public string Classes { get; init; } = "all";
    public long Count { get; init; } = 2000;
    public long? Mutations { get; init; }
    public long Pps { get; init; } = 10000;
    public long? MutationPps { get; init; }
    public int Seed { get; init; } = 13;
    public int SettleMilliseconds { get; init; } = 300;
    public int Probes { get; init; } = 6;
    public string? Heal { get; init; }
    public double MaxClassSeconds { get; init; } = 60;
    public bool DryRun { get; init; }
    public string? Out { get; init; }
    public double Duration { get; init; } = 600;

    public static CampaignOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }

            if (args[i] == "--dry-run")
            {
                flags.Add(args[i]);
            }
            else if (i + 1 < args.Length)
            {
                values[args[i]] = args[++i];
            }
            else
            {
                throw new ArgumentException($"{args[i]} needs a value");
            }
        }

        string Get(string key) => values.TryGetValue(key, out var v) ? v : throw new ArgumentException($"{key} is required");
        string? Maybe(string key) => values.GetValueOrDefault(key);
        static long Number(string? text, long fallback, long min, long max, string name)
        {
            if (text is null)
            {
                return fallback;
            }

            var value = long.Parse(text, CultureInfo.InvariantCulture);
            return value < min || value > max ? throw new ArgumentException($"{name} must be {min}..{max}") : value;
        }

        return new CampaignOptions
        {
            Interface = Get("--interface"),
            DirectorMac = Mac(Get("--dir-mac")),
            Vip = Maybe("--vip") is { } vip ? IPAddress.Parse(vip) : IPAddress.Any,
            Dip = Maybe("--dip") is { } dip ? IPAddress.Parse(dip) : IPAddress.Any,
            ClientIp = Maybe("--client-ip") is { } client ? IPAddress.Parse(client) : IPAddress.Any,
            RealServerIps = [.. (Maybe("--rs-ips") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(IPAddress.Parse)],
            RealServerMacs = [.. (Maybe("--rs-macs") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Mac)],
            Port = (ushort)Number(Maybe("--port"), 80, 1, 65535, "--port"),
            Vip6 = Maybe("--vip6") is { } vip6 ? IPAddress.Parse(vip6) : null,
            Dip6 = Maybe("--dip6") is { } dip6 ? IPAddress.Parse(dip6) : null,
            ClientIp6 = Maybe("--client-ip6") is { } client6 ? IPAddress.Parse(client6) : null,
            RealServerIps6 = [.. (Maybe("--rs-ips6") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(IPAddress.Parse)],
            Socket = Maybe("--socket") ?? "",
            DaemonPid = (int)Number(Maybe("--daemon-pid"), 0, 0, int.MaxValue, "--daemon-pid"),
            WatchFiles = (Maybe("--watch") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries),
            ClientWatchFile = Maybe("--client-watch") ?? "",
            Classes = Maybe("--classes") ?? "all",
            Count = Number(Maybe("--count"), 2000, 1, 100_000_000, "--count"),
            Mutations = Maybe("--mutations") is { } m ? Number(m, 0, 1, 100_000_000, "--mutations") : null,
            Pps = Number(Maybe("--pps"), 10000, 0, 10_000_000, "--pps"),
            MutationPps = Maybe("--mutation-pps") is { } mp ? Number(mp, 0, 0, 10_000_000, "--mutation-pps") : null,
            Seed = (int)Number(Maybe("--seed"), 13, 0, int.MaxValue, "--seed"),
            SettleMilliseconds = (int)Number(Maybe("--settle-ms"), 300, 0, 10000, "--settle-ms"),
            Probes = (int)Number(Maybe("--probes"), 6, 0, 64, "--probes"),
            Heal = Maybe("--heal"),
            MaxClassSeconds = Number(Maybe("--max-class-seconds"), 60, 1, 600, "--max-class-seconds"),
            DryRun = flags.Contains("--dry-run"),
            Out = Maybe("--out"),
            Duration = Number(Maybe("--duration"), 600, 1, 3600, "--duration"),
        };
    }

    public static byte[] Mac(string text)
    {
        var parts = text.Split(':');
        return parts.Length == 6
            ? [.. parts.Select(p => byte.Parse(p, NumberStyles.HexNumber, CultureInfo.InvariantCulture))]
            : throw new FormatException($"'{text}' is not a MAC address");
    }
}
