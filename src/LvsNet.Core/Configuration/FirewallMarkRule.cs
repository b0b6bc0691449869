using System.Collections.Immutable;
using LvsNet.Packets;

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

    /// <summary>The destination addresses or prefixes (at least one).</summary>
    public ImmutableArray<AddressPrefix> Destinations { get; init; } = [];

    /// <summary>The destination port ranges, or empty for every port.</summary>
    public ImmutableArray<PortRange> Ports { get; init; } = [];

    /// <summary>Value equality over the lists as well.</summary>
    public bool Equals(FirewallMarkRule? other) =>
        other is not null
        && Mark == other.Mark
        && Protocol == other.Protocol
        && Destinations.SequenceEqual(other.Destinations)
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
