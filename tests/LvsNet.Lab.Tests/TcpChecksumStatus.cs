namespace LvsNet.Lab.Tests;

/// <summary>Reads tshark's verdict on a TCP checksum the director passed through unchanged (DR, TUN).</summary>
internal static class TcpChecksumStatus
{
    /// <summary>
    /// Given tshark's tcp.checksum.status, tcp.checksum and tcp.checksum_calculated: true for status 1 (good), and for 0xffff where 0x0000 is computed. Both are
    /// ones'-complement zero and verify alike at any receiver (RFC 1071 §2, RFC 1624 §3); Linux writes
    /// 0xffff when it completes a checksum in software (skb_checksum_help), about one segment in
    /// 65,536, and tshark reports it as bad.
    /// </summary>
    public static bool IsGood(string status, string checksum, string calculated) =>
        status == "1" || (status == "0" && checksum == "0xffff" && calculated == "0x0000");
}
