using System.Globalization;
using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Cli.Import;

/// <summary>
/// keepalived's value syntax: timers in seconds with decimals (<c>read_timer</c>), unsigned
/// integers, optional booleans (<c>alpha</c> alone = on), forwarding methods with tunnel options.
/// Each parser reports a bad value as an error on the statement's line.
/// </summary>
internal static class KeepalivedValues
{
    /// <summary>A timer in seconds ("6", "1.5") with millisecond resolution (LvsNet's), within [min, max].</summary>
    public static bool TryTimer(KeepalivedNode node, string title, ImportNotes notes, TimeSpan min, TimeSpan max, out TimeSpan value)
    {
        value = default;
        if (node.Value is not { } text
            || !decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            notes.Unmapped(title, node, "not a number of seconds");
            return false;
        }

        var milliseconds = seconds * 1000m;
        if (milliseconds != decimal.Truncate(milliseconds))
        {
            notes.Unmapped(title, node, "LvsNet's timers have millisecond resolution");
            return false;
        }

        if (milliseconds > (decimal)TimeSpan.FromDays(366).TotalMilliseconds)
        {
            notes.Unmapped(title, node, $"LvsNet accepts {DurationParser.Format(min)} to {DurationParser.Format(max)}");
            return false;
        }

        value = TimeSpan.FromMilliseconds((double)milliseconds);
        if (value < min || value > max)
        {
            notes.Unmapped(title, node, $"LvsNet accepts {DurationParser.Format(min)} to {DurationParser.Format(max)}");
            return false;
        }

        return true;
    }

    /// <summary>An unsigned integer within [min, max].</summary>
    public static bool TryNumber(KeepalivedNode node, string title, ImportNotes notes, long min, long max, out int value)
    {
        value = 0;
        if (node.Value is not { } text || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            notes.Unmapped(title, node, $"must be a number from {min} to {max}{(max < uint.MaxValue ? " here" : "")}");
            return false;
        }

        value = (int)number;
        return true;
    }

    /// <summary>keepalived's optional boolean: no argument = true; true/on/yes, false/off/no.</summary>
    public static bool TryFlag(KeepalivedNode node, string title, ImportNotes notes, out bool value)
    {
        value = true;
        if (node.Value is not { } text)
        {
            return true;
        }

        switch (text.ToLowerInvariant())
        {
            case "true" or "on" or "yes":
                return true;
            case "false" or "off" or "no":
                value = false;
                return true;
            default:
                notes.Unmapped(title, node, "expected true or false");
                return false;
        }
    }

    /// <summary>A command line: one quoted word or the unquoted words joined.</summary>
    public static string? Command(KeepalivedNode node, string title, ImportNotes notes)
    {
        var command = node.Rest.Trim();
        if (command.Length == 0)
        {
            notes.Unmapped(title, node, "no command given");
            return null;
        }

        return command;
    }

    /// <summary>
    /// <c>lvs_method NAT|DR|TUN [type ipip] [nocsum]</c> (keepalived's svr_forwarding_handler). GUE and
    /// GRE tunnels and checksum options are refused: LvsNet encapsulates in IPIP only.
    /// </summary>
    public static bool TryMethod(KeepalivedNode node, string title, ImportNotes notes, out ForwardingMethod method, string consequence = "")
    {
        method = node.Value switch
        {
            "NAT" => ForwardingMethod.Nat,
            "DR" => ForwardingMethod.DirectRouting,
            "TUN" => ForwardingMethod.Tunnel,
            _ => (ForwardingMethod)255,
        };
        if (method == (ForwardingMethod)255)
        {
            notes.Unmapped(title, node, "unknown forwarding method (keepalived knows NAT, DR and TUN)" + consequence);
            return false;
        }

        for (var i = 1; i < node.Args.Count; i++)
        {
            var option = node.Args[i];
            var next = i + 1 < node.Args.Count ? node.Args[i + 1] : null;
            if (option == "type" && next == "ipip")
            {
                i++;
            }
            else if (option == "type" && next is "gue" or "gre")
            {
                notes.Unmapped(title, node, $"LvsNet has no {next!.ToUpperInvariant()} tunnels (only IPIP); the real servers would not decapsulate what lvsnetd sends" + consequence);
                return false;
            }
            else if (option == "nocsum")
            {
                // IPIP carries no checksum: nocsum is keepalived's default and the only value valid for ipip.
            }
            else
            {
                notes.Unmapped(title, node, $"tunnel option '{option}' is not supported (LvsNet sends plain IPIP)" + consequence);
                return false;
            }
        }

        return true;
    }

    /// <summary>A port argument; "0" and a missing port are null (keepalived's "no port").</summary>
    public static bool TryPort(string? text, out ushort? port)
    {
        port = null;
        if (text is null)
        {
            return true;
        }

        if (!ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        port = value == 0 ? null : value;
        return true;
    }

    /// <summary>True when <paramref name="text"/> looks like an IPv6 address (it has a colon).</summary>
    public static bool IsIpv6(string? text) => text is not null && text.Contains(':', StringComparison.Ordinal);

    /// <summary>Formats address:port.</summary>
    public static string Endpoint(uint address, ushort port) => $"{Ipv4Address.Format(address)}:{port}";
}
