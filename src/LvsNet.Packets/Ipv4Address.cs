using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace LvsNet.Packets;

/// <summary>
/// Helpers for IPv4 addresses held as a <see cref="uint"/> whose value is the address read
/// big-endian (the value of <c>ntohl()</c>: 10.0.0.1 is 0x0A000001). The data path and the
/// connection keys use this form; <see cref="IPAddress"/> appears only at config and log edges.
/// </summary>
public static class Ipv4Address
{
    /// <summary>Converts an IPv4 <see cref="IPAddress"/>.</summary>
    /// <exception cref="ArgumentException">The address is not IPv4.</exception>
    public static uint FromIPAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{address} is not an IPv4 address.", nameof(address));
        }

        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    /// <summary>Converts to an <see cref="IPAddress"/> (allocates; for edges only).</summary>
    public static IPAddress ToIPAddress(uint address)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, address);
        return new IPAddress(bytes);
    }

    /// <summary>Parses strict dotted-quad text: four decimal numbers 0..255 without leading zeros (no octal, hex or short forms).</summary>
    public static bool TryParse(string? text, out uint address)
    {
        address = 0;
        if (text is null || text.Length is < 7 or > 15)
        {
            return false;
        }

        uint result = 0;
        var parts = 0;
        var value = 0;
        var digits = 0;
        foreach (var c in text)
        {
            if (c == '.')
            {
                if (digits == 0 || ++parts > 3)
                {
                    return false;
                }

                result = (result << 8) | (uint)value;
                value = 0;
                digits = 0;
            }
            else if (c is >= '0' and <= '9' && digits < 3 && !(digits == 1 && value == 0))
            {
                // A leading zero is refused: inet_aton would read "010" as octal 8.
                value = (value * 10) + (c - '0');
                digits++;
                if (value > 255)
                {
                    return false;
                }
            }
            else
            {
                return false;
            }
        }

        if (parts != 3 || digits == 0)
        {
            return false;
        }

        address = (result << 8) | (uint)value;
        return true;
    }

    /// <summary>Parses dotted-quad text or throws <see cref="FormatException"/>.</summary>
    public static uint Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not an IPv4 address.");

    /// <summary>Formats as dotted quad.</summary>
    public static string Format(uint address) =>
        string.Create(CultureInfo.InvariantCulture, $"{address >> 24}.{(address >> 16) & 0xFF}.{(address >> 8) & 0xFF}.{address & 0xFF}");

    /// <summary>The netmask of a prefix length (0..32).</summary>
    public static uint PrefixToMask(int prefixLength) =>
        prefixLength <= 0 ? 0u : prefixLength >= 32 ? uint.MaxValue : uint.MaxValue << (32 - prefixLength);

    /// <summary>
    /// True when no packet may come from <paramref name="address"/> (a martian source, RFC 1812
    /// 5.3.7 and the kernel's ip_route_input_slow): "this network" 0.0.0.0/8, loopback 127.0.0.0/8,
    /// multicast 224.0.0.0/4, and 240.0.0.0/4 (class E, which holds the limited broadcast
    /// 255.255.255.255).
    /// </summary>
    public static bool IsMartianSource(uint address)
    {
        var first = address >> 24;
        return first == 0 || first == 127 || first >= 224;
    }
}
