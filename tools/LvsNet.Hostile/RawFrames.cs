using System.Buffers.Binary;

namespace LvsNet.Hostile;

/// <summary>
/// Writes Ethernet, 802.1Q, IPv4, IPv6, TCP, ARP and neighbour discovery bytes directly, with its own checksum code: the
/// campaign must be able to write what the project's own writers refuse to (bad lengths, bad
/// checksums, flags that cannot open a connection), and an encoder independent of the code under
/// test keeps the campaign honest.
/// </summary>
internal static class RawFrames
{
    public const int EthernetLength = 14;
    public const ushort EtherIpv4 = 0x0800;
    public const ushort EtherArp = 0x0806;
    public const ushort EtherVlan = 0x8100;
    public const ushort EtherIpv6 = 0x86DD;

    /// <summary>Eight bytes that legitimate traffic of the lab never carries; followed by the class id.</summary>
    public static ReadOnlySpan<byte> Magic => "LvHostl!"u8;

    /// <summary>The upper 24 bits of a marked TCP sequence number ("LVN"); the low 8 bits are the class id.</summary>
    public const uint SequenceMagic = 0x4C564E;

    /// <summary>Marker payload: <see cref="Magic"/>, the class id, then filler up to <paramref name="length"/>.</summary>
    public static byte[] MarkerPayload(int classId, int length = 16)
    {
        var payload = new byte[Math.Max(length, Magic.Length + 1)];
        Magic.CopyTo(payload);
        payload[Magic.Length] = (byte)classId;
        for (var i = Magic.Length + 1; i < payload.Length; i++)
        {
            payload[i] = (byte)('a' + (i % 26));
        }

        return payload;
    }

    /// <summary>The marked sequence number of a class.</summary>
    public static uint MarkedSequence(int classId) => (SequenceMagic << 8) | (byte)classId;

