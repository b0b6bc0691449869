using LvsNet.Packets;

namespace LvsNet.Core.DataPath;

/// <summary>What the data path needs to know about the director it runs on; fixed for the life of a capture thread.</summary>
public sealed record DataPathOptions
{
    /// <summary>The capture NIC's MAC: the source of every frame sent and the destination of every frame handled.</summary>
    public required MacAddress Mac { get; init; }

    /// <summary>The director's HA role, read once per batch; null = always master (no HA).</summary>
    public Ha.DirectorRoleState? Role { get; init; }

    /// <summary>The connection synchronisation's queues and settings; null = no sync.</summary>
    public Sync.SyncHub? Sync { get; init; }

    /// <summary>The director's own IP (DIP).</summary>
    public required uint Address { get; init; }

    /// <summary>The prefix length of the director's subnet.</summary>
    public int PrefixLength { get; init; } = 24;

    /// <summary>The gateway for off-subnet next hops, or 0.</summary>
    public uint Gateway { get; init; }

    /// <summary>The director's own IPv6 address (<c>director.address6</c>), or null: frames to it are its kernel's.</summary>
    public Packets.Ipv6.Ipv6Address? Address6 { get; init; }

    /// <summary>The prefix length of <see cref="Address6"/>: IPv6 destinations inside it are on-link.</summary>
    public int PrefixLength6 { get; init; } = 64;

    /// <summary>The IPv6 next hop for destinations off the <see cref="Address6"/> prefix, or null (every destination on-link).</summary>
    public Packets.Ipv6.Ipv6Address? Gateway6 { get; init; }

    /// <summary>
    /// The 802.1Q VLAN the director is on (<c>director.vlan</c>, 1–4094), or 0 for an untagged segment.
    /// With a VLAN, only frames tagged with it are handled (the tag is taken off before any handler sees
    /// the frame) and every frame sent carries it; untagged frames and other VLANs' frames are dropped.
    /// </summary>
    public ushort Vlan { get; init; }

    /// <summary>The capture NIC's MTU: an IPIP-encapsulated packet must fit in it.</summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>The connection table's capacity.</summary>
    public int TableCapacity { get; init; } = 1 << 20;

    /// <summary>
    /// Whether the connection table's memory is made resident at start (the daemon: its memory
    /// use is then fixed from the start and no flood makes the capture thread take page faults;
    /// tests that build many small harnesses leave it off).
    /// </summary>
    public bool CommitTable { get; init; }

    /// <summary>This worker's index among <see cref="WorkerCount"/> (0 for a single worker).</summary>
    public int WorkerIndex { get; init; }

    /// <summary>How many workers share the NIC, each with its own table (see <see cref="FlowSteering"/>).</summary>
    public int WorkerCount { get; init; } = 1;

    /// <summary>ICMP errors allowed per second (a token bucket, like the kernel's icmp_msgs_per_sec).</summary>
    public int IcmpErrorsPerSecond { get; init; } = 1000;

    /// <summary>
    /// Buffers (one MTU-sized frame each) for fragments waiting for the rest of their datagram
    /// (from <c>fragments.memory_bytes</c>; the timeout comes with each snapshot, <c>fragments.timeout</c>).
    /// </summary>
    public int FragmentBuffers { get; init; } = 1024;

    /// <summary>Datagrams whose fragments may be collected at once (from <c>fragments.max_datagrams</c>).</summary>
    public int FragmentQueues { get; init; } = 256;
}
