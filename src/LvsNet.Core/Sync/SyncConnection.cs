using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.Sync;

/// <summary>
/// One connection (or persistence template) as a sync message carries it: the fields of the
/// kernel's <c>struct ip_vs_sync_v4</c>, addresses in the data path's form (the value of ntohl);
/// an IPv6 connection (<c>struct ip_vs_sync_v6</c>, version 1 only) has <see cref="IsIpv6"/> set,
/// its addresses in <see cref="ClientAddress6"/>, <see cref="VirtualAddress6"/> and
/// <see cref="ServerAddress6"/>, and 0 in the IPv4 address fields; a real server of the other
/// family (<see cref="MixedFamily"/>) is in the other family's server field.
/// </summary>
/// <param name="Protocol">TCP or UDP (IPPROTO_IP for fwmark templates).</param>
/// <param name="Flags">IPVS connection flags (<see cref="IpvsConnectionFlags"/>).</param>
/// <param name="State">The IPVS state number (templates: 0 NONE, 1 ASSURED).</param>
/// <param name="ClientAddress">caddr (a template's masked client).</param>
/// <param name="ClientPort">cport (0 for templates).</param>
/// <param name="VirtualAddress">vaddr.</param>
/// <param name="VirtualPort">vport.</param>
/// <param name="ServerAddress">daddr.</param>
/// <param name="ServerPort">dport.</param>
/// <param name="Fwmark">The firewall mark (version 1 only).</param>
/// <param name="TimeoutSeconds">The connection's timeout in seconds (version 1 only; 0 = unknown, the backup uses its own table).</param>
public readonly record struct SyncConnection(
    IpProtocol Protocol,
    uint Flags,
    ushort State,
    uint ClientAddress,
    ushort ClientPort,
    uint VirtualAddress,
    ushort VirtualPort,
    uint ServerAddress,
    ushort ServerPort,
    uint Fwmark,
    uint TimeoutSeconds)
{
    /// <summary>True for a persistence template.</summary>
    public bool IsTemplate => (Flags & IpvsConnectionFlags.Template) != 0;

    /// <summary>FULLNAT: the local address the real server sees (0 for other methods). Carried in LvsNet's optional record option, version 1 only.</summary>
    public uint LocalAddress { get; init; }

    /// <summary>FULLNAT: the local port the master allocated on <see cref="LocalAddress"/>.</summary>
    public ushort LocalPort { get; init; }

    /// <summary>True for an IPv6 connection (record type STYPE_F_INET6).</summary>
    public bool IsIpv6 { get; init; }

    /// <summary>IPv6: caddr (a template's client cut to its prefix).</summary>
    public Ipv6Address ClientAddress6 { get; init; }

    /// <summary>IPv6: vaddr.</summary>
    public Ipv6Address VirtualAddress6 { get; init; }

    /// <summary>IPv6: daddr.</summary>
    public Ipv6Address ServerAddress6 { get; init; }

    /// <summary>IPv6 FULLNAT: the IPv6 local address the real server sees (default for other methods; NAT64 uses <see cref="LocalAddress"/>). Carried in LvsNet's optional IPv6 local option.</summary>
    public Ipv6Address LocalAddress6 { get; init; }

    /// <summary>
    /// The real server's family is not the connection's: an IPv6 connection with an IPv4 server in
    /// <see cref="ServerAddress"/> (NAT64, a tunnel to an IPv4 server), or an IPv4 connection with an
    /// IPv6 server in <see cref="ServerAddress6"/> (a tunnel). Carried in LvsNet's mandatory
    /// other-family option, which a kernel backup does not know and so skips the record.
    /// </summary>
    public bool MixedFamily { get; init; }

    /// <summary>FULLNAT: the client's address was already given to the real server in a TCP option (TOA): the new master must not add it again.</summary>
    public bool ToaDone { get; init; }
}
