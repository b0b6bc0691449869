namespace LvsNet.PacketIo.Files;

/// <summary>One record read from a .pcap file.</summary>
public sealed class PcapRecord
{
    /// <summary>Creates a record.</summary>
    /// <param name="timestamp">The capture time.</param>
    /// <param name="data">The captured bytes.</param>
    /// <param name="wireLength">The frame's length on the wire.</param>
    public PcapRecord(DateTimeOffset timestamp, byte[] data, int wireLength)
    {
        ArgumentNullException.ThrowIfNull(data);
        Timestamp = timestamp;
        Data = data;
        WireLength = wireLength;
    }

    /// <summary>The capture time (UTC).</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The captured bytes (the record's incl_len bytes).</summary>
    public byte[] Data { get; }

    /// <summary>The frame's length on the wire (orig_len); larger than <see cref="Data"/> when the capture truncated it.</summary>
    public int WireLength { get; }
}
