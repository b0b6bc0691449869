using System.Collections.Immutable;

namespace LvsNet.Core.Configuration;

/// <summary>A whole validated configuration document (the YAML file).</summary>
public sealed record LvsConfig
{
    /// <summary>The director's own interface and addresses.</summary>
    public required DirectorConfig Director { get; init; }

    /// <summary>Packet capture settings.</summary>
    public CaptureConfig Capture { get; init; } = new();

    /// <summary>Connection table settings.</summary>
    public ConnectionTableConfig Connections { get; init; } = new();

    /// <summary>The bounds of IP fragment handling (YAML <c>fragments</c>).</summary>
    public FragmentConfig Fragments { get; init; } = new();

    /// <summary>The metrics and status-page endpoint (YAML <c>http</c>), or null when it is off.</summary>
    public HttpEndpointConfig? Http { get; init; }

    /// <summary>The virtual services, in file order.</summary>
    public ImmutableArray<VirtualServiceConfig> VirtualServices { get; init; } = [];

    /// <summary>Director high availability: initial role, gratuitous ARP, connection synchronisation.</summary>
    public HighAvailabilityConfig HighAvailability { get; init; } = new();

    /// <summary>Route announcement of the VIPs through BIRD (YAML <c>announce</c>), or null when the director announces nothing.</summary>
    public AnnounceConfig? Announce { get; init; }
    /// <summary>
    /// The firewall-mark rules (YAML <c>firewall_marks</c>), in file order: what an iptables mangle
    /// table would have marked for the <c>fwmark</c> services. The first rule a packet matches gives its mark.
    /// </summary>
    public ImmutableArray<FirewallMarkRule> FirewallMarks { get; init; } = [];
}

/// <summary>The director box: the NIC the daemon captures on and its own addresses.</summary>
public sealed record DirectorConfig
{
    /// <summary>The capture and injection interface (for example eth0).</summary>
    public required string Interface { get; init; }

    /// <summary>The director's own IP (DIP), used as the sender of ARP requests and health checks.</summary>
    public required uint Address { get; init; }

    /// <summary>The prefix length of the director's subnet: real servers and clients inside it are resolved directly by ARP.</summary>
    public int PrefixLength { get; init; } = 24;

    /// <summary>The next hop for destinations outside the subnet, or 0 when none is configured.</summary>
    public uint Gateway { get; init; }

    /// <summary>
    /// The gateway's MAC (YAML <c>gateway_mac</c>), or null to resolve it by ARP. A configured MAC
    /// is never probed and never changed by ARP, so nobody on the segment can redirect the
    /// director's off-segment traffic.
    /// </summary>
    public Packets.MacAddress? GatewayMac { get; init; }

    /// <summary>
    /// The director's own IPv6 address on the capture interface (YAML <c>address6</c>, with its
    /// prefix), or null. It is the address IPv6 NAT real servers use as their gateway (the
    /// director's kernel holds it and answers neighbour solicitations for it); its prefix says
    /// which IPv6 clients are on-link (a NAT reply goes to them directly, others to <see cref="Gateway6"/>).
    /// </summary>
    public Packets.Ipv6.Ipv6Address? Address6 { get; init; }

    /// <summary>The prefix length of <see cref="Address6"/> (64 when the YAML gives none).</summary>
    public int PrefixLength6 { get; init; } = 64;

    /// <summary>
    /// The IPv6 next hop for destinations off the <see cref="Address6"/> prefix (YAML <c>gateway6</c>,
    /// often a router's link-local address), or null: then every IPv6 destination is taken as on-link.
    /// </summary>
    public Packets.Ipv6.Ipv6Address? Gateway6 { get; init; }

    /// <summary>Whether the daemon changes the host at start (VIP off the kernel, ip_forward 0, offloads off) and restores it at stop.</summary>
    public bool PrepareHost { get; init; } = true;

    /// <summary>
    /// The 802.1Q VLAN the director's segment is on when <see cref="Interface"/> is a trunk port (YAML
    /// <c>vlan</c>, 1–4094), or 0 (the default): an untagged segment. With a VLAN, the data path handles
    /// only frames tagged with it and tags every frame it sends; untagged frames (the native VLAN) and
    /// other VLANs' frames are dropped and counted.
    /// </summary>
    public ushort Vlan { get; init; }
}

