using LvsNet.Packets;

namespace LvsNet.Core.Configuration;

/// <summary>The reader's value parsers: netmasks, address/prefix, bounded numbers.</summary>
public static partial class LvsConfigReader
{
    /// <summary>Parses a dotted netmask (contiguous ones) or a prefix length written /N or N.</summary>
    internal static bool TryParseNetmask(string text, out uint mask)
    {
        mask = 0;
        var prefixText = text.StartsWith('/') ? text[1..] : text;
        if (!prefixText.Contains('.', StringComparison.Ordinal))
        {
            if (!int.TryParse(prefixText, out var prefix) || prefix is < 0 or > 32)
            {
                return false;
            }

            mask = Ipv4Address.PrefixToMask(prefix);
            return true;
        }

        if (!Ipv4Address.TryParse(text, out mask))
        {
            return false;
        }

        // Contiguous: the inverted mask plus one is a power of two.
        var inverted = ~mask;
        return (inverted & (inverted + 1)) == 0;
    }

    private static double? ReadNumber(YamlMapping map, string key, double min, double max, bool minExclusive = false)
    {
        var text = map.String(key);
        if (text is null)
        {
            return null;
        }

        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            map.Error(key, map.Find(key), $"must be a number such as 0.5, got '{text}'");
            return null;
        }

        if (value > max || (minExclusive ? value <= min : value < min))
        {
            map.Error(key, map.Find(key), $"must be {(minExclusive ? "above" : "at least")} {min.ToString(System.Globalization.CultureInfo.InvariantCulture)} and at most {max.ToString(System.Globalization.CultureInfo.InvariantCulture)}, got {text}");
            return null;
        }

        return value;
    }

    private static bool TryParseAddressWithPrefix(string text, out uint address, out int prefix)
    {
        prefix = 32;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), out prefix) || prefix is < 0 or > 32))
        {
            address = 0;
            return false;
        }

        if (slash < 0)
        {
            prefix = 24;
        }

        return Ipv4Address.TryParse(addressText, out address);
    }

    // The director's IPv6 address with its prefix (2001:db8::2/64); without a prefix, /64.
    private static bool TryParseIpv6WithPrefix(string text, out Packets.Ipv6.Ipv6Address address, out int prefix)
    {
        prefix = 64;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), out prefix) || prefix is < 1 or > 128))
        {
            address = default;
            return false;
        }

        return Packets.Ipv6.Ipv6Address.TryParse(addressText, out address);
    }
}
