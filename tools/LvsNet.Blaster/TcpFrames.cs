using System.Buffers.Binary;
using System.Net;

namespace LvsNet.Blaster;

/// <summary>Builds Ethernet/IPv4/TCP frames with valid checksums, once, before the timed loop.</summary>
internal static class TcpFrames
{
    private const int EthernetLength = 14;
    private const int IpLength = 20;
    private const int TcpLength = 20;
    private const byte Syn = 0x02;
    private const byte Ack = 0x10;

    /// <summary>A SYN (or, with <paramref name="ack"/>, an ACK carrying payload up to <paramref name="size"/>) from <paramref name="sourcePort"/>.</summary>
    public static byte[] Build(byte[] sourceMac, byte[] destinationMac, IPAddress source, IPAddress destination,
        ushort sourcePort, ushort destinationPort, int size, bool ack)
    {
        // Ethernet pads to 60 bytes on the wire (64 with the FCS the NIC adds); a SYN carries no payload.
        var payload = ack ? Math.Max(0, size - 4 - EthernetLength - IpLength - TcpLength) : 0;
        var length = Math.Max(60, EthernetLength + IpLength + TcpLength + payload);
        var frame = new byte[length];
        destinationMac.CopyTo(frame, 0);
        sourceMac.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0800);

        var ip = frame.AsSpan(EthernetLength, IpLength);
        var ipTotal = IpLength + TcpLength + payload;
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ipTotal);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000);
        ip[8] = 64;
        ip[9] = 6;
        source.GetAddressBytes().CopyTo(ip[12..]);
        destination.GetAddressBytes().CopyTo(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Fold(Sum(ip)));

        var tcp = frame.AsSpan(EthernetLength + IpLength, TcpLength + payload);
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], ack ? 1001u : 1000u);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], ack ? 1u : 0u);
        tcp[12] = 5 << 4;
        tcp[13] = ack ? Ack : Syn;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 65535);
        for (var i = TcpLength; i < tcp.Length; i++)
        {
            tcp[i] = (byte)i;
        }

        var pseudo = Sum(ip.Slice(12, 8)) + 6u + (uint)tcp.Length;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], Fold(pseudo + Sum(tcp)));
        return frame;
    }

    private static uint Sum(ReadOnlySpan<byte> data)
    {
        var sum = 0u;
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if ((data.Length & 1) != 0)
        {
            sum += (uint)data[^1] << 8;
        }

        return sum;
    }

    private static ushort Fold(uint sum)
    {
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
