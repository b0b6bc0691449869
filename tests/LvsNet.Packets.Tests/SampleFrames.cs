using Xunit;

namespace LvsNet.Packets.Tests;

/// <summary>Theory data over <see cref="FrameBuilder.Samples"/>: every prefix length of a frame or of one of its layers.</summary>
internal static class SampleFrames
{
    public static readonly string[] Ipv4Kinds = ["tcp", "tcp-vlan", "tcp-options", "udp", "udp-vlan-options", "icmp", "icmp-error", "golden-syn", "golden-dns-vlan"];

    public static readonly string[] TcpKinds = ["tcp", "tcp-vlan", "tcp-options", "golden-syn"];

    public static readonly string[] UdpKinds = ["udp", "udp-vlan-options", "golden-dns-vlan"];

    public static readonly string[] IcmpKinds = ["icmp", "icmp-error"];

    public static readonly string[] ArpKinds = ["arp", "arp-vlan"];

    /// <summary>(kind, length) for every length 0..N-1 of every sample frame.</summary>
    public static TheoryData<string, int> FramePrefixes() => Prefixes(FrameBuilder.Samples.Keys, kind => FrameBuilder.Samples[kind].Length);

    /// <summary>(kind, length) for every length 0..N-1 of the IPv4 packet (total length) of each IPv4 sample.</summary>
    public static TheoryData<string, int> Ipv4Prefixes() => Prefixes(Ipv4Kinds, kind => Ipv4Packet(kind).Length);

    public static TheoryData<string, int> TcpPrefixes() => Prefixes(TcpKinds, kind => Transport(kind).Length);

    public static TheoryData<string, int> UdpPrefixes() => Prefixes(UdpKinds, kind => Transport(kind).Length);

    public static TheoryData<string, int> IcmpPrefixes() => Prefixes(IcmpKinds, kind => Transport(kind).Length);

    public static TheoryData<string, int> ArpPrefixes() => Prefixes(ArpKinds, kind => ArpBody(kind).Length);

    /// <summary>The Ethernet header length of a frame, read without the product code.</summary>
    public static int EthernetLength(byte[] frame) => frame[12] == 0x81 && frame[13] == 0x00 ? 18 : 14;

    /// <summary>The IPv4 packet of a sample (bounded by its total length).</summary>
    public static byte[] Ipv4Packet(string kind)
    {
        var frame = FrameBuilder.Samples[kind];
        var ip = EthernetLength(frame);
        var totalLength = RefChecksum.ReadUInt16(frame.AsSpan(ip + 2));
        return frame.AsSpan(ip, totalLength).ToArray();
    }

    /// <summary>The transport header and data of a sample.</summary>
    public static byte[] Transport(string kind)
    {
        var packet = Ipv4Packet(kind);
        return packet.AsSpan((packet[0] & 0x0F) * 4).ToArray();
    }

    /// <summary>The 28-byte ARP body of a sample.</summary>
    public static byte[] ArpBody(string kind)
    {
        var frame = FrameBuilder.Samples[kind];
        return frame.AsSpan(EthernetLength(frame), 28).ToArray();
    }

    /// <summary>The first <paramref name="length"/> bytes of <paramref name="source"/> in an array of exactly that length, so any read past them throws.</summary>
    public static byte[] Prefix(byte[] source, int length) => source.AsSpan(0, length).ToArray();

    /// <summary>The first <paramref name="length"/> bytes of <paramref name="source"/> followed by garbage, for parsing a span that is a slice of a larger buffer.</summary>
    public static byte[] PrefixWithGarbage(byte[] source, int length)
    {
        var buffer = new byte[length + 64];
        buffer.AsSpan().Fill(0xA5);
        source.AsSpan(0, length).CopyTo(buffer);
        return buffer;
    }

    private static TheoryData<string, int> Prefixes(IEnumerable<string> kinds, Func<string, int> length)
    {
        var data = new TheoryData<string, int>();
        foreach (var kind in kinds)
        {
            for (var i = 0; i < length(kind); i++)
            {
                data.Add(kind, i);
            }
        }

        return data;
    }
}
