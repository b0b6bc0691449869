using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.Runtime;

/// <summary>
/// The IPv6 side of the <c>firewall_marks</c> rules (their <see cref="FirewallMarkRule.Destinations6"/>)
/// compiled for the IPv6 data path: what an ip6tables mangle rule would have marked for an IPv6
/// firewall-mark service (ipvsadm <c>-f N -6</c>). Walked in file order, the first matching rule
/// giving the mark; built once per snapshot; classifying allocates nothing.
/// </summary>
public sealed class Ipv6FirewallMarkTable
{
    private readonly MarkRules<UInt128> _rules;

    private Ipv6FirewallMarkTable(MarkRules<UInt128> rules) => _rules = rules;

    /// <summary>
    /// Compiles the IPv6 destinations of the rules whose mark has an IPv6 service in
    /// <paramref name="serviceMarks"/>, or returns null when none has.
    /// </summary>
    public static Ipv6FirewallMarkTable? Build(ImmutableArray<FirewallMarkRule> rules, IReadOnlySet<uint> serviceMarks) =>
        MarkRules<UInt128>.Build(rules, serviceMarks, rule => rule.Destinations6.IsDefaultOrEmpty ? [] : [.. rule.Destinations6.Select(d => (d.Address.Value, Mask(d.PrefixLength)))]) is { } compiled
            ? new Ipv6FirewallMarkTable(compiled)
            : null;

    /// <summary>Every IPv6 destination address the compiled rules cover (prefixes expanded), for the VIP set.</summary>
    public IEnumerable<Ipv6Address> Addresses() => _rules.Addresses().Select(a => new Ipv6Address(a));

    /// <summary>The mark of an IPv6 packet, or 0 when no rule matches.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Classify(IpProtocol protocol, Ipv6Address destination, ushort port) => _rules.Classify(protocol, destination.Value, port);

    private static UInt128 Mask(int prefixLength) => prefixLength == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - prefixLength);
}
