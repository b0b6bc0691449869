using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace LvsNet.Core.Configuration;

/// <summary>
/// Reads typed values out of one YAML mapping, recording every problem with its path and line
/// instead of stopping at the first (so an operator sees all mistakes at once).
/// </summary>
internal sealed class YamlMapping
{
    private readonly YamlMappingNode _node;
    private readonly List<ConfigError> _errors;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public YamlMapping(YamlMappingNode node, string path, List<ConfigError> errors)
    {
        _node = node;
        Path = path;
        _errors = errors;
    }

    public string Path { get; }

    public int Line => LineOf(_node);

    public static int LineOf(YamlNode node) => (int)node.Start.Line;

    public string Child(string key) => Path.Length == 0 ? key : Path + "." + key;

    public void Error(string key, YamlNode? node, string message) =>
        _errors.Add(new ConfigError(Child(key), node is null ? Line : LineOf(node), message));

    public bool Has(string key)
    {
        _known.Add(key);
        return Find(key) is not null;
    }

    public YamlNode? Find(string key)
    {
        _known.Add(key);
        return _node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
    }

    public string? String(string key, bool required = false)
    {
        var node = Find(key);
        if (node is null)
        {
            if (required)
            {
                Error(key, null, "is required");
            }

            return null;
        }

        if (node is not YamlScalarNode scalar || scalar.Value is null)
        {
            Error(key, node, "must be a single value");
            return null;
        }

        if (required && scalar.Value.Length == 0)
        {
            Error(key, node, "must not be empty");
            return null;
        }

        return scalar.Value;
    }

    public long? Integer(string key, long min, long max, bool required = false)
    {
        var text = String(key, required);
        if (text is null)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            Error(key, Find(key), $"must be a whole number, got '{text}'");
            return null;
        }

        if (value < min || value > max)
        {
            Error(key, Find(key), $"must be between {min} and {max}, got {value}");
            return null;
        }

        return value;
    }

    public bool? Boolean(string key)
    {
        var text = String(key);
        switch (text?.ToLowerInvariant())
        {
            case null:
                return null;
            case "true" or "yes" or "on":
                return true;
            case "false" or "no" or "off":
                return false;
            default:
                Error(key, Find(key), $"must be true or false, got '{text}'");
                return null;
        }
    }

    /// <summary>A duration: a bare number of seconds, or a number with ms, s, m, h or d.</summary>
    public TimeSpan? Duration(string key, TimeSpan min, TimeSpan max)
    {
        var text = String(key);
        if (text is null)
        {
            return null;
        }

        if (!DurationParser.TryParse(text, out var value))
        {
            Error(key, Find(key), $"must be a duration such as 30s, 500ms, 15m or a number of seconds, got '{text}'");
            return null;
        }

        if (value < min || value > max)
        {
            Error(key, Find(key), $"must be between {DurationParser.Format(min)} and {DurationParser.Format(max)}, got {text}");
            return null;
        }

        return value;
    }

    public uint? Ipv4(string key, bool required = false)
    {
        var text = String(key, required);
        if (text is null)
        {
            return null;
        }

        if (!Packets.Ipv4Address.TryParse(text, out var address))
        {
            Error(key, Find(key), $"must be an IPv4 address such as 10.0.0.1, got '{text}'");
            return null;
        }

        return address;
    }

    /// <summary>
    /// An IPv4 or IPv6 address (<c>10.0.0.1</c>, <c>2001:db8::1</c>, or bracketed <c>[2001:db8::1]</c>
    /// as ipvsadm writes it); zones and prefixes are refused.
    /// </summary>
    /// <returns>False (with an error, or without one when the key is absent and optional) when there is no address.</returns>
    public bool IpAddress(string key, out uint ipv4, out Packets.Ipv6.Ipv6Address? ipv6, bool required = false)
    {
        ipv4 = 0;
        ipv6 = null;
        var text = String(key, required);
        if (text is null)
        {
            return false;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            var bare = text.Length > 2 && text[0] == '[' && text[^1] == ']' ? text[1..^1] : text;
            if (Packets.Ipv6.Ipv6Address.TryParse(bare, out var address))
            {
                ipv6 = address;
                return true;
            }
        }
        else if (Packets.Ipv4Address.TryParse(text, out ipv4))
        {
            return true;
        }

        Error(key, Find(key), $"must be an IPv4 address such as 10.0.0.1 or an IPv6 address such as 2001:db8::1, got '{text}'");
        return false;
    }

    /// <summary>A unicast MAC address (six hex octets separated by colons or hyphens); zero, broadcast and multicast are refused, since no neighbour has them.</summary>
    public Packets.MacAddress? Mac(string key)
    {
        var text = String(key);
        if (text is null)
        {
            return null;
        }

        if (!Packets.MacAddress.TryParse(text, out var mac))
        {
            Error(key, Find(key), $"must be a MAC address such as 52:54:00:12:34:56, got '{text}'");
            return null;
        }

        if (mac.IsZero || mac.IsMulticast)
        {
            Error(key, Find(key), $"must be a unicast MAC address (not zero, broadcast or multicast), got '{text}'");
            return null;
        }

        return mac;
    }

    public YamlMapping? Mapping(string key)
    {
        var node = Find(key);
        if (node is null)
        {
            return null;
        }

        if (node is not YamlMappingNode mapping)
        {
            Error(key, node, "must be a mapping (key: value lines)");
            return null;
        }

        return new YamlMapping(mapping, Child(key), _errors);
    }

    public IReadOnlyList<YamlMapping> Sequence(string key)
    {
        var node = Find(key);
        if (node is null)
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error(key, node, "must be a list (lines starting with '- ')");
            return [];
        }

        var items = new List<YamlMapping>(sequence.Children.Count);
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var path = $"{Child(key)}[{i}]";
            if (sequence.Children[i] is YamlMappingNode item)
            {
                items.Add(new YamlMapping(item, path, _errors));
            }
            else
            {
                _errors.Add(new ConfigError(path, LineOf(sequence.Children[i]), "must be a mapping (key: value lines)"));
            }
        }

        return items;
    }

    /// <summary>Reports every key that no reader asked for: typos must not be silently ignored.</summary>
    public void RejectUnknownKeys()
    {
        foreach (var (keyNode, _) in _node.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "?";
            if (!_known.Contains(key))
            {
                _errors.Add(new ConfigError(Child(key), LineOf(keyNode), $"unknown key; expected one of: {string.Join(", ", _known.Order(StringComparer.Ordinal))}"));
            }
        }
    }
}
