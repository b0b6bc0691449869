using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace LvsNet.Core.Configuration;

/// <summary>The health-check part of the YAML reader: <c>health_check</c>, <c>quorum</c>, <c>hysteresis</c>, <c>quorum_up</c>, <c>quorum_down</c> and <c>sorry_server</c>.</summary>
public static partial class LvsConfigReader
{
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxInterval = TimeSpan.FromDays(1);

    // The service-level keys: health_check (mapping) and the quorum family.
    private static (HealthCheckConfig? HealthCheck, QuorumConfig? Quorum) ReadServiceHealth(YamlMapping map, ushort? servicePort)
    {
        HealthCheckConfig? healthCheck = null;
        if (map.Mapping("health_check") is { } healthMap)
        {
            var parameters = ReadHealthParameters(healthMap);
            var inhibit = healthMap.Boolean("inhibit_on_failure") ?? false;
            var checks = ReadCheckers(healthMap);
            var notifyUp = ReadCommand(healthMap, "notify_up");
            var notifyDown = ReadCommand(healthMap, "notify_down");
            var omega = healthMap.Boolean("omega") ?? false;
            var haSuspend = healthMap.Boolean("ha_suspend") ?? false;
            healthMap.RejectUnknownKeys();
            healthCheck = new HealthCheckConfig
            {
                Omega = omega,
                HaSuspend = haSuspend,
                Parameters = parameters,
                InhibitOnFailure = inhibit,
                Checks = checks ?? [],
                NotifyUp = notifyUp,
                NotifyDown = notifyDown,
            };
        }

        var quorum = (int?)map.Integer("quorum", 1, int.MaxValue);
        var hysteresis = (int?)map.Integer("hysteresis", 0, int.MaxValue);
        var quorumUp = ReadCommand(map, "quorum_up");
        var quorumDown = ReadCommand(map, "quorum_down");
        var sorry = map.Mapping("sorry_server") is { } sorryMap ? ReadSorryServer(sorryMap, servicePort) : null;
        QuorumConfig? quorumConfig = null;
        if (quorum is not null || hysteresis is not null || quorumUp is not null || quorumDown is not null || sorry is not null)
        {
            quorumConfig = new QuorumConfig
            {
                Quorum = quorum ?? QuorumConfig.Default.Quorum,
                Hysteresis = hysteresis ?? QuorumConfig.Default.Hysteresis,
                UpCommand = quorumUp,
                DownCommand = quorumDown,
                SorryServer = sorry,
            };
        }

        return (healthCheck, quorumConfig);
    }

    // A real server's health_check: overrides of the service's.
    private static RealServerHealthCheckConfig? ReadServerHealthCheck(YamlMapping map)
    {
        if (map.Mapping("health_check") is not { } healthMap)
        {
            return null;
        }

        var config = new RealServerHealthCheckConfig
        {
            Enabled = healthMap.Boolean("enabled") ?? true,
            Parameters = ReadHealthParameters(healthMap),
            InhibitOnFailure = healthMap.Boolean("inhibit_on_failure"),
            Checks = ReadCheckers(healthMap) ?? [],
            NotifyUp = ReadCommand(healthMap, "notify_up"),
            NotifyDown = ReadCommand(healthMap, "notify_down"),
        };
        healthMap.RejectUnknownKeys();
        return config;
    }

    private static HealthCheckParameters ReadHealthParameters(YamlMapping map) => new()
    {
        DelayLoop = map.Duration("delay_loop", MinInterval, MaxInterval),
        ConnectTimeout = map.Duration("connect_timeout", MinInterval, TimeSpan.FromHours(1)),
        Retry = (int?)map.Integer("retry", 0, 1000),
        DelayBeforeRetry = map.Duration("delay_before_retry", TimeSpan.FromMilliseconds(10), MaxInterval),
        Rise = (int?)map.Integer("rise", 1, 1000),
        Warmup = map.Duration("warmup", TimeSpan.Zero, MaxInterval),
        Alpha = map.Boolean("alpha"),
    };