/// <summary>How frames are captured and injected.</summary>
public sealed record CaptureConfig
{
    /// <summary>The packet I/O backend (YAML <c>backend</c>: <c>pcap</c>, <c>afpacket</c> or <c>afxdp</c>).</summary>
    public CaptureBackend Backend { get; init; } = CaptureBackend.Pcap;

    /// <summary>Capture workers (YAML <c>workers</c>): threads each with its own socket in a fanout group and its own connection table; more than one needs the afpacket backend.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>The kernel capture buffer in bytes.</summary>
    public int BufferSizeBytes { get; init; } = 32 * 1024 * 1024;

    /// <summary>How many frames the capture thread handles before it looks at timers again.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>A .pcap file that receives a copy of every frame the daemon sends, for debugging; null when off.</summary>
    public string? CaptureTo { get; init; }

    /// <summary>
    /// The afpacket backend's ring (YAML <c>afpacket_ring</c>): 2 for TPACKET_V2, a slot per frame
    /// handed over at once (the default: lowest latency), or 3 for TPACKET_V3, blocks retired when
    /// full or after a timeout (fewer wake-ups at high rates, milliseconds of delay at low ones).
    /// </summary>
    public int AfPacketRing { get; init; } = 2;

    /// <summary>
    /// The ring backends' busy-poll phase (YAML <c>busy_poll_us</c>, 0–10000 microseconds; 0, the
    /// default, is off): before sleeping, a capture thread polls its ring this long, trading a core's
    /// time for wake-up latency.
    /// </summary>
    public TimeSpan BusyPoll { get; init; }

    /// <summary>
    /// The pcap backend's SYN queue (YAML <c>syn_queue_bytes</c>; 0, the default, is off): bare SYNs
    /// to the director are captured into a buffer of their own of this size and read only after every
    /// other frame, so that under a SYN flood the frames of established connections and of completing
    /// handshakes never wait behind the flood, and a new connection's SYN waits at most as long as this
    /// small buffer takes to drain.
    /// </summary>
    public int SynQueueBytes { get; init; }
}

/// <summary>Connection table sizing and timeouts.</summary>
public sealed record ConnectionTableConfig
{
    /// <summary>The most connections held at once; new flows beyond it are dropped and counted.</summary>
    public int MaxEntries { get; init; } = 1 << 20;

    /// <summary>The ESTABLISHED timeout (<c>ipvsadm --set tcp</c>).</summary>
    public TimeSpan TcpTimeout { get; init; } = TimeSpan.FromSeconds(900);

    /// <summary>The FIN_WAIT timeout (<c>ipvsadm --set tcpfin</c>).</summary>
    public TimeSpan TcpFinTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>The UDP timeout (<c>ipvsadm --set udp</c>).</summary>
    public TimeSpan UdpTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// IPVS <c>expire_nodest_conn</c>: when false (the kernel default), packets of a connection whose
    /// real server was removed are dropped until the entry times out; when true the entry is
    /// expired at its next packet and a SYN (or UDP datagram) is scheduled again.
    /// </summary>
    public bool ExpireNodestConnections { get; init; }

    /// <summary>
    /// IPVS <c>expire_quiescent_template</c>: when true, a persistence template whose server has
    /// weight 0 is not used for new connections (the client is scheduled afresh).
    /// </summary>
    public bool ExpireQuiescentTemplates { get; init; }

    /// <summary>
    /// IPVS <c>sloppy_tcp</c>: when true, any TCP segment without SYN and RST that belongs to no
    /// connection is scheduled and creates one (ACK from NONE moves to ESTABLISHED by the state
    /// table), so a flow that reaches this director mid-stream (another director failed or ECMP
    /// moved it) continues wherever a consistent scheduler (<c>mh</c>, <c>sh</c>) picks its old server.
    /// Off (the kernel default): only a SYN opens a connection.
    /// </summary>
    public bool SloppyTcp { get; init; }

    /// <summary>
    /// IPVS <c>drop_entry</c>: 0 off, 1 automatic (active while fewer than <see cref="AmemThreshold"/>
    /// entries are free), 3 always; while active, once a second 1/32 of the buckets are examined at
    /// random and their half-open and long-idle entries dropped.
    /// </summary>
    public int DropEntry { get; init; }

