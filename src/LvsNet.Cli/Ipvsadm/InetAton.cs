namespace LvsNet.Cli.Ipvsadm;

/// <summary>
/// The address syntax of C's inet_aton(3), which ipvsadm uses for addresses and netmasks: one to
/// four parts separated by dots, each decimal, octal (leading 0) or hexadecimal (0x); the last
/// part fills the remaining bytes ("10.1" is 10.0.0.1, "255.255.0" is 255.255.0.0).
/// </summary>
internal static class InetAton
{
    /// <summary>Parses <paramref name="text"/>; the address is in host order (first byte most significant).</summary>
    public static bool TryParse(string text, out uint address)
    {
        address = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var parts = text.Split('.');
        if (parts.Length > 4)
        {
            return false;
        }

        var values = new ulong[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryParsePart(parts[i], out values[i]))
            {
                return false;
            }
        }

        // Every part but the last is one byte; the last covers the bytes that are left.
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (values[i] > 0xFF)
            {
                return false;
            }
        }

        var lastBits = 8 * (5 - parts.Length);
        var last = values[^1];
        if (last > (lastBits == 32 ? uint.MaxValue : (1UL << lastBits) - 1))
        {
            return false;
        }

        ulong result = 0;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            result |= values[i] << (24 - (8 * i));
        }

        address = (uint)(result | last);
        return true;
    }

    private static bool TryParsePart(string part, out ulong value)
    {
        value = 0;
        if (part.Length == 0)
        {
            return false;
        }

        var radix = 10;
        var digits = part.AsSpan();
        if (digits.Length > 1 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
        {
            radix = 16;
            digits = digits[2..];
        }
        else if (digits.Length > 1 && digits[0] == '0')
        {
            radix = 8;
            digits = digits[1..];
        }

        foreach (var c in digits)
        {
            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => int.MaxValue,
            };
            if (digit >= radix)
            {
                return false;
            }

            value = (value * (ulong)radix) + (ulong)digit;
            if (value > uint.MaxValue)
            {
                return false;
            }
        }

        return true;
    }
}
