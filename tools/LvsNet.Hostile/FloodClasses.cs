using static LvsNet.Hostile.RawFrames;

namespace LvsNet.Hostile;

/// <summary>Floods (spoofed SYN, ACK for unknown flows, ARP) and the random mutation of valid frames.</summary>
internal static class FloodClasses
{
    private static readonly byte[] Broadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

    public static IEnumerable<HostileClass> All(Func<int> nextId)
    {
        var syn = nextId();
        yield return new HostileClass(syn, "flood-syn-spoofed", ClassKind.Flood, Expectation.Informational,
            "SYN flood from random spoofed sources in 198.18.0.0/15 (no payload; marked by sequence number)",
            (c, r, i) => Tcp(InvalidClasses.Syn(c, syn, i) with { Source = RandomBenchmarkAddress(r), SourcePort = (ushort)r.Next(1024, 65536), Payload = [] }));
        var ack = nextId();
        yield return new HostileClass(ack, "flood-ack-unknown-flow", ClassKind.Flood, Expectation.Blocked,
            "ACKs for flows the director never saw, from random spoofed sources",
            (c, r, i) => Tcp(InvalidClasses.Syn(c, ack, i) with { Source = RandomBenchmarkAddress(r), SourcePort = (ushort)r.Next(1024, 65536), Flags = TcpAck, Acknowledgment = (uint)r.Next() }));
        var arp = nextId();
        yield return new HostileClass(arp, "flood-arp", ClassKind.Flood, Expectation.Informational,
            "who-has VIP from random sender IPs (10.77.0.128-.199) and random unicast sender MACs",
            (c, r, _) =>
            {
                var mac = new byte[6];
                r.NextBytes(mac);
                mac[0] = (byte)((mac[0] & 0xfc) | 0x02);
                var sender = (c.Dip & 0xffffff00) | (uint)r.Next(128, 200);
                return Arp(Broadcast, c.ClientMac, 1, mac, sender, new byte[6], c.Vip);
            });
        var mutation = nextId();
        yield return new HostileClass(mutation, "mutation", ClassKind.Mutation, Expectation.Informational,
            "valid frames (SYN, ACK, ARP, tagged SYN, fragment) with bit flips, truncation or corrupted length fields",
            (c, r, i) => Mutator.Mutate(BaseFrame(c, mutation, r, i), r));
    }

    /// <summary>An address in 198.18.0.0/15 (RFC 2544 benchmarking): nothing in the lab routes it.</summary>
    private static uint RandomBenchmarkAddress(Random random) => 0xc6120000u | (uint)random.Next(1, 0x20000);

    private static byte[] BaseFrame(LabContext c, int id, Random random, long index)
    {
        var spec = InvalidClasses.Syn(c, id, index);
        return random.Next(6) switch
        {
            0 or 1 => Tcp(spec),
            2 => Tcp(spec with { Flags = TcpAck | TcpPsh, Acknowledgment = (uint)random.Next() }),
            3 => Arp(Broadcast, c.ClientMac, 1, c.ClientMac, c.ClientIp, new byte[6], c.Vip),
            4 => Tcp(spec with { VlanId = (ushort)random.Next(1, 4095) }),
            _ => Tcp(spec with { FragmentWord = 0x2000 }),
        };
    }
}
