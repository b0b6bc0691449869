namespace LvsNet.Core.Sync;

/// <summary>Sizes and constants of the IPVS sync wire format (net/netfilter/ipvs/ip_vs_sync.c).</summary>
public static class SyncWire
{
    /// <summary>Version 1 message header (struct ip_vs_sync_mesg): reserved 0, syncid, size, nr_conns, version 1, spare.</summary>
    public const int HeaderV1Length = 8;

    /// <summary>Version 0 message header (struct ip_vs_sync_mesg_v0): nr_conns, syncid, size.</summary>
    public const int HeaderV0Length = 4;

    /// <summary>A version 1 IPv4 record (struct ip_vs_sync_v4).</summary>
    public const int RecordV4Length = 36;

    /// <summary>A version 1 IPv6 record (struct ip_vs_sync_v6).</summary>
    public const int RecordV6Length = 72;

    /// <summary>A version 0 record (struct ip_vs_sync_conn_v0).</summary>
    public const int RecordV0Length = 24;

    /// <summary>The sequence options (struct ip_vs_sync_conn_options: in_seq and out_seq, 12 bytes each).</summary>
    public const int SequenceOptionsLength = 24;

    /// <summary>The version byte of a version 1 header (SYNC_PROTO_VER).</summary>
    public const byte ProtocolVersion = 1;

    /// <summary>Record type bit: IPv6 (STYPE_F_INET6).</summary>
    public const byte TypeInet6 = 0x01;

    /// <summary>Option type: sequence data (IPVS_OPT_SEQ_DATA).</summary>
    public const byte OptionSequence = 1;

    /// <summary>Option type: persistence-engine data (IPVS_OPT_PE_DATA).</summary>
    public const byte OptionPeData = 2;

    /// <summary>Option type: persistence-engine name (IPVS_OPT_PE_NAME).</summary>
    public const byte OptionPeName = 3;

    /// <summary>Option type flag: optional parameter, skipped when unknown (IPVS_OPT_F_PARAM).</summary>
    public const byte OptionOptionalFlag = 0x40;

    /// <summary>
    /// Option type (LvsNet, sent with <see cref="OptionOptionalFlag"/> so that a kernel backup skips
    /// it): the FULLNAT local address (4 bytes), local port (2 bytes), flags (1 byte: bit 0 TOA
    /// sent) and a zero byte.
    /// </summary>
    public const byte OptionFullNatLocal = 0x10;

    /// <summary>The length of the FULLNAT local option's value.</summary>
    public const int FullNatLocalLength = 8;

    /// <summary>
    /// Option type (LvsNet, sent with <see cref="OptionOptionalFlag"/> so that a kernel backup skips
    /// it): an IPv6 FULLNAT connection's local address (16 bytes), local port (2 bytes), flags (1 byte:
    /// bit 0 TOA sent) and a zero byte.
    /// </summary>
    public const byte OptionFullNatLocal6 = 0x11;

    /// <summary>The length of the IPv6 FULLNAT local option's value.</summary>
    public const int FullNatLocal6Length = 20;

    /// <summary>
    /// Option type (LvsNet, mandatory: sent without <see cref="OptionOptionalFlag"/>, so that a kernel
    /// backup, which refuses mixed-family services while it syncs, skips the record instead of binding
    /// it to the zero address in daddr): the real server's address in the other family, 4 bytes in an
    /// IPv6 record (NAT64, a tunnel to an IPv4 server), 16 bytes in an IPv4 record (a tunnel to an IPv6
    /// server). The record's daddr is zero.
    /// </summary>
    public const byte OptionServerOtherFamily = 0x12;

    /// <summary>The IP and UDP headers in front of a message: maxlen = MTU − this.</summary>
    public const int UdpIpOverhead = 28;

    /// <summary>Connections per message: the header's count is one byte.</summary>
    public const int MaxConnectionsPerMessage = 255;
}