    /// <summary>
    /// IPVS <c>drop_packet</c>: 0 off, 1 automatic (while fewer than <see cref="AmemThreshold"/>
    /// entries are free, drop one new connection in threshold / (threshold − free)), 3 always (one
    /// in <see cref="AmDropRate"/>).
    /// </summary>
    public int DropPacket { get; init; }

    /// <summary>IPVS <c>secure_tcp</c>: 0 off, 1 automatic (while fewer than <see cref="AmemThreshold"/> entries are free), 3 always: the "secure" TCP state table.</summary>
    public int SecureTcp { get; init; }

    /// <summary>IPVS <c>am_droprate</c>: with <c>drop_packet: 3</c>, one new connection in this many is dropped.</summary>
    public int AmDropRate { get; init; } = 10;

    /// <summary>
    /// IPVS <c>amemthresh</c>, counted in free table entries instead of free memory pages: the
    /// automatic defences act while fewer entries than this are free. Null: 1/16 of <see cref="MaxEntries"/>.
    /// </summary>
    public int? AmemThreshold { get; init; }

    /// <summary>
    /// New connections a second from one source prefix (YAML <c>per_source_rate</c>); 0, the
    /// default, is no limit. Beyond it a client's new connections are dropped (<c>SourceRateLimited</c>)
    /// while its established ones continue.
    /// </summary>
    public int PerSourceRate { get; init; }

    /// <summary>The burst a source prefix may open at once (YAML <c>per_source_burst</c>); null: one second's worth of <see cref="PerSourceRate"/>.</summary>
    public int? PerSourceBurst { get; init; }

    /// <summary>The prefix length that makes one source (YAML <c>per_source_prefix</c>, 8–32, default 32: each address).</summary>
    public int PerSourcePrefix { get; init; } = 32;
}

/// <summary>A virtual service: VIP, port and protocol, its scheduler and real servers.</summary>
public sealed record VirtualServiceConfig
{
    /// <summary>An optional name for logs and listings.</summary>
    public string? Name { get; init; }

    /// <summary>The protocol.</summary>
    public required Packets.IpProtocol Protocol { get; init; }

    /// <summary>The virtual IP when the service is IPv4 (0 for an IPv6 or firewall-mark service).</summary>
    public required uint Address { get; init; }

    /// <summary>
    /// The virtual IP when the service is IPv6 (YAML <c>address: 2001:db8::100</c>), else null; <see cref="Address"/> is then 0.
    /// An IPv6 firewall-mark service (YAML <c>fwmark</c> with <c>family: inet6</c>, ipvsadm <c>-f N -6</c>) has <c>::</c> here, as the kernel keys it.
    /// </summary>
    public Packets.Ipv6.Ipv6Address? Address6 { get; init; }

    /// <summary>True for an IPv6 service.</summary>
    public bool IsIpv6 => Address6 is not null;

    /// <summary>The VIP as text: <c>10.0.0.100</c> or <c>2001:db8::100</c>.</summary>
    public string AddressText => Address6 is { } v6 ? v6.ToString() : Packets.Ipv4Address.Format(Address);

    /// <summary>The VIP and port as ipvsadm prints them: <c>10.0.0.100:80</c> or <c>[2001:db8::100]:80</c>.</summary>
    public string EndpointText => Address6 is { } v6 ? $"[{v6}]:{Port}" : $"{Packets.Ipv4Address.Format(Address)}:{Port}";

    /// <summary>The virtual port.</summary>
    public required ushort Port { get; init; }

    /// <summary>
    /// The firewall mark (YAML <c>fwmark</c>, ipvsadm <c>-f</c>), or 0 for an address service. A
    /// firewall-mark service has protocol, address and port 0 and takes the new flows that the
    /// <see cref="LvsConfig.FirewallMarks"/> rules give this mark, whatever their VIP and port.
    /// </summary>
    public uint FirewallMark { get; init; }

    /// <summary>The scheduler's ipvsadm name (rr, wrr, ...).</summary>
    public string Scheduler { get; init; } = SchedulerNames.WeightedLeastConnection;

    /// <summary>The real servers, in the kernel's list order (the first listed is the list head).</summary>
    public ImmutableArray<RealServerConfig> RealServers { get; init; } = [];

