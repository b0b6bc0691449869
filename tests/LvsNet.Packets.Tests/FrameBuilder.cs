namespace LvsNet.Packets.Tests;

/// <summary>
/// Builds valid Ethernet[+802.1Q]/IPv4[+options]/TCP|UDP|ICMP and ARP frames byte by byte, with
/// checksums from <see cref="RefChecksum"/>: nothing here calls the product's writers or checksums,
/// so a product bug cannot hide behind a helper that shares it.
/// </summary>
internal sealed class FrameBuilder
{
    /// <summary>The broadcast MAC as a 48-bit value.</summary>
    public const ulong BroadcastMac = 0xFFFF_FFFF_FFFF;

    public const byte ProtocolIcmp = 1;
    public const byte ProtocolTcp = 6;
    public const byte ProtocolUdp = 17;

    /// <summary>Linux-style SYN options: MSS 1460, SACK permitted, timestamps, NOP, window scale 7 (20 bytes).</summary>
    public static readonly byte[] LinuxSynOptions =
    [
        0x02, 0x04, 0x05, 0xB4,
        0x04, 0x02,
        0x08, 0x0A, 0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x00,
        0x01,
        0x03, 0x03, 0x07,
    ];

    /// <summary>IPv4 options: router alert (RFC 2113), then NOP, NOP, NOP, end of list (8 bytes, IHL 7).</summary>
    public static readonly byte[] RouterAlertOptions = [0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00];

    public ulong DestinationMac { get; init; } = 0x02_00_00_00_00_02;

    public ulong SourceMac { get; init; } = 0x02_00_00_00_00_10;

    /// <summary>When set, an 802.1Q tag with this TCI is inserted.</summary>
    public ushort? VlanTci { get; init; }

    public byte TypeOfService { get; init; }

    public ushort Identification { get; init; } = 0x1234;

    public ushort FlagsAndFragmentOffset { get; init; } = 0x4000;

    public byte Ttl { get; init; } = 64;

    public uint Source { get; init; } = 0x0A00_000A;

    public uint Destination { get; init; } = 0x0A00_0064;

    /// <summary>IPv4 option bytes (a multiple of 4, at most 40).</summary>
    public byte[] IpOptions { get; init; } = [];

    /// <summary>Zero bytes appended after the IP packet (Ethernet padding, not counted in the total length).</summary>
    public int Padding { get; init; }

    /// <summary>When true, the IPv4 header checksum is left wrong (off by one).</summary>
    public bool CorruptIpChecksum { get; init; }

    public int EthernetLength => VlanTci is null ? 14 : 18;

    public int IpHeaderLength => 20 + IpOptions.Length;

    public int L4Offset => EthernetLength + IpHeaderLength;

    /// <summary>The sample frames used by the truncation theories, by name.</summary>
    public static IReadOnlyDictionary<string, byte[]> Samples { get; } = BuildSamples();

    /// <summary>An Ethernet/IPv4/TCP frame with a correct TCP checksum.</summary>
    public byte[] Tcp(
        ushort sourcePort,
        ushort destinationPort,
        TcpFlags flags = TcpFlags.Syn,
        uint sequence = 1000,
        uint acknowledgment = 0,
        ushort window = 64240,
        byte[]? options = null,
        byte[]? payload = null,
        ushort urgentPointer = 0)
    {
        options ??= [];
        payload ??= [];
        if (options.Length % 4 != 0)
        {
            throw new ArgumentException("TCP options must be padded to 4 bytes.", nameof(options));
        }

        var headerLength = 20 + options.Length;
        var segment = new byte[headerLength + payload.Length];
        WriteUInt16(segment, 0, sourcePort);
        WriteUInt16(segment, 2, destinationPort);
        WriteUInt32(segment, 4, sequence);
        WriteUInt32(segment, 8, acknowledgment);
        segment[12] = (byte)((headerLength / 4) << 4);
        segment[13] = (byte)flags;
        WriteUInt16(segment, 14, window);
        WriteUInt16(segment, 18, urgentPointer);
        options.CopyTo(segment, 20);
        payload.CopyTo(segment, headerLength);
        WriteUInt16(segment, 16, RefChecksum.Transport(Source, Destination, ProtocolTcp, segment));
        return Ipv4(ProtocolTcp, segment);
    }