    // null when the key is absent (inherit), else the checkers read (errors recorded).
    private static ImmutableArray<CheckerConfig>? ReadCheckers(YamlMapping map)
    {
        if (!map.Has("checks"))
        {
            return null;
        }

        var checks = ImmutableArray.CreateBuilder<CheckerConfig>();
        foreach (var item in map.Sequence("checks"))
        {
            if (ReadChecker(item) is { } checker)
            {
                checks.Add(checker);
            }
        }

        return checks.ToImmutable();
    }

    private static CheckerConfig? ReadChecker(YamlMapping map)
    {
        var typeText = map.String("type", required: true);
        if (typeText is null)
        {
            return null;
        }

        if (!CheckerKinds.TryParse(typeText, out var kind))
        {
            map.Error("type", map.Find("type"), $"unknown checker type '{typeText}'; expected one of: {string.Join(", ", CheckerKinds.All)}");
            return null;
        }

        var parameters = ReadHealthParameters(map);
        var connectAddress = map.Ipv4("connect_ip");
        var connectPort = (ushort?)map.Integer("connect_port", 1, 65535);
        var viaVip = map.Boolean("via_vip") ?? false;
        CheckerConfig? checker = kind switch
        {
            CheckerKinds.Tcp => new TcpCheckConfig(),
            CheckerKinds.HttpGet or CheckerKinds.SslGet => ReadHttpChecker(map, kind == CheckerKinds.SslGet),
            CheckerKinds.Misc => ReadMiscChecker(map),
            CheckerKinds.Smtp => ReadSmtpChecker(map),
            CheckerKinds.Udp => ReadUdpChecker(map),
            CheckerKinds.Ping => new PingCheckConfig(),
            CheckerKinds.File => ReadFileChecker(map),
            _ => ReadDnsChecker(map),
        };
        map.RejectUnknownKeys();
        return checker is null ? null : checker with
        {
            Parameters = parameters,
            ConnectAddress = connectAddress,
            ConnectPort = connectPort,
            ViaVirtualAddress = viaVip,
        };
    }

