using System.Buffers.Binary;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.Tests.DataPath.Ipv6;

/// <summary>
/// Frames written byte by byte for the NAT64 tests, with every checksum computed here: the
/// ones'-complement sum of RFC 1071 over the RFC 793/768 (IPv4) or RFC 8200 §8.1 (IPv6)
/// pseudo-header and the segment. Nothing of LvsNet's is used beyond its address types.
/// </summary>
internal static class Nat64Bytes
{
    /// <summary>A TCP segment (checksum 0 until the frame is built): ports, sequence, acknowledgment, flags, options (a multiple of 4 bytes), window 512, payload bytes i × 3.</summary>
    public static byte[] TcpSegment(ushort sourcePort, ushort destinationPort, uint sequence, uint acknowledgment, byte flags, byte[] options, int payload)
    {
        var segment = new byte[20 + options.Length + payload];
        BinaryPrimitives.WriteUInt16BigEndian(segment, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(4), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(8), acknowledgment);
        segment[12] = (byte)((20 + options.Length) / 4 << 4);
        segment[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(14), 512);
        options.CopyTo(segment.AsSpan(20));
        for (var i = 0; i < payload; i++)
        {
            segment[20 + options.Length + i] = (byte)(i * 3);
        }

        return segment;
    }

    /// <summary>A UDP datagram; <paramref name="withChecksum"/> false leaves the checksum 0 ("none", IPv4 only).</summary>
    public static byte[] UdpDatagram(ushort sourcePort, ushort destinationPort, byte[] payload, bool withChecksum = true)
    {
        var datagram = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(datagram, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(4), (ushort)datagram.Length);
        payload.CopyTo(datagram.AsSpan(8));
        return withChecksum ? datagram : MarkNoChecksum(datagram);
    }

    /// <summary>An Ethernet/IPv6 frame around <paramref name="transport"/>, its checksum filled in over the IPv6 pseudo-header.</summary>
    public static byte[] Ipv6Frame(Ipv6Address sourceAddress, Ipv6Address destinationAddress, IpProtocol protocol, byte[] transport, byte hopLimit = 64, byte trafficClass = 0, MacAddress? source = null, MacAddress? destination = null)
    {
        var frame = new byte[14 + 40 + transport.Length];
        (destination ?? Ipv6Harness.DirectorMac).WriteTo(frame);
        (source ?? Ipv6Harness.ClientMac).WriteTo(frame.AsSpan(6));
        frame[12] = 0x86;
        frame[13] = 0xDD;
        var ip = frame.AsSpan(14);
        BinaryPrimitives.WriteUInt32BigEndian(ip, 0x6000_0000u | ((uint)trafficClass << 20));
        BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(4), (ushort)transport.Length);
        ip[6] = (byte)protocol;
        ip[7] = hopLimit;
        sourceAddress.WriteTo(ip.Slice(8));
        destinationAddress.WriteTo(ip.Slice(24));
        transport.CopyTo(ip.Slice(40));
        var segment = ip.Slice(40);
        var offset = protocol == IpProtocol.Tcp ? 16 : 6;
        BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(offset), 0);
        var checksum = Complement(Sum(ip.Slice(8, 32)) + (ulong)transport.Length + (byte)protocol + Sum(segment));
        BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(offset), protocol == IpProtocol.Udp && checksum == 0 ? (ushort)0xFFFF : checksum);
        return frame;
    }

    /// <summary>An Ethernet/IPv4 frame (IHL 5) around <paramref name="transport"/>, header and transport checksums filled in (a UDP datagram marked "no checksum" keeps 0).</summary>
    public static byte[] Ipv4Frame(MacAddress destination, MacAddress source, byte tos, ushort identification, bool dontFragment, byte ttl, IpProtocol protocol, uint sourceAddress, uint destinationAddress, byte[] transport)
    {
        var noChecksum = protocol == IpProtocol.Udp && NoChecksum.Contains(transport);
        var frame = new byte[14 + 20 + transport.Length];
        destination.WriteTo(frame);
        source.WriteTo(frame.AsSpan(6));
        frame[12] = 0x08;
        frame[13] = 0x00;
        var ip = frame.AsSpan(14);
        ip[0] = 0x45;
        ip[1] = tos;
        BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(2), (ushort)(20 + transport.Length));
        BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(4), identification);
        BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(6), dontFragment ? (ushort)0x4000 : (ushort)0);
        ip[8] = ttl;
        ip[9] = (byte)protocol;
        BinaryPrimitives.WriteUInt32BigEndian(ip.Slice(12), sourceAddress);
        BinaryPrimitives.WriteUInt32BigEndian(ip.Slice(16), destinationAddress);
        BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(10), Complement(Sum(ip.Slice(0, 20))));
        transport.CopyTo(ip.Slice(20));
        var segment = ip.Slice(20);
        var offset = protocol == IpProtocol.Tcp ? 16 : 6;
        BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(offset), 0);
        if (!noChecksum)
        {
            var checksum = Complement(Sum(ip.Slice(12, 8)) + (byte)protocol + (ulong)transport.Length + Sum(segment));
            BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(offset), protocol == IpProtocol.Udp && checksum == 0 ? (ushort)0xFFFF : checksum);
        }

        return frame;
    }

    private static readonly HashSet<byte[]> NoChecksum = new(ReferenceEqualityComparer.Instance);

    private static byte[] MarkNoChecksum(byte[] datagram)
    {
        NoChecksum.Add(datagram);
        return datagram;
    }

    /// <summary>The 16-bit big-endian word sum of <paramref name="data"/> (an odd byte padded with 0).</summary>
    public static ulong Sum(ReadOnlySpan<byte> data)
    {
        ulong sum = 0;
        for (var i = 0; i < data.Length; i += 2)
        {
            sum += (uint)((data[i] << 8) | (i + 1 < data.Length ? data[i + 1] : 0));
        }

        return sum;
    }

    /// <summary>Folds a sum to 16 bits with end-around carry and complements it.</summary>
    public static ushort Complement(ulong sum)
    {
        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
