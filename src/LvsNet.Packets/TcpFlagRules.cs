namespace LvsNet.Packets;

/// <summary>
/// Which TCP flag combinations a segment may carry, and which may open a connection.
/// </summary>
/// <remarks>
/// The valid combinations are the kernel's connection tracker's (nf_conntrack_proto_tcp.c,
/// tcp_valid_flags, over FIN, SYN, RST, ACK and URG; PSH, ECE and CWR do not matter): SYN,
/// SYN+URG, SYN+ACK, RST, RST+ACK, FIN+ACK, FIN+ACK+URG, ACK, ACK+URG. Everything else (no flag,
/// FIN alone, SYN+FIN, SYN+RST, FIN+RST, "Christmas tree") is invalid wherever it arrives. Of the
/// valid ones only a SYN without ACK opens a connection: a listening socket answers SYN+ACK with
/// a reset (tcp_rcv_state_process), and conntrack finds SYN+ACK invalid in state NONE.
/// </remarks>
public static class TcpFlagRules
{
    private const int Significant = (int)(TcpFlags.Fin | TcpFlags.Syn | TcpFlags.Rst | TcpFlags.Ack | TcpFlags.Urg);

    // Bit n set: the combination n (of the significant flags, at most 0x37) is valid.
    private const ulong ValidMask =
        (1UL << (int)TcpFlags.Syn)
        | (1UL << (int)(TcpFlags.Syn | TcpFlags.Urg))
        | (1UL << (int)(TcpFlags.Syn | TcpFlags.Ack))
        | (1UL << (int)TcpFlags.Rst)
        | (1UL << (int)(TcpFlags.Rst | TcpFlags.Ack))
        | (1UL << (int)(TcpFlags.Fin | TcpFlags.Ack))
        | (1UL << (int)(TcpFlags.Fin | TcpFlags.Ack | TcpFlags.Urg))
        | (1UL << (int)TcpFlags.Ack)
        | (1UL << (int)(TcpFlags.Ack | TcpFlags.Urg));

    /// <summary>True when a segment may carry <paramref name="flags"/> at all.</summary>
    public static bool IsValid(TcpFlags flags) => ((ValidMask >> ((int)flags & Significant)) & 1) != 0;

    /// <summary>True when <paramref name="flags"/> (already valid) may open a connection: SYN without ACK (URG and PSH allowed).</summary>
    public static bool CanOpen(TcpFlags flags) => (flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Rst | TcpFlags.Fin)) == TcpFlags.Syn;
}
