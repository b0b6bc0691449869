namespace LvsNet.Core.DataPath;

/// <summary>Why the data path dropped a frame. Every drop is counted under one reason.</summary>
public enum DropReason
{
    /// <summary>Shorter than an Ethernet header (or its VLAN tag).</summary>
    MalformedEthernet = 0,

    /// <summary>Captured shorter than it was on the wire (snap length or offloads): it cannot be forwarded whole.</summary>
    Truncated,

    /// <summary>An ARP packet that is not Ethernet/IPv4 or is cut short.</summary>
    MalformedArp,

    /// <summary>An IPv4 header that is cut short, has IHL &lt; 5, or a total length past the frame.</summary>
    MalformedIpv4,

    /// <summary>An IPv4 header whose checksum does not verify.</summary>
    BadIpv4Checksum,

    /// <summary>An IP fragment of a protocol other than TCP and UDP, or of a one-packet-scheduled datagram: only TCP and UDP datagrams are forwarded in fragments.</summary>
    Fragment,

    /// <summary>A TCP header that is cut short or has a data offset below 5 or past the segment.</summary>
    MalformedTcp,

    /// <summary>A UDP header that is cut short or whose length field is wrong.</summary>
    MalformedUdp,

    /// <summary>An ICMP message that is cut short, or an error whose quoted packet cannot be read.</summary>
    MalformedIcmp,

    /// <summary>An IPv4 packet to a VIP on a protocol no service uses.</summary>
    UnsupportedProtocol,

    /// <summary>To a VIP, but no virtual service has that protocol and port.</summary>
    NoService,

    /// <summary>A TCP segment that is not a SYN and belongs to no known connection.</summary>
    NoConnection,

    /// <summary>The scheduler found no available real server (the client got ICMP port unreachable).</summary>
    NoDestination,

    /// <summary>The connection's real server was removed from the configuration.</summary>
    ServerRemoved,

    /// <summary>The connection table was full, so a new flow was refused.</summary>
    TableFull,

    /// <summary>The TTL would reach zero at the director (a TCP or UDP sender gets ICMP time exceeded, rate limited).</summary>
    TtlExceeded,

    /// <summary>The next hop's MAC could not be resolved, or too many frames waited for it.</summary>
    NeighbourUnresolved,

    /// <summary>The kernel refused to send the frame.</summary>
    SendFailed,

    /// <summary>The packet would exceed the path MTU once encapsulated (an outer IPv4 header adds 20 bytes, an outer IPv6 one 40); an IPv4 packet with DF set got ICMP fragmentation needed, an IPv6 one ICMPv6 packet too big.</summary>
    TooBig,

    /// <summary>FULLNAT: every port of every local address of the service is in use (add local addresses).</summary>
    NoLocalPort,

    /// <summary>An IPv4 frame too short to hold an IPv4 header (a runt).</summary>
    Runt,

    /// <summary>An IPv4 header whose total length is shorter than the header or longer than the frame.</summary>
    BadIpv4Length,

    /// <summary>An IPv4 packet longer than the MTU (a giant: GRO/LRO left on, or a misconfigured sender).</summary>
    Oversize,

    /// <summary>A source address no packet may come from: 0.0.0.0/8, 127.0.0.0/8, multicast, 240.0.0.0/4 (class E and 255.255.255.255).</summary>
    MartianSource,

    /// <summary>A source address that is the director's own: its address, a VIP or a FULLNAT local address.</summary>
    OwnAddressSource,

    /// <summary>Malformed IPv4 options (a length or pointer out of range, a repeated option).</summary>
    BadIpOptions,

    /// <summary>A loose or strict source route option (dropped, as with accept_source_route=0).</summary>
    SourceRoute,

    /// <summary>A TCP flag combination no segment may carry (SYN+FIN, SYN+RST, FIN+RST, no flag, FIN without ACK, ...).</summary>
    InvalidTcpFlags,

    /// <summary>A TCP segment with SYN that cannot open a connection (SYN+ACK) and belongs to none.</summary>
    TcpCannotOpen,

    /// <summary>A TCP segment or UDP datagram with source or destination port 0.</summary>
    PortZero,

    /// <summary>An 802.1Q-tagged frame of a VLAN the director is not on: any tag when no VLAN is configured (<c>director.vlan</c>), else a tag for another VLAN or a second tag.</summary>
    VlanTagged,

    /// <summary>A new connection refused by the drop_packet defence (the table is nearly full, or drop_packet is 3).</summary>
    DefenceDropPacket,

    /// <summary>ARP whose sender MAC is zero, broadcast or multicast (nothing was learned from it).</summary>
    ArpInvalidSenderMac,