    /// <summary>An Ethernet/IPv4/UDP frame; the checksum is correct (0 computed is sent as 0xFFFF), or 0 when <paramref name="withoutChecksum"/>.</summary>
    public byte[] Udp(ushort sourcePort, ushort destinationPort, byte[]? payload = null, bool withoutChecksum = false)
    {
        payload ??= [];
        var datagram = new byte[8 + payload.Length];
        WriteUInt16(datagram, 0, sourcePort);
        WriteUInt16(datagram, 2, destinationPort);
        WriteUInt16(datagram, 4, (ushort)datagram.Length);
        payload.CopyTo(datagram, 8);
        if (!withoutChecksum)
        {
            var checksum = RefChecksum.Transport(Source, Destination, ProtocolUdp, datagram);
            WriteUInt16(datagram, 6, checksum == 0 ? (ushort)0xFFFF : checksum);
        }

        return Ipv4(ProtocolUdp, datagram);
    }

    /// <summary>An Ethernet/IPv4/ICMP frame with a correct ICMP checksum.</summary>
    public byte[] Icmp(byte type, byte code, uint restOfHeader, byte[]? body = null)
    {
        body ??= [];
        var message = new byte[8 + body.Length];
        message[0] = type;
        message[1] = code;
        WriteUInt32(message, 4, restOfHeader);
        body.CopyTo(message, 8);
        WriteUInt16(message, 2, RefChecksum.Compute(message));
        return Ipv4(ProtocolIcmp, message);
    }

    /// <summary>An Ethernet/IPv4 frame carrying <paramref name="payload"/> as is (no transport checksum is computed).</summary>
    public byte[] Ipv4(byte protocol, ReadOnlySpan<byte> payload)
    {
        if (IpOptions.Length % 4 != 0 || IpOptions.Length > 40)
        {
            throw new InvalidOperationException("IPv4 options must be a multiple of 4 bytes, at most 40.");
        }

        var totalLength = IpHeaderLength + payload.Length;
        var frame = new byte[EthernetLength + totalLength + Padding];
        WriteEthernet(frame, DestinationMac, SourceMac, VlanTci, 0x0800);
        var ip = EthernetLength;
        frame[ip] = (byte)(0x40 | (IpHeaderLength / 4));
        frame[ip + 1] = TypeOfService;
        WriteUInt16(frame, ip + 2, (ushort)totalLength);
        WriteUInt16(frame, ip + 4, Identification);
        WriteUInt16(frame, ip + 6, FlagsAndFragmentOffset);
        frame[ip + 8] = Ttl;
        frame[ip + 9] = protocol;
        WriteUInt32(frame, ip + 12, Source);
        WriteUInt32(frame, ip + 16, Destination);
        IpOptions.CopyTo(frame, ip + 20);
        var checksum = RefChecksum.Compute(frame.AsSpan(ip, IpHeaderLength));
        WriteUInt16(frame, ip + 10, CorruptIpChecksum ? (ushort)(checksum + 1) : checksum);
        payload.CopyTo(frame.AsSpan(ip + IpHeaderLength));
        return frame;
    }

