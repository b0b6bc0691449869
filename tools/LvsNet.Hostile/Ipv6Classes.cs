using System.Buffers.Binary;
using static LvsNet.Hostile.RawFrames;

namespace LvsNet.Hostile;

/// <summary>
/// IPv6 frames to the IPv6 VIP that a node's input path (RFC 8200: the header, the extension header
/// chain, fragments; RFC 5722, RFC 7112) refuses, and a forged neighbour advertisement for a real
/// server's address. Marked like the IPv4 classes (payload and TCP sequence number).
/// </summary>
internal static class Ipv6Classes
{
    // Destination options carrying 6 bytes of PadN: an 8-byte header every node skips.
    private static byte[] Padding => [0, 0, 1, 4, 0, 0, 0, 0];

    public static IEnumerable<HostileClass> All(Func<int> nextId)
    {
        var version = nextId();
        yield return Blocked(version, "ipv6-bad-version", "IPv6 ethertype with version 5 in the header",
            (c, _, i) => Change(Tcp6(Syn6(c, version, i)), f => f[EthernetLength] = (byte)(0x50 | (f[EthernetLength] & 0x0f))));
        var length = nextId();
        yield return Blocked(length, "ipv6-payload-length-past-frame", "SYN whose payload length is 200 bytes longer than the frame",
            (c, _, i) => Change(Tcp6(Syn6(c, length, i)), f => BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(EthernetLength + 4), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(EthernetLength + 4)) + 200))));
        var many = nextId();
        yield return Blocked(many, "ipv6-ext-too-many", "SYN behind 9 destination options headers (a chain-walk cost attack)",
            (c, _, i) => Tcp6(Syn6(c, many, i) with { Headers = [.. Enumerable.Range(0, 9).Select(_ => ((byte)60, Padding))] }));
        var badLength = nextId();
        yield return Blocked(badLength, "ipv6-ext-bad-length", "destination options whose length (1,608 bytes) runs past the packet",
            (c, _, i) => Tcp6(Syn6(c, badLength, i) with { Headers = [(60, [0, 200, 1, 4, 0, 0, 0, 0])] }));
        var hopByHop = nextId();
        yield return Blocked(hopByHop, "ipv6-ext-hop-by-hop-not-first", "hop-by-hop options after destination options (RFC 8200 §4.1: only first)",
            (c, _, i) => Tcp6(Syn6(c, hopByHop, i) with { Headers = [(60, Padding), (0, Padding)] }));
        var routing = nextId();
        yield return Blocked(routing, "ipv6-routing-segments-left", "type 0 routing header through the first real server, one segment left (RFC 5095)",
            (c, _, i) =>
            {
                var header = new byte[24];
                header[1] = 2;
                header[3] = 1;
                c.RealServerIps6[0].CopyTo(header.AsSpan(8));
                return Tcp6(Syn6(c, routing, i) with { Headers = [(43, header)], FinalDestination = c.RealServerIps6[0] });
            });

        var overlap = nextId();
        yield return Blocked(overlap, "ipv6-fragments-overlapping", "two fragments of one SYN whose data overlap (bytes 40..48, RFC 5722)",
            (c, _, i) =>
            {
                var full = Tcp6(Syn6(c, overlap, i / 2) with { Payload = MarkerPayload(overlap, 40) });
                return (i & 1) == 0 ? Fragment6(full, (uint)(i / 2), 0, 48, more: true) : Fragment6(full, (uint)(i / 2), 40, 20, more: false);
            });
        var tiny = nextId();
        yield return Blocked(tiny, "ipv6-fragments-tiny-first", "first fragment of 8 bytes (TCP ports and sequence only), rest in a second fragment",
            (c, _, i) =>
            {
                var full = Tcp6(Syn6(c, tiny, i / 2) with { Payload = MarkerPayload(tiny, 40) });
                return (i & 1) == 0 ? Fragment6(full, (uint)(i / 2), 0, 8, more: true) : Fragment6(full, (uint)(i / 2), 8, 52, more: false);
            });
        var split = nextId();
        yield return Blocked(split, "ipv6-fragments-chain-split", "first fragment ends inside a 16-byte destination options header (RFC 7112 header chain split)",
            (c, _, i) =>
            {
                var full = Tcp6(Syn6(c, split, i / 2) with { Headers = [(60, [0, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])], Payload = MarkerPayload(split, 40) });
                return (i & 1) == 0 ? Fragment6(full, (uint)(i / 2), 0, 8, more: true) : Fragment6(full, (uint)(i / 2), 8, 68, more: false);
            });
        var forged = nextId();
        yield return new HostileClass(forged, "ipv6-na-forged-real-server", ClassKind.NeighborDiscovery, Expectation.NotPoisoned,
            "neighbour advertisement (override; every other one also solicited) claiming the first real server's IPv6 address for a foreign MAC",
            (c, _, i) => NeighborAdvertisement(c.DirectorMac, c.ClientMac, c.ClientIp6, c.Dip6, c.RealServerIps6[0], LabContext.ForeignMac,
                solicited: (i & 1) == 1, overrideFlag: true)) { Ipv6 = true };
        var valid = nextId();
        yield return new HostileClass(valid, "ipv6-fragments-valid", ClassKind.Invalid, Expectation.Informational,
            "a well-formed SYN in two fragments (24 + 36 bytes): reassembly passes it",
            (c, _, i) =>
            {
                var full = Tcp6(Syn6(c, valid, i / 2) with { Payload = MarkerPayload(valid, 40) });
                return (i & 1) == 0 ? Fragment6(full, (uint)(i / 2), 0, 24, more: true) : Fragment6(full, (uint)(i / 2), 24, 36, more: false);
            }) { Ipv6 = true };
    }

    /// <summary>A marked SYN to the IPv6 VIP from a spoofed source fd78:0:0:CLASS::(1..250), off the lab's prefix.</summary>
    private static Tcp6Spec Syn6(LabContext c, int classId, long index)
    {
        var source = new byte[16];
        source[0] = 0xfd;
        source[1] = 0x78;
        source[7] = (byte)classId;
        source[15] = (byte)(1 + (index % 250));
        return new Tcp6Spec
        {
            SourceMac = c.ClientMac,
            DestinationMac = c.DirectorMac,
            Source = source,
            Destination = c.Vip6,
            SourcePort = LabContext.SourcePort(index),
            DestinationPort = c.Port,
            Sequence = MarkedSequence(classId),
            Payload = MarkerPayload(classId),
        };
    }

    private static HostileClass Blocked(int id, string name, string description, Func<LabContext, Random, long, byte[]> generate) =>
        new(id, name, ClassKind.Invalid, Expectation.Blocked, description, generate) { Ipv6 = true };

    private static byte[] Change(byte[] frame, Action<byte[]> change)
    {
        change(frame);
        return frame;
    }
}