    /// <summary>Writes an Ethernet header (no tag) and returns its length.</summary>
    public static int WriteEthernet(Span<byte> frame, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> source, ushort etherType)
    {
        destination.CopyTo(frame);
        source.CopyTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], etherType);
        return EthernetLength;
    }

    /// <summary>Fields of an IPv4 + TCP frame; every field can be set to a hostile value.</summary>
    internal sealed record TcpSpec
    {
        public required byte[] SourceMac { get; init; }
        public required byte[] DestinationMac { get; init; }
        public required uint Source { get; init; }
        public required uint Destination { get; init; }
        public ushort SourcePort { get; init; } = 40000;
        public ushort DestinationPort { get; init; } = 80;
        public byte Flags { get; init; } = TcpSyn;
        public uint Sequence { get; init; }
        public uint Acknowledgment { get; init; }
        public byte Ttl { get; init; } = 64;
        public ushort Identification { get; init; } = 1;
        /// <summary>Flags and fragment offset word (DF by default).</summary>
        public ushort FragmentWord { get; init; } = 0x4000;
        public byte[] Options { get; init; } = [];
        public byte[] Payload { get; init; } = [];
        /// <summary>802.1Q VLAN id, or null for an untagged frame.</summary>
        public ushort? VlanId { get; init; }
        /// <summary>Pad the frame to the Ethernet minimum of 60 bytes.</summary>
        public bool Pad { get; init; } = true;
    }

    public const byte TcpFin = 0x01;
    public const byte TcpSyn = 0x02;
    public const byte TcpRst = 0x04;
    public const byte TcpPsh = 0x08;
    public const byte TcpAck = 0x10;

    /// <summary>A complete frame with valid checksums (callers then corrupt what their class needs).</summary>
    public static byte[] Tcp(TcpSpec spec)
    {
        var tag = spec.VlanId is null ? 0 : 4;
        var ipHeader = 20 + spec.Options.Length;
        var tcpLength = 20 + spec.Payload.Length;
        var length = EthernetLength + tag + ipHeader + tcpLength;
        var frame = new byte[spec.Pad ? Math.Max(60, length) : length];
        if (spec.VlanId is { } vlan)
        {
            WriteEthernet(frame, spec.DestinationMac, spec.SourceMac, EtherVlan);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), (ushort)(vlan & 0x0fff));
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), EtherIpv4);
        }
        else
        {
            WriteEthernet(frame, spec.DestinationMac, spec.SourceMac, EtherIpv4);
        }

        var ip = frame.AsSpan(EthernetLength + tag, ipHeader);
        ip[0] = (byte)(0x40 | (ipHeader / 4));
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(ipHeader + tcpLength));
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], spec.Identification);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], spec.FragmentWord);
        ip[8] = spec.Ttl;
        ip[9] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], spec.Source);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], spec.Destination);
        spec.Options.CopyTo(ip[20..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip));

        var tcp = frame.AsSpan(EthernetLength + tag + ipHeader, tcpLength);
        BinaryPrimitives.WriteUInt16BigEndian(tcp, spec.SourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], spec.DestinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], spec.Sequence);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], spec.Acknowledgment);
        tcp[12] = 5 << 4;
        tcp[13] = spec.Flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 29200);
        spec.Payload.CopyTo(tcp[20..]);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], TransportChecksum(spec.Source, spec.Destination, 6, tcp));
        return frame;
    }

    /// <summary>Offset of the IPv4 header in a frame written by <see cref="Tcp"/>.</summary>
    public static int IpOffset(byte[] frame) =>
        BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) == EtherVlan ? EthernetLength + 4 : EthernetLength;

    /// <summary>Recomputes the IPv4 header checksum of a frame (after a field was changed on purpose).</summary>
    public static void FixIpChecksum(byte[] frame)
    {
        var offset = IpOffset(frame);
        var ip = frame.AsSpan(offset, Math.Min((frame[offset] & 0x0f) * 4, frame.Length - offset));
        ip[10] = 0;
        ip[11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip));
    }

    /// <summary>An ARP packet (Ethernet/IPv4), padded to 60 bytes.</summary>
    public static byte[] Arp(byte[] ethernetDestination, byte[] ethernetSource, ushort operation,
        ReadOnlySpan<byte> senderMac, uint senderIp, ReadOnlySpan<byte> targetMac, uint targetIp)
    {
        var frame = new byte[60];
        WriteEthernet(frame, ethernetDestination, ethernetSource, EtherArp);
        var arp = frame.AsSpan(EthernetLength);
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], EtherIpv4);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], operation);
        senderMac.CopyTo(arp[8..]);
        BinaryPrimitives.WriteUInt32BigEndian(arp[14..], senderIp);
        targetMac.CopyTo(arp[18..]);
        BinaryPrimitives.WriteUInt32BigEndian(arp[24..], targetIp);
        return frame;
    }

    /// <summary>Fields of an IPv6 + TCP frame; <see cref="Headers"/> are extension headers (type, bytes whose first byte is overwritten with the next header) in order.</summary>
    internal sealed record Tcp6Spec
    {
        public required byte[] SourceMac { get; init; }
        public required byte[] DestinationMac { get; init; }
        public required byte[] Source { get; init; }
        public required byte[] Destination { get; init; }
        public ushort SourcePort { get; init; } = 40000;
        public ushort DestinationPort { get; init; } = 80;
        public byte Flags { get; init; } = TcpSyn;
        public uint Sequence { get; init; }
        public byte HopLimit { get; init; } = 64;
        public (byte Type, byte[] Bytes)[] Headers { get; init; } = [];
        public byte[] Payload { get; init; } = [];
        /// <summary>The final destination for the checksum when a routing header names another (RFC 8200 §8.1); null: <see cref="Destination"/>.</summary>
        public byte[]? FinalDestination { get; init; }
    }

    /// <summary>A complete IPv6 frame with a valid TCP checksum (RFC 8200 §8.1 pseudo-header); callers corrupt what their class needs.</summary>
    public static byte[] Tcp6(Tcp6Spec spec)
    {
        var chain = spec.Headers.Sum(h => h.Bytes.Length);
        var tcpLength = 20 + spec.Payload.Length;
        var frame = new byte[EthernetLength + 40 + chain + tcpLength];
        WriteEthernet(frame, spec.DestinationMac, spec.SourceMac, EtherIpv6);
        var ip = frame.AsSpan(EthernetLength);
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)(chain + tcpLength));
        ip[6] = spec.Headers.Length > 0 ? spec.Headers[0].Type : (byte)6;
        ip[7] = spec.HopLimit;
        spec.Source.CopyTo(ip[8..]);
        spec.Destination.CopyTo(ip[24..]);
        var offset = 40;
        for (var h = 0; h < spec.Headers.Length; h++)
        {
            spec.Headers[h].Bytes.CopyTo(ip[offset..]);
            ip[offset] = h + 1 < spec.Headers.Length ? spec.Headers[h + 1].Type : (byte)6;
            offset += spec.Headers[h].Bytes.Length;
        }

        var tcp = ip.Slice(offset, tcpLength);
        BinaryPrimitives.WriteUInt16BigEndian(tcp, spec.SourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], spec.DestinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], spec.Sequence);
        tcp[12] = 5 << 4;
        tcp[13] = spec.Flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 29200);
        spec.Payload.CopyTo(tcp[20..]);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], Checksum6(spec.Source, spec.FinalDestination ?? spec.Destination, 6, tcp));
        return frame;
    }

    /// <summary>
    /// One fragment (RFC 8200 §4.5) of the IPv6 packet in <paramref name="full"/> (its fragmentable part is
    /// everything after the fixed header): <paramref name="length"/> bytes from <paramref name="offset"/>.
    /// </summary>
    public static byte[] Fragment6(byte[] full, uint identification, int offset, int length, bool more)
    {
        var frame = new byte[EthernetLength + 40 + 8 + length];
        full.AsSpan(0, EthernetLength + 40).CopyTo(frame);
        var ip = frame.AsSpan(EthernetLength);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)(8 + length));
        ip[6] = 44;
        ip[40] = full[EthernetLength + 6];
        BinaryPrimitives.WriteUInt16BigEndian(ip[42..], (ushort)((offset & 0xfff8) | (more ? 1 : 0)));
        BinaryPrimitives.WriteUInt32BigEndian(ip[44..], identification);
        full.AsSpan(EthernetLength + 40 + offset, length).CopyTo(ip[48..]);
        return frame;
    }

    /// <summary>
    /// A neighbour advertisement (RFC 4861 §4.4) with a target link-layer address option, hop limit 255
    /// and a valid checksum: what a receiver's checks accept, so only its policy can refuse it.
    /// </summary>
    public static byte[] NeighborAdvertisement(byte[] ethernetDestination, byte[] ethernetSource, byte[] source, byte[] destination,
        byte[] target, byte[] targetMac, bool solicited, bool overrideFlag)
    {
        var frame = new byte[EthernetLength + 40 + 32];
        WriteEthernet(frame, ethernetDestination, ethernetSource, EtherIpv6);
        var ip = frame.AsSpan(EthernetLength);
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], 32);
        ip[6] = 58;
        ip[7] = 255;
        source.CopyTo(ip[8..]);
        destination.CopyTo(ip[24..]);
        var icmp = ip[40..];
        icmp[0] = 136;
        icmp[4] = (byte)((solicited ? 0x40 : 0) | (overrideFlag ? 0x20 : 0));
        target.CopyTo(icmp[8..]);
        icmp[24] = 2;
        icmp[25] = 1;
        targetMac.CopyTo(icmp[26..]);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Checksum6(source, destination, 58, icmp));
        return frame;
    }

    /// <summary>An upper-layer checksum over the IPv6 pseudo-header (RFC 8200 §8.1).</summary>
    public static ushort Checksum6(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, byte nextHeader, ReadOnlySpan<byte> segment)
    {
        var sum = Sum(source, 0);
        sum = Sum(destination, sum);
        sum += (uint)segment.Length + nextHeader;
        return Fold(Sum(segment, sum));
    }

    /// <summary>The Internet checksum (RFC 1071) of <paramref name="data"/>.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data) => Fold(Sum(data, 0));

    /// <summary>TCP/UDP checksum with the IPv4 pseudo-header.</summary>
    public static ushort TransportChecksum(uint source, uint destination, byte protocol, ReadOnlySpan<byte> segment)
    {
        var sum = (source >> 16) + (source & 0xffff) + (destination >> 16) + (destination & 0xffff) + protocol + (uint)segment.Length;
        return Fold(Sum(segment, sum));
    }

    private static ulong Sum(ReadOnlySpan<byte> data, ulong sum)
    {
        var i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            sum += (uint)data[i] << 8;
        }

        return sum;
    }

    private static ushort Fold(ulong sum)
    {
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
