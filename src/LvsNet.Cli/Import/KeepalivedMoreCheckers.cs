using System.Collections.Immutable;
using System.Globalization;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using static LvsNet.Cli.Import.KeepalivedValues;

namespace LvsNet.Cli.Import;

/// <summary>
/// The keepalived checkers beyond TCP, HTTP, MISC and DNS (keepalived.conf(5), check_smtp.c,
/// check_udp.c, check_ping.c, check_file.c) mapped onto lvsnetd's: SMTP_CHECK (<c>helo_name</c>,
/// <c>host</c> sub-blocks), UDP_CHECK (<c>payload</c>, <c>require_reply</c>, reply lengths),
/// PING_CHECK, and FILE_CHECK with the global <c>track_file</c> block it names.
/// </summary>
internal static class KeepalivedMoreCheckers
{
    /// <summary>SMTP_CHECK: helo_name and the older host { connect_ip connect_port } sub-blocks.</summary>
    public static List<CheckerConfig> Smtp(List<KeepalivedNode> specific, string title, ImportNotes notes)
    {
        var config = new SmtpCheckConfig();
        var hosts = ImmutableArray.CreateBuilder<SmtpHost>();
        var ok = true;
        foreach (var child in specific)
        {
            switch (child.Keyword)
            {
                case "helo_name" when child.Args.Count == 1 && !child.Value!.Any(char.IsWhiteSpace):
                    config = config with { HeloName = child.Value! };
                    break;
                case "helo_name":
                    notes.Unmapped(title, child, "expected one host name");
                    ok = false;
                    break;
                case "host" when child.Children is not null:
                    ok &= Host(child, title, notes, hosts);
                    break;
                default:
                    notes.Unmapped(title, child, "unknown SMTP_CHECK keyword");
                    ok = false;
                    break;
            }
        }

        return ok ? [config with { Hosts = hosts.ToImmutable() }] : [];
    }

    // host { connect_ip A  connect_port P }: each host is checked in turn, all must answer.
    private static bool Host(KeepalivedNode node, string title, ImportNotes notes, ImmutableArray<SmtpHost>.Builder hosts)
    {
        uint? address = null;
        ushort? port = null;
        var ok = true;
        foreach (var child in node.Children!)
        {
            switch (child.Keyword)
            {
                case "connect_ip" when Ipv4Address.TryParse(child.Value, out var a):
                    address = a;
                    break;
                case "connect_port" when TryNumber(child, title, notes, 1, 65535, out var p):
                    port = (ushort)p;
                    break;
                case "connect_port":
                    ok = false;
                    break;
                default:
                    notes.Unmapped($"{title}: host", child, IsIpv6(child.Value) ? "LvsNet's SMTP hosts take IPv4 addresses" : "LvsNet's SMTP hosts take connect_ip and connect_port only");
                    ok = false;
                    break;
            }
        }

        hosts.Add(new SmtpHost(address, port));
        return ok;
    }

    /// <summary>UDP_CHECK: payload, require_reply [HEX], min_reply_length, max_reply_length.</summary>
    public static List<CheckerConfig> Udp(KeepalivedNode node, List<KeepalivedNode> specific, string title, ImportNotes notes)
    {
        var config = new UdpCheckConfig();
        var ok = true;
        var hasPayload = false;
        foreach (var child in specific)
        {
            switch (child.Keyword)
            {
                case "payload" when TryHex(child.Args, out var payload):
                    config = config with { Payload = payload };
                    hasPayload = true;
                    break;
                case "require_reply" when child.Args.Count == 0:
                    config = config with { RequireReply = true };
                    break;
                case "require_reply" when TryHex(child.Args, out var reply):
                    config = config with { RequireReply = true, Reply = reply };
                    break;
                case "require_reply" when child.Rest.Contains('x', StringComparison.OrdinalIgnoreCase):
                    notes.Unmapped(title, child, "LvsNet compares the reply byte for byte; it has no 'X' (any nibble) positions");
                    ok = false;
                    break;
                case "min_reply_length" when TryNumber(child, title, notes, 0, 65535, out var min):
                    config = config with { MinReplyLength = min };
                    break;
                case "max_reply_length" when TryNumber(child, title, notes, 0, 65535, out var max):
                    config = config with { MaxReplyLength = max };
                    break;
                case "min_reply_length" or "max_reply_length":
                    ok = false;
                    break;
                default:
                    notes.Unmapped(title, child, child.Keyword is "payload" or "require_reply" ? "expected hex digits (such as 'Ab12f 3 456')" : "unknown UDP_CHECK keyword");
                    ok = false;
                    break;
            }
        }

        if (ok && !hasPayload)
        {
            notes.Adjusted(node.Line, $"{title}: no payload: keepalived sends random bytes, lvsnetd an empty datagram");
        }

        return ok ? [config] : [];
    }

