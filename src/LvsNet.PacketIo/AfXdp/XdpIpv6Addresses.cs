namespace LvsNet.PacketIo.AfXdp;

/// <summary>
/// The IPv6 address sets the XDP program redirects by, each address as a big-endian <see cref="UInt128"/>
/// (first address byte in the most significant byte, as <c>BinaryPrimitives.ReadUInt128BigEndian</c> over
/// the header gives it).
/// </summary>
public sealed record XdpIpv6Addresses
{
    /// <summary>No IPv6 address: every IPv6 frame stays with the kernel.</summary>
    public static XdpIpv6Addresses None { get; } = new();

    /// <summary>Owned addresses (IPv6 VIPs): IPv6 to them and neighbour solicitations for them go to the socket.</summary>
    public IReadOnlyCollection<UInt128> Owned { get; init; } = [];

    /// <summary>Reply sources (IPv6 NAT real servers): IPv6 from them goes to the socket unless sent to a host address, a multicast or a link-local address.</summary>
    public IReadOnlyCollection<UInt128> ReplySources { get; init; } = [];

    /// <summary>The host's own IPv6 addresses: IPv6 to them stays with the kernel even from a reply source.</summary>
    public IReadOnlyCollection<UInt128> HostAddresses { get; init; } = [];

}
