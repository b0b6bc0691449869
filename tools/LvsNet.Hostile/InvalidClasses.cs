using System.Buffers.Binary;
using static LvsNet.Hostile.RawFrames;

namespace LvsNet.Hostile;

/// <summary>
/// IPv4 frames to the VIP that the kernel's IP input path (ip_input.c, route.c, ip_options.c) or
/// IPVS (ip_vs_proto_tcp.c) would never hand on to a real server. Each carries the marker payload
/// and, where the TCP header is whole, the marked sequence number, so a real server can tell it
/// from legitimate traffic however the director rewrote the headers.
/// </summary>
internal static class InvalidClasses
{
    public static IEnumerable<HostileClass> All(Func<int> nextId)
    {
        foreach (var (name, source) in new (string, Func<LabContext, long, uint>)[]
                 {
                     ("martian-src-zero-net", (_, i) => 0x00000000u | (uint)(1 + (i % 250))),
                     ("martian-src-loopback", (_, i) => 0x7f000000u | (uint)(1 + (i % 250))),
                     ("martian-src-multicast", (_, i) => 0xe0000000u | (uint)(1 + (i % 250))),
                     ("martian-src-limited-broadcast", (_, _) => 0xffffffffu),
                     ("martian-src-class-e", (_, i) => 0xf0000000u | (uint)(1 + (i % 250))),
                     ("martian-src-vip", (c, _) => c.Vip),
                     ("martian-src-dip", (c, _) => c.Dip),
                 })
        {
            var id = nextId();
            yield return Blocked(id, name, "SYN to the VIP from a martian source (" + name[12..] + ")",
                (c, _, i) => Tcp(Syn(c, id, i) with { Source = source(c, i) }));
        }

        var badChecksum = nextId();
        yield return Blocked(badChecksum, "ip-bad-header-checksum", "SYN whose IPv4 header checksum does not verify",
            (c, _, i) => Corrupt(Tcp(Syn(c, badChecksum, i)), (f, ip) => f[ip + 10] ^= 0x5a, fixChecksum: false));
        var ihlLow = nextId();
        yield return Blocked(ihlLow, "ip-ihl-below-5", "SYN with IHL 4 (header shorter than 20 bytes)",
            (c, _, i) => Corrupt(Tcp(Syn(c, ihlLow, i)), (f, ip) => f[ip] = 0x44));
        var ihlHigh = nextId();
        yield return Blocked(ihlHigh, "ip-ihl-past-total-length", "SYN with IHL 15 (60-byte header) in a 56-byte packet",
            (c, _, i) => Corrupt(Tcp(Syn(c, ihlHigh, i)), (f, ip) => f[ip] = 0x4f));
        var totalShort = nextId();
        yield return Blocked(totalShort, "ip-total-length-below-header", "SYN whose total length (16) is below its header length",
            (c, _, i) => Corrupt(Tcp(Syn(c, totalShort, i)), (f, ip) => BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(ip + 2), 16)));
        var totalLong = nextId();
        yield return Blocked(totalLong, "ip-total-length-past-frame", "SYN whose total length is 200 bytes longer than the frame",
            (c, _, i) => Corrupt(Tcp(Syn(c, totalLong, i)), (f, ip) => BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(ip + 2), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(ip + 2)) + 200))));

        var badOptions = nextId();
        yield return Blocked(badOptions, "ip-options-malformed", "SYN with malformed IP options (length past the header, length 1, timestamp pointer below 5)",
            (c, r, i) => Tcp(Syn(c, badOptions, i) with
            {
                Options = (i % 3) switch
                {
                    0 => [0x07, 0x28, 0x04, 0x00],
                    1 => [0x82, 0x01, 0x00, 0x00],
                    _ => [0x44, 0x08, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00],
                },
            }));
        var lsrr = nextId();
        yield return Blocked(lsrr, "ip-options-lsrr", "SYN carrying a loose source route (LSRR) through the first real server",
            (c, _, i) => Tcp(Syn(c, lsrr, i) with { Options = SourceRoute(0x83, c.RealServerIps[0]) }));
        var ssrr = nextId();
        yield return Blocked(ssrr, "ip-options-ssrr", "SYN carrying a strict source route (SSRR) through the first real server",
            (c, _, i) => Tcp(Syn(c, ssrr, i) with { Options = SourceRoute(0x89, c.RealServerIps[0]) }));

        foreach (var (name, flags, what) in new (string, byte, string)[]
                 {
                     ("tcp-syn-fin", TcpSyn | TcpFin, "SYN+FIN"),
                     ("tcp-syn-rst", TcpSyn | TcpRst, "SYN+RST"),
                     ("tcp-syn-ack", TcpSyn | TcpAck, "SYN+ACK to the VIP (a reply, never an opening)"),
                     ("tcp-no-flags", 0, "a segment with no flags on an unknown flow"),
                     ("tcp-fin-no-ack", TcpFin, "FIN without ACK on an unknown flow"),
                 })
        {
            var id = nextId();
            yield return Blocked(id, name, what, (c, _, i) => Tcp(Syn(c, id, i) with { Flags = flags }));
        }

        var srcPort0 = nextId();
        yield return Blocked(srcPort0, "tcp-src-port-0", "SYN from source port 0",
            (c, _, i) => Tcp(Syn(c, srcPort0, i) with { SourcePort = 0 }));
        var dstPort0 = nextId();
        yield return Blocked(dstPort0, "tcp-dst-port-0", "SYN to the VIP's port 0",
            (c, _, i) => Tcp(Syn(c, dstPort0, i) with { DestinationPort = 0 }));
        var vlan = nextId();
        yield return Blocked(vlan, "vlan-tagged", "802.1Q-tagged SYN (VLAN 42; no VLAN is configured)",
            (c, _, i) => Tcp(Syn(c, vlan, i) with { VlanId = 42 }));
        var ttl = nextId();
        yield return Blocked(ttl, "ttl-1", "SYN with TTL 1 (expires at the director)",
            (c, _, i) => Tcp(Syn(c, ttl, i) with { Ttl = 1 }));
        var runt = nextId();
        // Informational: veth and AF_PACKET hand up unpadded frames, so LvsNet judges runts by the IPv4 header, not by
        // the 60-byte minimum (docs/hardening.md); frames cut inside the IPv4 header come with the mutation class.
        yield return new HostileClass(runt, "runt", ClassKind.Invalid, Expectation.Informational,
            "54-byte SYN, not padded to the 60-byte Ethernet minimum (marked by sequence number only)",
            (c, _, i) => Tcp(Syn(c, runt, i) with { Payload = [], Pad = false }));
        var oversize = nextId();
        yield return Blocked(oversize, "oversize", "1518-byte untagged frame (IPv4 total length 1504 > MTU 1500)",
            (c, _, i) => Tcp(Syn(c, oversize, i) with { Payload = MarkerPayload(oversize, 1504 - 40) })) with { Oversize = true };

        var overlap = nextId();
        yield return Blocked(overlap, "ip-fragments-overlapping", "two fragments of one SYN whose data overlap (bytes 16..40)",
            (c, _, i) =>
            {
                var full = Tcp(Syn(c, overlap, i / 2) with { Payload = MarkerPayload(overlap, 40), Identification = (ushort)(i / 2), FragmentWord = 0 });
                return (i & 1) == 0 ? Fragment(full, 0, 40, more: true) : Fragment(full, 16, 44, more: false);
            });
        var tiny = nextId();
        yield return Blocked(tiny, "ip-fragments-tiny-first", "first fragment of 8 bytes (TCP ports and sequence only), rest in a second fragment",
            (c, _, i) =>
            {
                var full = Tcp(Syn(c, tiny, i / 2) with { Payload = MarkerPayload(tiny, 40), Identification = (ushort)(i / 2), FragmentWord = 0 });
                return (i & 1) == 0 ? Fragment(full, 0, 8, more: true) : Fragment(full, 8, 52, more: false);
            });
        var valid = nextId();
        yield return new HostileClass(valid, "ip-fragments-valid", ClassKind.Invalid, Expectation.Informational,
            "a well-formed SYN in two fragments (24 + 36 bytes): reassembly or per-flow forwarding may pass it",
            (c, _, i) =>
            {
                var full = Tcp(Syn(c, valid, i / 2) with { Payload = MarkerPayload(valid, 40), Identification = (ushort)(i / 2), FragmentWord = 0 });
                return (i & 1) == 0 ? Fragment(full, 0, 24, more: true) : Fragment(full, 24, 36, more: false);
            });
    }

    /// <summary>A marked SYN to the VIP from a spoofed in-lab source; classes change what they attack.</summary>
    internal static TcpSpec Syn(LabContext c, int classId, long index) => new()
    {
        SourceMac = c.ClientMac,
        DestinationMac = c.DirectorMac,
        Source = LabContext.SpoofedSource(classId, index),
        Destination = c.Vip,
        SourcePort = LabContext.SourcePort(index),
        DestinationPort = c.Port,
        Sequence = MarkedSequence(classId),
        Identification = (ushort)index,
        Payload = MarkerPayload(classId),
    };

    private static HostileClass Blocked(int id, string name, string description, Func<LabContext, Random, long, byte[]> generate) =>
        new(id, name, ClassKind.Invalid, Expectation.Blocked, description, generate);

    private static byte[] Corrupt(byte[] frame, Action<byte[], int> change, bool fixChecksum = true)
    {
        var ip = IpOffset(frame);
        change(frame, ip);
        if (fixChecksum)
        {
            FixIpChecksum(frame);
        }

        return frame;
    }

    /// <summary>LSRR/SSRR option with one hop, padded with EOL to 8 bytes.</summary>
    private static byte[] SourceRoute(byte type, uint hop)
    {
        var option = new byte[8];
        option[0] = type;
        option[1] = 7;
        option[2] = 4;
        BinaryPrimitives.WriteUInt32BigEndian(option.AsSpan(3), hop);
        return option;
    }

    /// <summary>
    /// One fragment of the unfragmented packet in <paramref name="full"/>: <paramref name="length"/> bytes of
    /// its IP payload from <paramref name="offset"/> (a multiple of 8), with the fragment fields and checksum set.
    /// </summary>
    private static byte[] Fragment(byte[] full, int offset, int length, bool more)
    {
        var ip = IpOffset(full);
        var header = (full[ip] & 0x0f) * 4;
        var frame = new byte[Math.Max(60, ip + header + length)];
        full.AsSpan(0, ip + header).CopyTo(frame);
        full.AsSpan(ip + header + offset, length).CopyTo(frame.AsSpan(ip + header));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(ip + 2), (ushort)(header + length));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(ip + 6), (ushort)((more ? 0x2000 : 0) | (offset / 8)));
        FixIpChecksum(frame);
        return frame;
    }
}
