using System.Collections.Immutable;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.Configuration;

/// <summary>
/// One rule of the YAML <c>firewall_marks</c> list: the packets it matches carry
/// <see cref="Mark"/>, as an <c>iptables -t mangle ... -j MARK --set-mark</c> rule would have
/// marked them for IPVS. A userspace director never sees the kernel's skb mark, so the rules live
/// in the configuration; a <c>fwmark</c> service then takes every new flow whose mark is its own.
/// </summary>
public sealed record FirewallMarkRule
{
    /// <summary>The mark given to matching packets (1..4294967295, as ipvsadm's <c>-f</c>).</summary>
    public required uint Mark { get; init; }

    /// <summary>The protocol the rule matches, or null for both TCP and UDP.</summary>
    public IpProtocol? Protocol { get; init; }

    /// <summary>The IPv4 destination addresses or prefixes (with <see cref="Destinations6"/>, at least one).</summary>
    public ImmutableArray<AddressPrefix> Destinations { get; init; } = [];

    /// <summary>
    /// The IPv6 destination addresses or prefixes: the rule marks IPv6 packets to them, for an IPv6
    /// firewall-mark service (<c>family: inet6</c>, ipvsadm <c>-f N -6</c>), as an ip6tables mangle rule would.
    /// </summary>
    public ImmutableArray<Ipv6Prefix> Destinations6 { get; init; } = [];

    /// <summary>Where each of <see cref="Destinations"/> stood in the YAML list, for error paths; empty when built in code.</summary>
    internal ImmutableArray<int> DestinationPositions { get; init; } = [];

    /// <summary>Where each of <see cref="Destinations6"/> stood in the YAML list, for error paths; empty when built in code.</summary>
    internal ImmutableArray<int> Destination6Positions { get; init; } = [];

    /// <summary>The destination port ranges, or empty for every port.</summary>
    public ImmutableArray<PortRange> Ports { get; init; } = [];

    /// <summary>Value equality over the lists as well.</summary>
    public bool Equals(FirewallMarkRule? other) =>
        other is not null
        && Mark == other.Mark
        && Protocol == other.Protocol
        && Destinations.SequenceEqual(other.Destinations)
        && Destinations6.SequenceEqual(other.Destinations6)
        && Ports.SequenceEqual(other.Ports);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Mark, Protocol, Destinations.Length, Ports.Length);
}

/// <summary>An IPv4 address with a prefix length (a single address is a /32).</summary>
/// <param name="Address">The network address, host order (the bits beyond the prefix are zero).</param>
/// <param name="PrefixLength">0..32.</param>
public readonly record struct AddressPrefix(uint Address, int PrefixLength)
{
    /// <summary>The mask of <see cref="PrefixLength"/>, host order.</summary>
    public uint Mask => Ipv4Address.PrefixToMask(PrefixLength);

    /// <summary>True when <paramref name="address"/> is inside the prefix.</summary>
    public bool Contains(uint address) => (address & Mask) == Address;

    /// <summary>"10.0.0.100" for a /32, "10.0.1.0/24" otherwise.</summary>
    public override string ToString() => PrefixLength == 32 ? Ipv4Address.Format(Address) : $"{Ipv4Address.Format(Address)}/{PrefixLength}";
}

/// <summary>An IPv6 address with a prefix length (a single address is a /128).</summary>
/// <param name="Address">The network address (the bits beyond the prefix are zero).</param>
/// <param name="PrefixLength">0..128.</param>
public readonly record struct Ipv6Prefix(Ipv6Address Address, int PrefixLength)
{
    /// <summary>True when <paramref name="address"/> is inside the prefix.</summary>
    public bool Contains(Ipv6Address address) => address.Mask(PrefixLength) == Address;

    /// <summary>"2001:db8::100" for a /128, "2001:db8::100/124" otherwise.</summary>
    public override string ToString() => PrefixLength == 128 ? Address.ToString() : $"{Address}/{PrefixLength}";
}

/// <summary>An inclusive range of ports.</summary>
/// <param name="First">The first port.</param>
/// <param name="Last">The last port (equal to <paramref name="First"/> for one port).</param>
public readonly record struct PortRange(ushort First, ushort Last)
{
    /// <summary>True when <paramref name="port"/> is inside the range.</summary>
    public bool Contains(ushort port) => (uint)(port - First) <= (uint)(Last - First);

    /// <summary>"80" or "8000-8080".</summary>
    public override string ToString() => First == Last ? First.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{First}-{Last}";
}