    /// <summary>
    /// keepalived's free-format hex string (read_hex_str): groups separated by spaces, each read two
    /// digits at a time from the left, an odd last digit being a byte of its own ("Ab12f 3" is AB 12 0F 03).
    /// </summary>
    public static bool TryHex(IReadOnlyList<string> words, out ImmutableArray<byte> bytes)
    {
        var result = ImmutableArray.CreateBuilder<byte>();
        bytes = [];
        if (words.Count == 0)
        {
            return false;
        }

        foreach (var word in words)
        {
            for (var i = 0; i < word.Length; i += 2)
            {
                var digits = word.Substring(i, Math.Min(2, word.Length - i));
                if (!byte.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
                {
                    return false;
                }

                result.Add(value);
            }
        }

        bytes = result.ToImmutable();
        return true;
    }

    /// <summary>PING_CHECK has no options of its own.</summary>
    public static List<CheckerConfig> Ping(List<KeepalivedNode> specific, string title, ImportNotes notes)
    {
        foreach (var child in specific)
        {
            notes.Unmapped(title, child, "unknown PING_CHECK keyword");
        }

        return specific.Count == 0 ? [new PingCheckConfig()] : [];
    }

    /// <summary>
    /// FILE_CHECK { track_file NAME  weight N [reverse] }: the file and default weight come from the
    /// global <c>track_file NAME { file PATH  weight N [reverse] }</c> block; the checker's own weight
    /// overrides them (check_file.c). FILE_CHECK has none of the common checker options.
    /// </summary>
    public static List<CheckerConfig> File(KeepalivedNode node, string title, KeepalivedCheckerContext context, ImportNotes notes)
    {
        KeepalivedNode? tracked = null;
        (int Weight, bool Reverse)? weight = null;
        var ok = true;
        foreach (var child in node.Children ?? [])
        {
            switch (child.Keyword)
            {
                case "track_file" when child.Value is { } name:
                    if (context.TrackFiles is null || !context.TrackFiles.TryGetValue(name, out tracked))
                    {
                        notes.Unmapped(title, child, $"no track_file {name} block in this file");
                        ok = false;
                    }

                    break;
                case "weight":
                    weight = Weight(child, title, notes);
                    ok &= weight is not null;
                    break;
                case "dynamic":
                    notes.Adjusted(child.Line, $"{title}: dynamic: lvsnetd applies the file's value to the weight whenever the weight is not 0");
                    break;
                default:
                    notes.Unmapped(title, child, "FILE_CHECK takes track_file, weight and dynamic only");
                    ok = false;
                    break;
            }
        }

        if (tracked is null)
        {
            if (ok)
            {
                notes.Error(node.Line, $"{title}: no track_file (keepalived skips such a checker too)");
            }

            return [];
        }

        var trackTitle = $"track_file {tracked.Value}";
        string? path = null;
        (int Weight, bool Reverse) fileWeight = (1, false);
        foreach (var child in tracked.Children ?? [])
        {
            switch (child.Keyword)
            {
                case "file" when child.Value is { } p && p.StartsWith('/'):
                    path = p;
                    break;
                case "file":
                    notes.Unmapped(trackTitle, child, "lvsnetd needs an absolute path");
                    ok = false;
                    break;
                case "weight":
                    if (Weight(child, trackTitle, notes) is { } w)
                    {
                        fileWeight = w;
                    }
                    else
                    {
                        ok = false;
                    }

                    break;
                case "init_file" when child.Args.Count == 0 || (child.Args.Count >= 1 && child.Value is "0" or "overwrite"):
                    notes.Adjusted(child.Line, $"{trackTitle}: {child.Text}: lvsnetd does not create the file; a missing file reads as 0, which is what keepalived would write");
                    break;
                default:
                    notes.Unmapped(trackTitle, child, child.Keyword == "init_file" ? "lvsnetd does not create or initialise the file; write the value before starting it" : "unknown track_file keyword");
                    ok = false;
                    break;
            }
        }

        if (path is null)
        {
            if (ok)
            {
                notes.Error(tracked.Line, $"{trackTitle}: no file");
            }

            return [];
        }

        var (factor, reverse) = weight ?? fileWeight;
        return ok ? [new FileCheckConfig { Path = path, Weight = factor, Reverse = reverse }] : [];
    }

    // weight N [reverse|noreverse]; lvsnetd accepts -65535..65535 (an IPVS weight), keepalived more.
    private static (int Weight, bool Reverse)? Weight(KeepalivedNode node, string title, ImportNotes notes)
    {
        if (node.Args.Count is < 1 or > 2 || (node.Args.Count == 2 && node.Args[1] is not ("reverse" or "noreverse")))
        {
            notes.Unmapped(title, node, "expected weight N [reverse]");
            return null;
        }

        if (!int.TryParse(node.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var weight) || Math.Abs(weight) > FileCheckConfig.MaxWeight)
        {
            notes.Unmapped(title, node, $"lvsnetd takes a weight from -{FileCheckConfig.MaxWeight} to {FileCheckConfig.MaxWeight}");
            return null;
        }

        return (weight, node.Args.Count == 2 && node.Args[1] == "reverse");
    }
}
