namespace LvsNet.PacketIo.AfXdp;

/// <summary>Options of an <see cref="AfXdpDevice"/>: interface, queue, UMEM and ring sizes, modes.</summary>
/// <param name="InterfaceName">The interface to attach to.</param>
public sealed record AfXdpOptions(string InterfaceName)
{
    /// <summary>The receive queue the socket binds to (frames on other queues are passed to the kernel).</summary>
    public int QueueId { get; init; }

    /// <summary>UMEM frame (chunk) size: 2048 or 4096; the largest frame that can be sent or received.</summary>
    public int FrameSizeBytes { get; init; } = 2048;

    /// <summary>
    /// UMEM frames in total; half receive (they cycle through the fill ring), half transmit. A power of two.
    /// The default, 16384 frames of 2048 bytes (32 MiB), matches libpcap's default buffer and absorbs a
    /// 40 ms stall of the capture thread at 200,000 frames/s.
    /// </summary>
    public int FrameCount { get; init; } = 16384;

    /// <summary>Entries of each ring (RX, TX, fill, completion); a power of two, at least <see cref="FrameCount"/> / 2.</summary>
    public int RingSize { get; init; } = 8192;

    /// <summary>Frames queued by <see cref="AfXdpDevice.Send"/> before the TX ring is kicked without waiting for <see cref="AfXdpDevice.Flush"/>.</summary>
    public int TransmitBatchSize { get; init; } = 64;

    /// <summary>
    /// How long <see cref="AfXdpDevice.Wait"/> keeps checking the RX ring before it sleeps in poll(2) (0, the
    /// default, sleeps at once; at most 10 ms): frames arriving within that time are found without a wake-up,
    /// at the price of a core spinning while traffic is light.
    /// </summary>
    public TimeSpan BusyPollTime { get; init; }

    /// <summary>The largest number of addresses <see cref="AfXdpDevice.SetAddresses(IReadOnlyCollection{uint}, IReadOnlyCollection{uint}, IReadOnlyCollection{uint})"/> accepts (the BPF hash map's size).</summary>
    public int MaxAddresses { get; init; } = 1024;

    /// <summary>The requested socket mode; <see cref="XdpSocketMode.Auto"/> tries zero-copy first.</summary>
    public XdpSocketMode SocketMode { get; init; } = XdpSocketMode.Auto;

    /// <summary>The requested attach mode; <see cref="XdpAttachMode.Auto"/> tries native mode first.</summary>
    public XdpAttachMode AttachMode { get; init; } = XdpAttachMode.Auto;

    /// <summary>IPv4 addresses redirected from the start (first octet in the most significant byte, as the data path holds them); more can be set later with <see cref="AfXdpDevice.SetAddresses(IReadOnlyCollection{uint}, IReadOnlyCollection{uint}, IReadOnlyCollection{uint})"/>.</summary>
    public IReadOnlyCollection<uint> Addresses { get; init; } = [];

    /// <summary>Addresses whose IPv4 frames are redirected by source (NAT real servers), unless sent to one of <see cref="HostAddresses"/>.</summary>
    public IReadOnlyCollection<uint> ReplySourceAddresses { get; init; } = [];

    /// <summary>The host's own addresses: IPv4 to them stays with the kernel even from a reply source (health-check replies).</summary>
    public IReadOnlyCollection<uint> HostAddresses { get; init; } = [];

    /// <summary>
    /// Whether the XDP program drops frames for owned addresses whose VLAN tag the driver took out of the
    /// frame (receive VLAN offload), which needs a program bound to the interface and the kernel's XDP
    /// metadata kfunc (see <see cref="AfXdpDevice.VlanMetadataUnavailable"/>). Default true; false loads the
    /// unbound program, which treats such frames as untagged (the control in tests and benchmarks).
    /// </summary>
    public bool DropStrippedVlanTags { get; init; } = true;

    /// <summary>
    /// The director's VLAN (1–4094), or 0 for none. A tag for it that the driver took out of the frame is
    /// put back by the device-bound program (the data path reads tags in the frame); tags for other VLANs
    /// are dropped as with <see cref="DropStrippedVlanTags"/>.
    /// </summary>
    public ushort Vlan { get; init; }

    /// <summary>The IPv6 address sets redirected from the start; more can be set later with <see cref="AfXdpDevice.SetAddresses6"/>.</summary>
    public XdpIpv6Addresses Addresses6 { get; init; } = XdpIpv6Addresses.None;
}