    /// <summary>Persistence (<c>ipvsadm -p</c>): how long a client stays on its server after its last connection; null = off.</summary>
    public TimeSpan? PersistenceTimeout { get; init; }

    /// <summary>Persistence granularity (<c>ipvsadm -M</c>): clients whose addresses match under this mask share a server.</summary>
    public uint PersistenceNetmask { get; init; } = uint.MaxValue;

    /// <summary>
    /// Persistence granularity of an IPv6 service (YAML <c>persistence_netmask: /64</c>, <c>ipvsadm -6 -M 64</c>):
    /// clients whose addresses share this many leading bits share a server; 128 (the default) = each address alone.
    /// </summary>
    public int PersistencePrefixLength { get; init; } = 128;

    /// <summary>One-packet scheduling (<c>ipvsadm -o</c>, UDP only): every datagram is scheduled on its own.</summary>
    public bool OnePacketScheduling { get; init; }

    /// <summary>
    /// Scheduler flags by their ipvsadm names (<c>ipvsadm -b</c>): <c>sh-fallback</c>, <c>sh-port</c>,
    /// <c>mh-fallback</c>, <c>mh-port</c>, or <c>flag-1</c>..<c>flag-3</c>; see <see cref="SchedulerFlagNames"/>.
    /// </summary>
    public ImmutableArray<string> SchedulerFlags { get; init; } = [];

    /// <summary>The mh lookup table size (a prime from <see cref="SchedulerNames.MaglevTableSizes"/>); null = the kernel default 4093.</summary>
    public int? MaglevTableSize { get; init; }

    /// <summary>How long an unused lblc/lblcr cache entry (or an unchanged lblcr server set) lives; null = the sysctl default of 24 hours.</summary>
    public TimeSpan? LocalityExpiration { get; init; }

    /// <summary>The dynamic-feedback weight policy, or null when weights stay as configured.</summary>
    public DynamicWeightsConfig? DynamicWeights { get; init; }

    /// <summary>The service's health checks (YAML <c>health_check</c>), or null when its servers are not checked; see docs/health-checks.md.</summary>
    public HealthCheckConfig? HealthCheck { get; init; }

    /// <summary>The agent check of the service's servers (YAML <c>agent_check</c>), or null; see docs/schedulers.md.</summary>
    public AgentCheckConfig? AgentCheck { get; init; }

    /// <summary>The quorum, its commands and the sorry server (YAML <c>quorum</c>, <c>hysteresis</c>, <c>quorum_up</c>, <c>quorum_down</c>, <c>sorry_server</c>), or null for keepalived's defaults.</summary>
    public QuorumConfig? Quorum { get; init; }

    /// <summary>
    /// FULLNAT: the local addresses (DPVS "laddr") that connections to this service's fullnat
    /// servers come from (YAML <c>local_addresses</c>); the director answers ARP for them.
    /// </summary>
    public ImmutableArray<uint> LocalAddresses { get; init; } = [];

    /// <summary>
    /// FULLNAT over IPv6: the IPv6 entries of <c>local_addresses</c>, the sources of connections to
    /// this IPv6 service's IPv6 fullnat servers; the director answers neighbour solicitations for them.
    /// (An IPv6 service's IPv4 entries, in <see cref="LocalAddresses"/>, serve its IPv4 servers: NAT64.)
    /// </summary>
    public ImmutableArray<Packets.Ipv6.Ipv6Address> LocalAddresses6 { get; init; } = [];

    /// <summary>Where each of <see cref="LocalAddresses6"/> stood in the YAML list (its index there), for error paths; empty when built in code.</summary>
    internal ImmutableArray<int> LocalAddress6Positions { get; init; } = [];

    /// <summary>FULLNAT: carry the client's address and port to the real server in a TOA TCP option (YAML <c>toa</c>).</summary>
    public bool Toa { get; init; }

    /// <summary>
    /// NAT and FULLNAT, TCP: the director answers each SYN itself with a SYN cookie and opens the connection to a
    /// real server only when the client's ACK proves the cookie (YAML <c>syn_proxy</c>; docs/hardening.md).
    /// </summary>
    public bool SynProxy { get; init; }