    private static HttpGetCheckConfig ReadHttpChecker(YamlMapping map, bool tls)
    {
        var defaults = new HttpGetCheckConfig();
        var path = map.String("path") ?? defaults.Path;
        if (!path.StartsWith('/'))
        {
            map.Error("path", map.Find("path"), $"must start with '/', got '{path}'");
        }

        var digest = map.String("digest")?.ToLowerInvariant();
        if (digest is not null && (digest.Length != 32 || !digest.All(char.IsAsciiHexDigit)))
        {
            map.Error("digest", map.Find("digest"), $"must be an MD5 digest of 32 hex digits (genhash prints it), got '{digest}'");
        }

        var version = map.String("http_version") ?? defaults.HttpVersion;
        if (version is not ("1.0" or "1.1"))
        {
            map.Error("http_version", map.Find("http_version"), $"must be 1.0 or 1.1, got '{version}'");
        }

        var bodyContains = map.String("body_contains");
        if (bodyContains is { Length: 0 })
        {
            map.Error("body_contains", map.Find("body_contains"), "must not be empty");
        }

        var regex = map.String("regex");
        if (regex is not null)
        {
            try
            {
                _ = new System.Text.RegularExpressions.Regex(regex, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException ex)
            {
                map.Error("regex", map.Find("regex"), $"is not a valid regular expression: {ex.Message}");
            }
        }

        var regexNoMatch = map.Boolean("regex_no_match") ?? false;
        var regexMaxOffset = (int?)map.Integer("regex_max_offset", 1, 64 << 20);
        if (regex is null && (map.Has("regex_no_match") || map.Has("regex_max_offset")))
        {
            map.Error(map.Has("regex_no_match") ? "regex_no_match" : "regex_max_offset", map.Find(map.Has("regex_no_match") ? "regex_no_match" : "regex_max_offset"), "needs regex");
        }

        return new HttpGetCheckConfig
        {
            Tls = tls,
            Regex = regex,
            RegexNoMatch = regexNoMatch,
            RegexMaxOffset = regexMaxOffset,
            Path = path,
            StatusCodes = ReadStatusCodes(map),
            Digest = digest,
            BodyContains = bodyContains,
            VirtualHost = map.String("virtualhost"),
            HttpVersion = version,
            SniName = tls ? map.String("sni_name") : null,
            MaxBodyBytes = (int?)map.Integer("max_body_bytes", 1, 64 << 20) ?? defaults.MaxBodyBytes,
        };
    }

    // status_codes: 200 | "200-299" | [200, 204, "300-399"]
    private static ImmutableArray<HttpStatusRange> ReadStatusCodes(YamlMapping map)
    {
        var node = map.Find("status_codes");
        if (node is null)
        {
            return [];
        }

        var items = node switch
        {
            YamlSequenceNode sequence => sequence.Children.Select((child, i) => (Node: child, Path: $"status_codes[{i}]")).ToList(),
            _ => [(Node: node, Path: "status_codes")],
        };
        var ranges = ImmutableArray.CreateBuilder<HttpStatusRange>();
        foreach (var (item, path) in items)
        {
            if (item is YamlScalarNode { Value: { } text } && HttpStatusRange.TryParse(text, out var range) && range.Min >= 100 && range.Max <= 599 && range.Min <= range.Max)
            {
                ranges.Add(range);
            }
            else
            {
                map.Error(path, item, $"must be a status code or a range such as 200-299 (100..599), got '{(item as YamlScalarNode)?.Value}'");
            }
        }

        return ranges.ToImmutable();
    }

    private static MiscCheckConfig? ReadMiscChecker(YamlMapping map)
    {
        var command = ReadCommand(map, "command", required: true);
        var timeout = map.Duration("timeout", MinInterval, MaxInterval);
        var dynamic = map.Boolean("dynamic") ?? false;
        var feedback = map.Boolean("feedback") ?? false;
        return command is null ? null : new MiscCheckConfig { Command = command, Timeout = timeout, Dynamic = dynamic, Feedback = feedback };
    }

    private static DnsCheckConfig ReadDnsChecker(YamlMapping map)
    {
        var defaults = new DnsCheckConfig();
        var type = map.String("query_type")?.ToUpperInvariant() ?? defaults.QueryType;
        if (!DnsCheckConfig.QueryTypes.ContainsKey(type))
        {
            map.Error("query_type", map.Find("query_type"), $"must be one of {string.Join(", ", DnsCheckConfig.QueryTypes.Keys)}, got '{type}'");
        }

        var name = map.String("name") ?? defaults.Name;
        if (!DnsCheckConfig.IsValidName(name))
        {
            map.Error("name", map.Find("name"), $"must be a domain name such as example.com or '.', got '{name}'");
        }

        return new DnsCheckConfig { QueryType = type, Name = name };
    }

    private static SmtpCheckConfig ReadSmtpChecker(YamlMapping map)
    {
        var helo = map.String("helo_name") ?? SmtpCheckConfig.DefaultHeloName;
        if (helo.Length == 0 || helo.Any(c => c is '\r' or '\n' || char.IsWhiteSpace(c)))
        {
            map.Error("helo_name", map.Find("helo_name"), $"must be a host name without spaces or line breaks, got '{helo}'");
        }

        var hosts = ImmutableArray.CreateBuilder<SmtpHost>();
        if (map.Has("hosts"))
        {
            foreach (var host in map.Sequence("hosts"))
            {
                var address = host.Ipv4("connect_ip");
                var port = (ushort?)host.Integer("connect_port", 1, 65535);
                host.RejectUnknownKeys();
                hosts.Add(new SmtpHost(address, port));
            }
        }

        return new SmtpCheckConfig { HeloName = helo, Hosts = hosts.ToImmutable() };
    }

    private static UdpCheckConfig ReadUdpChecker(YamlMapping map)
    {
        var payload = ReadHex(map, "payload");
        var reply = ReadHex(map, "reply");
        var requireReply = map.Boolean("require_reply") ?? !reply.IsEmpty;
        if (!reply.IsEmpty && !requireReply)
        {
            map.Error("reply", map.Find("reply"), "an expected reply needs require_reply: true");
        }

        var min = (int?)map.Integer("min_reply_length", 0, ushort.MaxValue) ?? 0;
        var max = (int?)map.Integer("max_reply_length", 0, ushort.MaxValue) ?? UdpCheckConfig.DefaultMaxReplyLength;
        if (min > max)
        {
            map.Error("min_reply_length", map.Find("min_reply_length"), $"min_reply_length {min} is above max_reply_length {max}: every reply would fail");
        }

        return new UdpCheckConfig { Payload = payload, RequireReply = requireReply, Reply = reply, MinReplyLength = min, MaxReplyLength = max };
    }

    private static FileCheckConfig? ReadFileChecker(YamlMapping map)
    {
        var path = map.String("path", required: true);
        if (path is not null && !path.StartsWith('/'))
        {
            map.Error("path", map.Find("path"), $"must be an absolute path, got '{path}'");
        }

        var weight = (int?)map.Integer("weight", -FileCheckConfig.MaxWeight, FileCheckConfig.MaxWeight) ?? 0;
        var reverse = map.Boolean("reverse") ?? false;
        return path is null ? null : new FileCheckConfig { Path = path, Weight = weight, Reverse = reverse };
    }

    // keepalived writes byte strings as hex ("0a1b2c"); spaces between bytes are allowed.
    private static ImmutableArray<byte> ReadHex(YamlMapping map, string key)
    {
        var text = map.String(key);
        if (text is null)
        {
            return [];
        }

        var digits = text.Replace(" ", "", StringComparison.Ordinal);
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }

        if (digits.Length == 0 || digits.Length % 2 != 0 || !digits.All(char.IsAsciiHexDigit) || digits.Length > 2 * 65507)
        {
            map.Error(key, map.Find(key), $"must be bytes in hex such as '0a1b2c' (an even number of hex digits, at most 65507 bytes), got '{text}'");
            return [];
        }

        return [.. Convert.FromHexString(digits)];
    }

