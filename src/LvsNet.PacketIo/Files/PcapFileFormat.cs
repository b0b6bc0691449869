namespace LvsNet.PacketIo.Files;

/// <summary>Constants of the classic libpcap savefile format (pcap-savefile(5)).</summary>
internal static class PcapFileFormat
{
    /// <summary>Magic for microsecond timestamps, as written by the writer's byte order.</summary>
    public const uint MagicMicroseconds = 0xa1b2c3d4;

    /// <summary>Magic for nanosecond timestamps.</summary>
    public const uint MagicNanoseconds = 0xa1b23c4d;

    /// <summary>The format version written: 2.4.</summary>
    public const ushort VersionMajor = 2;

    /// <summary>The minor version written.</summary>
    public const ushort VersionMinor = 4;

    /// <summary>LINKTYPE_ETHERNET.</summary>
    public const uint LinkTypeEthernet = 1;

    /// <summary>The global header's size.</summary>
    public const int FileHeaderSize = 24;

    /// <summary>A record header's size: ts_sec, ts_usec, incl_len, orig_len (4 bytes each).</summary>
    public const int RecordHeaderSize = 16;

    /// <summary>The largest record length accepted regardless of the header's snap length (libpcap's MAXIMUM_SNAPLEN).</summary>
    public const int MaximumRecordLength = 262144;
}