    /// <summary>Value equality over the real server list as well.</summary>
    public bool Equals(VirtualServiceConfig? other) =>
        other is not null
        && Name == other.Name
        && Protocol == other.Protocol
        && Address == other.Address
        && Address6 == other.Address6
        && Port == other.Port
        && FirewallMark == other.FirewallMark
        && Scheduler == other.Scheduler
        && PersistenceTimeout == other.PersistenceTimeout
        && PersistenceNetmask == other.PersistenceNetmask
        && PersistencePrefixLength == other.PersistencePrefixLength
        && OnePacketScheduling == other.OnePacketScheduling
        && SchedulerFlags.SequenceEqual(other.SchedulerFlags)
        && MaglevTableSize == other.MaglevTableSize
        && LocalityExpiration == other.LocalityExpiration
        && DynamicWeights == other.DynamicWeights
        && AgentCheck == other.AgentCheck
        && HealthCheck == other.HealthCheck
        && Quorum == other.Quorum
        && LocalAddresses.SequenceEqual(other.LocalAddresses)
        && LocalAddresses6.SequenceEqual(other.LocalAddresses6)
        && Toa == other.Toa
        && SynProxy == other.SynProxy
        && RealServers.SequenceEqual(other.RealServers);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Protocol, Address, Port, FirewallMark, Scheduler, RealServers.Length);
}

/// <summary>A real server of a virtual service.</summary>
public sealed record RealServerConfig
{
    /// <summary>The real server's IP (RIP) when it is IPv4 (0 for an IPv6 server).</summary>
    public required uint Address { get; init; }

    /// <summary>The real server's IPv6 address, or null for an IPv4 server; <see cref="Address"/> is then 0.</summary>
    public Packets.Ipv6.Ipv6Address? Address6 { get; init; }

    /// <summary>True for an IPv6 server.</summary>
    public bool IsIpv6 => Address6 is not null;

    /// <summary>The address as text: <c>10.0.0.11</c> or <c>2001:db8::11</c>.</summary>
    public string AddressText => Address6 is { } v6 ? v6.ToString() : Packets.Ipv4Address.Format(Address);

    /// <summary>The address and port as ipvsadm prints them: <c>10.0.0.11:80</c> or <c>[2001:db8::11]:80</c>.</summary>
    public string EndpointText => Address6 is { } v6 ? $"[{v6}]:{Port}" : $"{Packets.Ipv4Address.Format(Address)}:{Port}";

    /// <summary>The real server's port (for DR and TUN always the virtual port).</summary>
    public required ushort Port { get; init; }

    /// <summary>The weight, 0..65535; 0 = quiescent (no new connections).</summary>
    public int Weight { get; init; } = 1;

    /// <summary>The forwarding method.</summary>
    public ForwardingMethod Method { get; init; } = ForwardingMethod.DirectRouting;

    /// <summary>
    /// The upper connection threshold (<c>ipvsadm -x</c>): when active plus inactive connections
    /// reach it the server is marked overloaded and gets no new connections; 0 = unset.
    /// </summary>
    public int UpperThreshold { get; init; }

    /// <summary>
    /// The lower connection threshold (<c>ipvsadm -y</c>): an overloaded server takes new
    /// connections again once below it (without one, below three quarters of the upper); 0 = unset.
    /// </summary>
    public int LowerThreshold { get; init; }

    /// <summary>This server's own health-check settings (YAML <c>health_check</c> of the real server), or null to inherit the service's.</summary>
    public RealServerHealthCheckConfig? HealthCheck { get; init; }

    /// <summary>This server's agent-check settings over the service's (YAML <c>agent_check</c> of the real server), or null to inherit.</summary>
    public AgentCheckConfig? AgentCheck { get; init; }

    /// <summary>
    /// The real server's MAC (YAML <c>mac</c>), or null to resolve it by ARP. A configured MAC is
    /// never probed and never changed by ARP; every entry of the same address must give the same one.
    /// </summary>
    public Packets.MacAddress? Mac { get; init; }
}

/// <summary>How the daemon reads and writes frames; see docs/designs/packet-io-backends.md.</summary>
public enum CaptureBackend
{
    /// <summary>libpcap: works on any NIC; one system call per sent frame.</summary>
    Pcap,

    /// <summary>AF_PACKET with a TPACKET_V3 receive ring and batched transmit.</summary>
    AfPacket,

    /// <summary>AF_XDP: an XDP program redirects the director's traffic to a UMEM-backed socket.</summary>
    AfXdp,
}
