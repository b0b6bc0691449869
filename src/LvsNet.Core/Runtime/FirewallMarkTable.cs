using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Core.Runtime;

/// <summary>
/// The IPv4 side of the <c>firewall_marks</c> rules (their <see cref="FirewallMarkRule.Destinations"/>)
/// compiled for the data path: flat arrays walked in file order, the first matching rule giving the
/// mark (what the kernel's mangle table would have set on the skb before IPVS looked at it). Built
/// once per snapshot; classifying allocates nothing.
/// </summary>
public sealed class FirewallMarkTable
{
    /// <summary>The most addresses one destination prefix may stand for (a /24): every one becomes a VIP.</summary>
    public const int MaxPrefixAddresses = 256;

    private readonly MarkRules<uint> _rules;

    private FirewallMarkTable(MarkRules<uint> rules) => _rules = rules;

    /// <summary>
    /// Compiles the rules whose mark has a service in <paramref name="serviceMarks"/> (a rule for a
    /// mark no service takes marks nothing that matters, as in the kernel), or returns null when none has.
    /// A rule with IPv6 destinations only marks nothing for IPv4 (see <see cref="Ipv6FirewallMarkTable"/>).
    /// </summary>
    public static FirewallMarkTable? Build(ImmutableArray<FirewallMarkRule> rules, IReadOnlySet<uint> serviceMarks) =>
        MarkRules<uint>.Build(rules, serviceMarks, rule => rule.Destinations.IsDefaultOrEmpty ? [] : [.. rule.Destinations.Select(d => (d.Address, d.Mask))]) is { } compiled
            ? new FirewallMarkTable(compiled)
            : null;

    /// <summary>Every destination address the compiled rules cover (prefixes expanded), for the VIP set.</summary>
    public IEnumerable<uint> Addresses() => _rules.Addresses();

    /// <summary>The mark of a packet, or 0 when no rule matches.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Classify(IpProtocol protocol, uint destination, ushort port) => _rules.Classify(protocol, destination, port);
}