    /// <summary>ARP whose sender MAC is the director's own (spoofed or looped).</summary>
    ArpOwnSenderMac,

    /// <summary>ARP from another host claiming the director's own address, a local address or a VIP (an address conflict, logged).</summary>
    ArpAddressConflict,

    /// <summary>ARP claiming another MAC for a neighbour in use without answering a request of the director: only a hint that starts a probe of the known MAC.</summary>
    ArpUnsolicited,

    /// <summary>An ARP reply to a unicast probe of a neighbour's known MAC that came from another MAC.</summary>
    ArpUnexpectedMac,

    /// <summary>ARP claiming another MAC for a neighbour whose MAC is configured (YAML <c>mac</c>).</summary>
    ArpStaticEntry,

    /// <summary>A new connection from a source prefix that used up its per_source_rate (established ones continue).</summary>
    SourceRateLimited,

    /// <summary>A frame for a VIP or local address (or an ARP request for one) while the director is BACKUP or FAULT: the master handles it.</summary>
    Standby,

    /// <summary>A fragment overlapping one already held for its datagram: the whole datagram is dropped (RFC 5722, as the kernel's defrag does).</summary>
    FragmentOverlap,

    /// <summary>A fragment that cannot be part of a valid datagram: empty, not a multiple of 8 bytes with MF set, ending past 65,535 bytes, past the last fragment's end, or a second last fragment with another end.</summary>
    FragmentMalformed,

    /// <summary>A datagram whose first fragment does not hold the whole TCP or UDP header (RFC 1858 tiny fragment): all its fragments are dropped.</summary>
    FragmentTiny,

    /// <summary>A fragment of a datagram that was not complete within the fragment timeout.</summary>
    FragmentTimeout,

    /// <summary>A fragment for which no buffer was free (the pool is full, or the datagram already has the most fragments one may have).</summary>
    FragmentNoBuffer,

    /// <summary>A later fragment of a datagram whose first fragment was dropped (for its own reason).</summary>
    FragmentOfDropped,

    /// <summary>An exact copy of a fragment already held (dropped alone; the datagram goes on).</summary>
    FragmentDuplicate,

    /// <summary>An ACK for no connection to a syn_proxy service whose acknowledgment is not a valid SYN cookie (a spoofed or stale ACK).</summary>
    SynCookieInvalid,

    /// <summary>A segment of a SYN-proxied connection while the real server's half is opening (one client segment with data is held instead), or held and then forgotten.</summary>
    SynProxyPending,

    /// <summary>An IPv6 packet whose fixed header is wrong (version, a payload length past the frame, a jumbogram).</summary>
    MalformedIpv6,

    /// <summary>An IPv6 extension header chain that the bounded walk refused: truncated, too long, hop-by-hop not first, a routing header with segments left, an option that demands discarding, a bad or incomplete first fragment.</summary>
    Ipv6ExtensionHeaders,

    /// <summary>A neighbour solicitation or advertisement that fails RFC 4861's receiver checks (hop limit 255, code, checksum, options).</summary>
    NeighborDiscoveryInvalid,

    /// <summary>A neighbour advertisement the director did not ask for (unsolicited, or for an address it is not resolving), or one claiming a director's own address: never learnt.</summary>
    NeighborAdvertisementRefused,

    /// <summary>An ICMPv6 message to a VIP that is truncated or whose checksum does not verify over the pseudo-header (RFC 4443 §2.3).</summary>
    MalformedIcmpv6,

    /// <summary>An IPv6 packet larger than the capture NIC's MTU: answered with ICMPv6 packet too big (RFC 4443 §3.2), as a router does, never fragmented.</summary>
    Ipv6PacketTooBig,

    /// <summary>An ICMPv6 error to a VIP about a tracked IPv6 connection whose method it cannot be forwarded by (TUN); DR forwards it unchanged, NAT, FULLNAT and NAT64 translate it.</summary>
    Icmpv6ErrorUntranslated,

    /// <summary>A NAT64 reply from an IPv4 real server with DF that would not fit the MTU once translated to IPv6 (20 bytes longer): the server gets ICMPv4 fragmentation needed (MTU − 20, RFC 7915 §4). Without DF it is sent as IPv6 fragments instead.</summary>
    Nat64PacketTooBig,

    /// <summary>A NAT64 datagram in fragments that cannot be translated fragment by fragment (RFC 7915): an IPv4 UDP datagram without a checksum (§4.5), or an IPv6 one whose fragmentable part starts with extension headers. All its fragments are dropped.</summary>
    Nat64FragmentUntranslatable,

    /// <summary>An untagged frame on the trunk while <c>director.vlan</c> is configured: it belongs to the port's native VLAN, a segment the director is not on.</summary>
    VlanUntagged,
}
