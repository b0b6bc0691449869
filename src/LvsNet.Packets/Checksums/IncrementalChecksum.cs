namespace LvsNet.Packets.Checksums;

/// <summary>Incremental checksum updates (RFC 1624, equation 3: HC' = ~(~HC + ~m + m')).</summary>
public static class IncrementalChecksum
{
    /// <summary>Updates <paramref name="checksum"/> for a 16-bit field that changed from <paramref name="oldValue"/> to <paramref name="newValue"/>.</summary>
    public static ushort Update(ushort checksum, ushort oldValue, ushort newValue)
    {
        var sum = (uint)(ushort)~checksum + (ushort)~oldValue + newValue;
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    /// <summary>Updates <paramref name="checksum"/> for a 32-bit field (an IPv4 address) that changed.</summary>
    public static ushort Update(ushort checksum, uint oldValue, uint newValue)
    {
        var sum = (ulong)(ushort)~checksum
            + (ushort)~(ushort)(oldValue >> 16) + (ushort)~(ushort)oldValue
            + (ushort)(newValue >> 16) + (ushort)newValue;
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }
}
