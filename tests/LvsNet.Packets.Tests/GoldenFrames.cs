namespace LvsNet.Packets.Tests;

/// <summary>
/// Hand-written frames with known field values. The checksums in them were checked by Wireshark
/// (<c>tshark -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE</c>
/// reports "[correct]" for every one), independently of both the product and <see cref="RefChecksum"/>.
/// </summary>
internal static class GoldenFrames
{
    /// <summary>
    /// A Linux 6.x style TCP SYN, 74 bytes: 08:00:27:8a:3c:5e → 52:54:00:12:35:02, IPv4 10.0.2.15 → 93.184.216.34,
    /// id 0x1c46, DF, TTL 64, header checksum 0xdc8c; TCP 46414 → 80, seq 0x5b2c9a17, SYN, window 64240,
    /// checksum 0x99f4, options MSS 1460, SACK permitted, TS val 0x9c3d2a11 ecr 0, NOP, window scale 7.
    /// </summary>
    public const string LinuxSyn =
        "525400123502 0800278a3c5e 0800" +
        "4500 003c 1c46 4000 4006 dc8c 0a00020f 5db8d822" +
        "b54e 0050 5b2c9a17 00000000 a002 faf0 99f4 0000" +
        "020405b4 0402 080a9c3d2a1100000000 01 030307";

    /// <summary>
    /// A DNS query for example.com/A in VLAN 100 (PCP 5), 75 bytes: 66:77:88:99:aa:bb → 00:11:22:33:44:55,
    /// IPv4 192.168.100.7 → 192.168.100.1, id 0xbeef, no flags, TTL 64, header checksum 0x726b;
    /// UDP 53001 → 53, length 37, checksum 0x6bd0.
    /// </summary>
    public const string VlanDnsQuery =
        "001122334455 66778899aabb 8100 a064 0800" +
        "4500 0039 beef 0000 4011 726b c0a86407 c0a86401" +
        "cf09 0035 0025 6bd0" +
        "abcd 0100 0001 0000 0000 0000 076578616d706c6503636f6d00 0001 0001";

    /// <summary>
    /// An ICMP echo request, 50 bytes: 02:00:00:00:00:01 → 02:00:00:00:00:02, IPv4 10.0.0.1 → 10.0.0.2,
    /// id 1, DF, TTL 64, header checksum 0x26d6; ICMP type 8 code 0 checksum 0x5435, id 0x1234 seq 1, "abcdefgh".
    /// </summary>
    public const string IcmpEchoRequest =
        "020000000002 020000000001 0800" +
        "4500 0024 0001 4000 4001 26d6 0a000001 0a000002" +
        "08 00 5435 1234 0001 6162636465666768";

    /// <summary>
    /// An ARP who-has 10.0.2.2 tell 10.0.2.15 from 08:00:27:8a:3c:5e, broadcast, padded to 60 bytes.
    /// </summary>
    public const string ArpRequest =
        "ffffffffffff 0800278a3c5e 0806" +
        "0001 0800 06 04 0001 0800278a3c5e 0a00020f 000000000000 0a000202" +
        "000000000000000000000000000000000000";

    /// <summary>The IPv4 header example often used to show the checksum (192.168.0.1 → 192.168.0.199, UDP), checksum 0xb861.</summary>
    public const string Ipv4HeaderWithChecksumB861 = "4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7";
}
