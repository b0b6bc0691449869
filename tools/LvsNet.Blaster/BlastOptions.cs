using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;

namespace LvsNet.Blaster;

/// <summary>What to send, where, how fast and for how long; parsed from the command line.</summary>
internal sealed record BlastOptions
{
    public const string Usage = """
        lvsnet-blaster: sends pre-built TCP frames on an interface with batched AF_PACKET sends, then prints JSON.
          --interface IF        interface to send on (required)
          --dst-mac MAC         destination MAC: the director's (required)
          --src-mac MAC         source MAC (default: the interface's)
          --src-ip IP           client address (required)
          --vip IP              virtual IP (required)
          --port N              virtual port (default 80)
          --mode ack|syn        ack: one SYN per flow, then established-flow ACK frames; syn: a SYN flood (default ack)
          --size N              frame length in bytes, 64..1514 (default 64)
          --flows N             distinct source ports (default 1024; a SYN flood uses a new port per frame)
          --sources N           distinct client addresses from --src-ip up (default 1): flow i comes from src-ip + i mod N
          --pps N               target rate in frames per second, 0 = as fast as possible (default 0)
          --count N             stop after N frames (default 1000000)
          --duration SECONDS    stop after this long (default 5, at most 60)
          --batch N             frames per sendmmsg (default 64)
          --qdisc-bypass        set PACKET_QDISC_BYPASS
        """;

    public required string Interface { get; init; }

    public required PhysicalAddress DestinationMac { get; init; }

    public PhysicalAddress? SourceMac { get; init; }

    public required IPAddress SourceIp { get; init; }

    public required IPAddress Vip { get; init; }

    public ushort Port { get; init; } = 80;

    public string Mode { get; init; } = "ack";

    public int Size { get; init; } = 64;

    public int Flows { get; init; } = 1024;

    /// <summary>Distinct client addresses, counting up from <see cref="SourceIp"/>.</summary>
    public int Sources { get; init; } = 1;

    public long Pps { get; init; }

    public long Count { get; init; } = 1_000_000;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(5);

    public int Batch { get; init; } = 64;

    public bool QdiscBypass { get; init; }

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a readable message.</summary>
    public static BlastOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var bypass = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--qdisc-bypass")
            {
                bypass = true;
                continue;
            }

            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }

            values[args[i][2..]] = args[++i];
        }

        string Required(string key) => values.TryGetValue(key, out var value) ? value : throw new ArgumentException($"--{key} is required");
        long Number(string key, long fallback, long min, long max)
        {
            if (!values.TryGetValue(key, out var text))
            {
                return fallback;
            }

            var value = long.Parse(text, CultureInfo.InvariantCulture);
            return value < min || value > max ? throw new ArgumentException($"--{key} must be in {min}..{max}") : value;
        }

        var mode = values.GetValueOrDefault("mode", "ack");
        if (mode is not ("ack" or "syn"))
        {
            throw new ArgumentException("--mode must be ack or syn");
        }

        return new BlastOptions
        {
            Interface = Required("interface"),
            DestinationMac = PhysicalAddress.Parse(Required("dst-mac").Replace(':', '-')),
            SourceMac = values.TryGetValue("src-mac", out var sourceMac) ? PhysicalAddress.Parse(sourceMac.Replace(':', '-')) : null,
            SourceIp = IPAddress.Parse(Required("src-ip")),
            Vip = IPAddress.Parse(Required("vip")),
            Port = (ushort)Number("port", 80, 1, 65535),
            Mode = mode,
            Size = (int)Number("size", 64, 64, 1514),
            Flows = (int)Number("flows", 1024, 1, 60000),
            Sources = (int)Number("sources", 1, 1, 4096),
            Pps = Number("pps", 0, 0, 100_000_000),
            Count = Number("count", 1_000_000, 1, 1_000_000_000),
            Duration = TimeSpan.FromSeconds(Number("duration", 5, 1, 60)),
            Batch = (int)Number("batch", 64, 1, 1024),
            QdiscBypass = bypass,
        };
    }
}
