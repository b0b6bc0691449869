using static LvsNet.Hostile.RawFrames;

namespace LvsNet.Hostile;

/// <summary>
/// ARP that tries to re-point the director's neighbour entry of the first real server (or to claim
/// the VIP or the director's own address). Every frame leaves with the sending interface's own
/// Ethernet source, so the lab's bridge keeps learning the real servers on their real ports: the
/// lie is only in the ARP sender fields, which is what a poisoning director would believe.
/// </summary>
internal static class ArpClasses
{
    private const ushort Request = 1;
    private const ushort Reply = 2;
    private static readonly byte[] Broadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    private static readonly byte[] Zero = new byte[6];
    private static readonly byte[] Multicast = [0x01, 0x00, 0x5e, 0x00, 0x00, 0x01];

    public static IEnumerable<HostileClass> All(Func<int> nextId)
    {
        yield return Poison(nextId(), "arp-who-has-vip-foreign-mac",
            "who-has VIP from a foreign MAC claiming the first real server's IP",
            c => Arp(Broadcast, c.ClientMac, Request, LabContext.ForeignMac, c.RealServerIps[0], Zero, c.Vip));
        yield return Poison(nextId(), "arp-gratuitous-real-server",
            "gratuitous ARP (request) for the first real server's IP from a foreign MAC",
            c => Arp(Broadcast, c.ClientMac, Request, LabContext.ForeignMac, c.RealServerIps[0], Zero, c.RealServerIps[0]));
        yield return Poison(nextId(), "arp-unsolicited-reply",
            "ARP reply the director never asked for: first real server's IP is at a foreign MAC",
            c => Arp(c.DirectorMac, c.ClientMac, Reply, LabContext.ForeignMac, c.RealServerIps[0], c.DirectorMac, c.Dip));
        yield return Poison(nextId(), "arp-sender-zero-mac",
            "who-has VIP with sender MAC 00:00:00:00:00:00 for the first real server's IP",
            c => Arp(Broadcast, c.ClientMac, Request, Zero, c.RealServerIps[0], Zero, c.Vip));
        yield return Poison(nextId(), "arp-sender-broadcast-mac",
            "who-has VIP with sender MAC ff:ff:ff:ff:ff:ff for the first real server's IP",
            c => Arp(Broadcast, c.ClientMac, Request, Broadcast, c.RealServerIps[0], Zero, c.Vip));
        yield return Poison(nextId(), "arp-sender-multicast-mac",
            "who-has VIP with a multicast sender MAC (01:00:5e:00:00:01) for the first real server's IP",
            c => Arp(Broadcast, c.ClientMac, Request, Multicast, c.RealServerIps[0], Zero, c.Vip));
        yield return Poison(nextId(), "arp-sender-director-mac",
            "who-has VIP with the director's own MAC as sender for the first real server's IP",
            c => Arp(Broadcast, c.ClientMac, Request, c.DirectorMac, c.RealServerIps[0], Zero, c.Vip));
        yield return Poison(nextId(), "arp-claims-vip",
            "gratuitous ARP claiming the VIP from a foreign MAC",
            c => Arp(Broadcast, c.ClientMac, Request, LabContext.ForeignMac, c.Vip, Zero, c.Vip));
        yield return Poison(nextId(), "arp-claims-dip",
            "who-has VIP claiming the director's own address (DIP) from a foreign MAC",
            c => Arp(Broadcast, c.ClientMac, Request, LabContext.ForeignMac, c.Dip, Zero, c.Vip));
    }

    private static HostileClass Poison(int id, string name, string description, Func<LabContext, byte[]> build) =>
        new(id, name, ClassKind.Arp, Expectation.NotPoisoned, description, (c, _, _) => build(c));
}