    /// <summary>An Ethernet/ARP frame, padded with zeros to 60 bytes unless <paramref name="pad"/> is false.</summary>
    public static byte[] Arp(
        ushort operation,
        ulong senderMac,
        uint senderIp,
        ulong targetMac,
        uint targetIp,
        ulong ethernetDestination = BroadcastMac,
        ushort? vlanTci = null,
        bool pad = true)
    {
        var ethernetLength = vlanTci is null ? 14 : 18;
        var frame = new byte[Math.Max(ethernetLength + 28, pad ? 60 : 0)];
        WriteEthernet(frame, ethernetDestination, senderMac, vlanTci, 0x0806);
        var arp = ethernetLength;
        WriteUInt16(frame, arp, 1);
        WriteUInt16(frame, arp + 2, 0x0800);
        frame[arp + 4] = 6;
        frame[arp + 5] = 4;
        WriteUInt16(frame, arp + 6, operation);
        WriteMac(frame, arp + 8, senderMac);
        WriteUInt32(frame, arp + 14, senderIp);
        WriteMac(frame, arp + 18, targetMac);
        WriteUInt32(frame, arp + 24, targetIp);
        return frame;
    }

    /// <summary>Decodes hex text; whitespace is ignored.</summary>
    public static byte[] Hex(string text) =>
        Convert.FromHexString(string.Concat(text.Where(c => !char.IsWhiteSpace(c))));

    public static void WriteUInt16(byte[] buffer, int offset, ushort value)
    {
        buffer[offset] = (byte)(value >> 8);
        buffer[offset + 1] = (byte)value;
    }

    public static void WriteUInt32(byte[] buffer, int offset, uint value)
    {
        buffer[offset] = (byte)(value >> 24);
        buffer[offset + 1] = (byte)(value >> 16);
        buffer[offset + 2] = (byte)(value >> 8);
        buffer[offset + 3] = (byte)value;
    }

    public static void WriteMac(byte[] buffer, int offset, ulong mac)
    {
        for (var i = 0; i < 6; i++)
        {
            buffer[offset + i] = (byte)(mac >> (40 - (8 * i)));
        }
    }

    private static void WriteEthernet(byte[] frame, ulong destination, ulong source, ushort? vlanTci, ushort type)
    {
        WriteMac(frame, 0, destination);
        WriteMac(frame, 6, source);
        if (vlanTci is { } tci)
        {
            WriteUInt16(frame, 12, 0x8100);
            WriteUInt16(frame, 14, tci);
            WriteUInt16(frame, 16, type);
        }
        else
        {
            WriteUInt16(frame, 12, type);
        }
    }

    private static Dictionary<string, byte[]> BuildSamples()
    {
        byte[] payload = [0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03];
        var quoted = new FrameBuilder { Source = 0x0A00_0064, Destination = 0x0A00_000A }.Udp(53, 40000, [1, 2, 3, 4]);
        return new Dictionary<string, byte[]>
        {
            ["tcp"] = new FrameBuilder().Tcp(40000, 80, TcpFlags.Psh | TcpFlags.Ack, payload: payload),
            ["tcp-vlan"] = new FrameBuilder { VlanTci = 0xA064 }.Tcp(40000, 80, TcpFlags.Ack, payload: payload),
            ["tcp-options"] = new FrameBuilder { IpOptions = RouterAlertOptions }.Tcp(40000, 80, options: LinuxSynOptions, payload: payload),
            ["udp"] = new FrameBuilder().Udp(40000, 53, payload),
            ["udp-vlan-options"] = new FrameBuilder { VlanTci = 0x0FFF, IpOptions = RouterAlertOptions }.Udp(40000, 53, payload),
            ["icmp"] = new FrameBuilder().Icmp(8, 0, 0x1234_0001, payload),
            ["icmp-error"] = new FrameBuilder().Icmp(3, 3, 0, quoted.AsSpan(14, 28).ToArray()),
            ["arp"] = Arp(1, 0x02_00_00_00_00_10, 0x0A00_000A, 0, 0x0A00_0064),
            ["arp-vlan"] = Arp(2, 0x02_00_00_00_00_10, 0x0A00_000A, 0x02_00_00_00_00_02, 0x0A00_0064, 0x02_00_00_00_00_02, vlanTci: 7),
            ["golden-syn"] = Hex(GoldenFrames.LinuxSyn),
            ["golden-dns-vlan"] = Hex(GoldenFrames.VlanDnsQuery),
        };
    }
}
