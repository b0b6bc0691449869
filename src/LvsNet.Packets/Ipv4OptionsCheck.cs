namespace LvsNet.Packets;

/// <summary>What <see cref="Ipv4OptionsCheck.Check"/> found in an IPv4 header's options.</summary>
public enum Ipv4OptionsVerdict
{
    /// <summary>Well formed, no source route.</summary>
    Valid = 0,

    /// <summary>An option whose length or pointer is wrong, or a repeated option (the kernel answers parameter problem).</summary>
    Malformed,

    /// <summary>Well formed, with a loose or strict source route (dropped with accept_source_route=0).</summary>
    SourceRoute,
}

/// <summary>
/// Checks the options of an IPv4 header by the rules of the kernel's receive path
/// (net/ipv4/ip_options.c, ip_options_compile with an skb, then ip_rcv_options).
/// </summary>
/// <remarks>
/// Rules: END stops the list; NOP is one byte; every other option needs a length byte with
/// 2 ≤ length ≤ bytes left. LSRR/SSRR: length ≥ 3, pointer ≥ 4, at most one source route.
/// RR: length ≥ 3, pointer ≥ 4, once; a pointer inside the option must leave room for an address
/// (pointer + 3 ≤ length). Timestamp: length ≥ 4, pointer ≥ 5, once; a pointer inside needs room
/// for its entry (4 bytes, 8 with an address: flags 1 and 3), and when full the overflow counter
/// must not be 15. Router alert: length ≥ 4. Other options (security, stream id, CIPSO, unknown)
/// pass when their length is right. Non-goal: CIPSO's own contents are not checked.
/// </remarks>
public static class Ipv4OptionsCheck
{
    private const byte End = 0;
    private const byte Nop = 1;
    private const byte RecordRoute = 7;
    private const byte Timestamp = 68;
    private const byte LooseSourceRoute = 131;
    private const byte StrictSourceRoute = 137;
    private const byte RouterAlert = 148;

    /// <summary>Checks <paramref name="options"/>: the header bytes after the first 20.</summary>
    public static Ipv4OptionsVerdict Check(ReadOnlySpan<byte> options)
    {
        var sourceRoute = false;
        var recordRoute = false;
        var timestamp = false;
        var i = 0;
        while (i < options.Length)
        {
            var type = options[i];
            if (type == End)
            {
                break;
            }

            if (type == Nop)
            {
                i++;
                continue;
            }

            var left = options.Length - i;
            if (left < 2)
            {
                return Ipv4OptionsVerdict.Malformed;
            }

            int length = options[i + 1];
            if (length < 2 || length > left)
            {
                return Ipv4OptionsVerdict.Malformed;
            }

            var option = options.Slice(i, length);
            switch (type)
            {
                case LooseSourceRoute or StrictSourceRoute:
                    if (length < 3 || option[2] < 4 || sourceRoute)
                    {
                        return Ipv4OptionsVerdict.Malformed;
                    }

                    sourceRoute = true;
                    break;
                case RecordRoute:
                    if (recordRoute || length < 3 || option[2] < 4 || (option[2] <= length && option[2] + 3 > length))
                    {
                        return Ipv4OptionsVerdict.Malformed;
                    }

                    recordRoute = true;
                    break;
                case Timestamp:
                    if (timestamp || !IsTimestampValid(option))
                    {
                        return Ipv4OptionsVerdict.Malformed;
                    }

                    timestamp = true;
                    break;
                case RouterAlert:
                    if (length < 4)
                    {
                        return Ipv4OptionsVerdict.Malformed;
                    }

                    break;
            }

            i += length;
        }

        return sourceRoute ? Ipv4OptionsVerdict.SourceRoute : Ipv4OptionsVerdict.Valid;
    }

    private static bool IsTimestampValid(ReadOnlySpan<byte> option)
    {
        var length = option.Length;
        if (length < 4 || option[2] < 5)
        {
            return false;
        }

        int pointer = option[2];
        var flags = option[3] & 0x0F;
        if (pointer <= length)
        {
            // Room for the next entry: a timestamp (flag 0), or an address and a timestamp (flags 1, 3).
            return pointer + 3 <= length && (flags is not (1 or 3) || pointer + 7 <= length);
        }

        // Full: the overflow counter (high nibble) must not have wrapped, except for prespecified addresses.
        return flags == 3 || (option[3] >> 4) != 15;
    }
}
