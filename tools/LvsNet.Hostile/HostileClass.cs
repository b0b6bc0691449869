namespace LvsNet.Hostile;

/// <summary>What a class of frames is.</summary>
internal enum ClassKind
{
    /// <summary>ARP that tries to change the director's neighbour table.</summary>
    Arp,

    /// <summary>IPv4 frames the kernel's input path or IPVS would never hand on.</summary>
    Invalid,

    /// <summary>Valid-looking frames sent in bulk.</summary>
    Flood,

    /// <summary>Valid frames with random damage; some may still be valid.</summary>
    Mutation,

    /// <summary>IPv6 neighbour discovery that tries to change the director's IPv6 neighbour table.</summary>
    NeighborDiscovery,
}

/// <summary>What must happen to a class's frames once the defences of issue 13 are in place.</summary>
internal enum Expectation
{
    /// <summary>No frame of the class reaches a real server.</summary>
    Blocked,

    /// <summary>The director's neighbour entries keep pointing at the real servers: nothing is diverted, probes succeed.</summary>
    NotPoisoned,

    /// <summary>Measured and reported only (valid frames may legitimately be forwarded).</summary>
    Informational,
}

/// <summary>One named class of hostile frames.</summary>
/// <param name="Id">The class id carried in the marker (1..255).</param>
/// <param name="Name">The class name used on the command line and in the report.</param>
/// <param name="Kind">What it is.</param>
/// <param name="Expected">What must happen to it.</param>
/// <param name="Description">One line for the report.</param>
/// <param name="Generate">Builds frame number <c>index</c> of the class.</param>
internal sealed record HostileClass(int Id, string Name, ClassKind Kind, Expectation Expected, string Description,
    Func<LabContext, Random, long, byte[]> Generate)
{
    /// <summary>The frame is larger than the interface MTU allows: the sender raises the MTU for the class.</summary>
    public bool Oversize { get; init; }

    /// <summary>The class attacks the IPv6 VIP (sent only when the campaign knows the lab's IPv6 addresses).</summary>
    public bool Ipv6 { get; init; }
}

/// <summary>The lab's addresses, as the campaign needs them.</summary>
internal sealed record LabContext
{
    public required byte[] ClientMac { get; init; }
    public required byte[] DirectorMac { get; init; }
    public required uint ClientIp { get; init; }
    public required uint Vip { get; init; }
    public required uint Dip { get; init; }
    public required uint[] RealServerIps { get; init; }
    public required byte[][] RealServerMacs { get; init; }
    public ushort Port { get; init; } = 80;

    /// <summary>The IPv6 VIP (16 bytes), or empty when the lab has no IPv6.</summary>
    public byte[] Vip6 { get; init; } = [];

    /// <summary>The director's IPv6 address.</summary>
    public byte[] Dip6 { get; init; } = [];

    /// <summary>The client's IPv6 address.</summary>
    public byte[] ClientIp6 { get; init; } = [];

    /// <summary>The real servers' IPv6 addresses.</summary>
    public byte[][] RealServerIps6 { get; init; } = [];

    /// <summary>A MAC that no host of the lab has (the attacker's claim).</summary>
    public static byte[] ForeignMac => [0x02, 0x66, 0x00, 0x00, 0x00, 0x01];

    /// <summary>
    /// A spoofed, non-martian source: 10.78.CLASS.(1..250), so no class ever hits a flow that another class
    /// opened (a segment "on an unknown flow" must really be on one). Nothing routes 10.78/16 out of the lab.
    /// </summary>
    public static uint SpoofedSource(int classId, long index) => 0x0a4e0000u | ((uint)(classId & 0xff) << 8) | (uint)(1 + (index % 250));

    /// <summary>A source port per frame: with <see cref="SpoofedSource"/>, a new flow for each of the first 10 million frames.</summary>
    public static ushort SourcePort(long index) => (ushort)(20000 + ((index / 250) % 40000));
}
