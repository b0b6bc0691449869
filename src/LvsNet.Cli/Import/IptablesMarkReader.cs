using System.Collections.Immutable;
using System.Globalization;
using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Cli.Import;

/// <summary>
/// Reads the MARK rules of the <c>mangle</c> table's PREROUTING chain from <c>iptables-save</c>
/// (and <c>ip6tables-save</c>, whose IPv6 destinations mark IPv6 fwmark services) output (what marked the packets for IPVS) as <c>firewall_marks</c> rules: <c>-d</c>,
/// <c>-p tcp|udp</c>, <c>--dport</c> and multiport <c>--dports</c>, <c>-j MARK --set-mark V</c> or
/// <c>--set-xmark V/0xffffffff</c>. A rule matching on anything else (source, interface,
/// negation, connection state, ...) cannot be expressed and is an error naming its line.
/// </summary>
/// <remarks>
/// A MARK target does not end the chain, so in iptables the last matching rule decides the mark;
/// in <c>firewall_marks</c> the first does. The rules are therefore returned last one first.
/// </remarks>
internal static class IptablesMarkReader
{
    /// <summary>The rules, in LvsNet's order (the file's last rule first), each with its line in the file.</summary>
    public static List<(FirewallMarkRule Rule, int Line)> Read(string text, ImportNotes notes)
    {
        var rules = new List<(FirewallMarkRule, int)>();
        var table = "";
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.Trim();
            if (line.StartsWith('*'))
            {
                table = line[1..];
                continue;
            }

            if (table != "mangle" || !line.StartsWith("-A PREROUTING ", StringComparison.Ordinal))
            {
                continue;
            }

            if (Rule(Words(line), out var rule, out var problem))
            {
                rules.Add((rule!, number));
            }
            else if (problem is not null)
            {
                notes.Error(null, $"iptables rules line {number}: {line}: {problem}");
            }
        }

        rules.Reverse();
        return rules;
    }

    // One rule's words after "-A PREROUTING"; false with a problem (or none for a rule that sets no mark).
    private static bool Rule(List<string> words, out FirewallMarkRule? rule, out string? problem)
    {
        rule = null;
        problem = null;
        IpProtocol? protocol = null;
        var destinations = ImmutableArray.CreateBuilder<AddressPrefix>();
        var destinations6 = ImmutableArray.CreateBuilder<Ipv6Prefix>();
        var ports = ImmutableArray.CreateBuilder<PortRange>();
        uint? mark = null;
        string? target = null;
        for (var i = 2; i < words.Count; i++)
        {
            var word = words[i];
            var value = i + 1 < words.Count ? words[i + 1] : null;
            switch (word)
            {
                case "-d" or "--destination" when value is not null && TryPrefix(value, out var prefix):
                    destinations.Add(prefix);
                    i++;
                    break;
                case "-d" or "--destination" when value is not null && TryPrefix6(value, out var prefix6):
                    // ip6tables-save writes the same rules with IPv6 destinations: an IPv6 fwmark service's.
                    destinations6.Add(prefix6);
                    i++;
                    break;
                case "-p" or "--protocol" when value is "tcp" or "6" or "udp" or "17":
                    protocol = value is "tcp" or "6" ? IpProtocol.Tcp : IpProtocol.Udp;
                    i++;
                    break;
                case "-m" when value is "tcp" or "udp" or "multiport" or "comment":
                    i++;
                    break;
                case "--comment" when value is not null:
                    i++;
                    break;
                case "--dport" or "--destination-port" or "--dports" or "--destination-ports" when value is not null && TryPorts(value, ports):
                    i++;
                    break;
                case "-j" when value is not null:
                    target = value;
                    i++;
                    break;
                case "--set-mark" or "--set-xmark" when target == "MARK" && value is not null && TryMark(value, out var m):
                    mark = m;
                    i++;
                    break;
                default:
                    var shown = value is not null && !value.StartsWith('-') ? $"{word} {value}" : word;
                    problem = $"'{shown}' cannot be expressed in firewall_marks (destination, protocol and destination ports only, full 32-bit marks)";
                    return false;
            }
        }

        if (target != "MARK")
        {
            // Not a MARK rule (ACCEPT, CONNMARK, ...): it marks nothing for IPVS.
            problem = target is "ACCEPT" or "RETURN" or "DROP" ? $"-j {target} ends the chain for the packets it matches; firewall_marks cannot express that" : null;
            return false;
        }

        if (mark is null || mark == 0 || destinations.Count + destinations6.Count == 0)
        {
            problem = mark is null or 0
                ? "no --set-mark with a mark from 1 to 4294967295 (a --set-xmark mask must be 0xffffffff)"
                : "no -d: every destination a mark covers is a VIP in LvsNet, so a rule needs its destination addresses";
            return false;
        }

        if (ports.Count > 0 && protocol is null)
        {
            problem = "ports without -p tcp or -p udp";
            return false;
        }

        rule = new FirewallMarkRule { Mark = mark.Value, Protocol = protocol, Destinations = destinations.ToImmutable(), Destinations6 = destinations6.ToImmutable(), Ports = ports.ToImmutable() };
        return true;
    }

    private static bool TryPrefix(string text, out AddressPrefix prefix)
    {
        prefix = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var length = 32;
        if (!Ipv4Address.TryParse(slash < 0 ? text : text[..slash], out var address)
            || (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > 32)))
        {
            return false;
        }

        prefix = new AddressPrefix(address & Ipv4Address.PrefixToMask(length), length);
        return true;
    }

    private static bool TryPrefix6(string text, out Ipv6Prefix prefix)
    {
        prefix = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var length = 128;
        if (!LvsNet.Packets.Ipv6.Ipv6Address.TryParse(slash < 0 ? text : text[..slash], out var address)
            || (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > 128)))
        {
            return false;
        }

        prefix = new Ipv6Prefix(address.Mask(length), length);
        return true;
    }

    // "80", "8000:8080", "80,443,8000:8080" (iptables writes ranges with ':').
    private static bool TryPorts(string text, ImmutableArray<PortRange>.Builder ports)
    {
        foreach (var part in text.Split(','))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (!ushort.TryParse(colon < 0 ? part : part[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
                || !ushort.TryParse(colon < 0 ? part : part[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
                || first == 0 || first > last)
            {
                return false;
            }

            ports.Add(new PortRange(first, last));
        }

        return true;
    }

    // "0x1/0xffffffff", "0x1", "1": the value, with no mask or a full one.
    private static bool TryMark(string text, out uint mark)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        mark = 0;
        return Number(slash < 0 ? text : text[..slash], out mark) && (slash < 0 || (Number(text[(slash + 1)..], out var mask) && mask == uint.MaxValue));

        static bool Number(string value, out uint number) => value.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(value.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out number)
            : uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    // iptables-save quotes a comment with spaces in double quotes.
    private static List<string> Words(string line)
    {
        var words = new List<string>();
        var i = 0;
        while (i < line.Length)
        {
            if (line[i] == ' ')
            {
                i++;
                continue;
            }

            var quoted = line[i] == '"';
            var end = quoted ? line.IndexOf('"', i + 1) : line.IndexOf(' ', i);
            end = end < 0 ? line.Length : end;
            words.Add(quoted ? line[(i + 1)..end] : line[i..end]);
            i = end + 1;
        }

        return words;
    }
}