    private static SorryServerConfig? ReadSorryServer(YamlMapping map, ushort? servicePort)
    {
        uint? address = map.IpAddress("address", out var ipv4, out var address6, required: true) ? ipv4 : null;
        var port = (ushort?)map.Integer("port", 0, 65535);
        var weight = (int?)map.Integer("weight", 1, 65535);
        var inhibit = map.Boolean("inhibit") ?? false;
        var methodText = map.String("method");
        var method = ForwardingMethod.DirectRouting;
        if (methodText is not null && !ForwardingMethods.TryParse(methodText, out method))
        {
            map.Error("method", map.Find("method"), $"must be one of {string.Join(", ", ForwardingMethods.All)}, got '{methodText}'");
        }

        map.RejectUnknownKeys();
        return address is null ? null : new SorryServerConfig
        {
            Address = address.Value,
            Address6 = address6,
            Port = port ?? servicePort ?? 0,
            Method = method,
            Weight = weight ?? 1,
            Inhibit = inhibit,
        };
    }

    private static string? ReadCommand(YamlMapping map, string key, bool required = false)
    {
        var text = map.String(key, required);
        if (text is not null && string.IsNullOrWhiteSpace(text))
        {
            map.Error(key, map.Find(key), "must be a command line");
            return null;
        }

        return text?.Trim();
    }
}
