using System.Collections.Immutable;
using System.Numerics;
using System.Runtime.CompilerServices;
using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Core.Runtime;

/// <summary>
/// The <c>firewall_marks</c> rules of one address family compiled for the data path: flat arrays
/// walked in file order, the first matching rule giving the mark (what the kernel's mangle table
/// would have set on the skb before IPVS looked at it). <typeparamref name="TAddress"/> is the
/// family's address as an integer (<see cref="uint"/> or <see cref="UInt128"/>); classifying
/// allocates nothing.
/// </summary>
internal sealed class MarkRules<TAddress>
    where TAddress : unmanaged, IBinaryInteger<TAddress>
{
    private readonly Rule[] _rules;
    private readonly TAddress[] _networks;
    private readonly TAddress[] _masks;
    private readonly PortRange[] _ports;

    private MarkRules(Rule[] rules, TAddress[] networks, TAddress[] masks, PortRange[] ports)
    {
        _rules = rules;
        _networks = networks;
        _masks = masks;
        _ports = ports;
    }

    /// <summary>
    /// Compiles the rules whose mark has a service of this family in <paramref name="serviceMarks"/> (a
    /// rule for a mark no service takes marks nothing that matters, as in the kernel) and that have
    /// destinations of this family (<paramref name="destinations"/>: network and mask of each), or
    /// returns null when none has.
    /// </summary>
    public static MarkRules<TAddress>? Build(ImmutableArray<FirewallMarkRule> rules, IReadOnlySet<uint> serviceMarks, Func<FirewallMarkRule, ImmutableArray<(TAddress Network, TAddress Mask)>> destinations)
    {
        ArgumentNullException.ThrowIfNull(serviceMarks);
        ArgumentNullException.ThrowIfNull(destinations);
        var compiled = new List<Rule>();
        var networks = new List<TAddress>();
        var masks = new List<TAddress>();
        var ports = new List<PortRange>();
        foreach (var rule in rules)
        {
            var own = serviceMarks.Contains(rule.Mark) ? destinations(rule) : [];
            if (own.IsDefaultOrEmpty)
            {
                continue;
            }

            compiled.Add(new Rule(rule.Mark, (byte)(rule.Protocol ?? 0), networks.Count, own.Length, ports.Count, rule.Ports.Length));
            foreach (var (network, mask) in own)
            {
                networks.Add(network & mask);
                masks.Add(mask);
            }

            ports.AddRange(rule.Ports);
        }

        return compiled.Count == 0 ? null : new MarkRules<TAddress>([.. compiled], [.. networks], [.. masks], [.. ports]);
    }

    /// <summary>Every destination address the compiled rules cover (prefixes expanded; at most a /24 or a /120 each), for the VIP set.</summary>
    public IEnumerable<TAddress> Addresses()
    {
        for (var i = 0; i < _networks.Length; i++)
        {
            var count = ~_masks[i] + TAddress.One;
            for (var k = TAddress.Zero; k < count; k++)
            {
                yield return _networks[i] + k;
            }
        }
    }

    /// <summary>The mark of a packet, or 0 when no rule matches.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Classify(IpProtocol protocol, TAddress destination, ushort port)
    {
        var rules = _rules;
        for (var i = 0; i < rules.Length; i++)
        {
            ref readonly var rule = ref rules[i];
            if ((rule.Protocol == 0 || rule.Protocol == (byte)protocol) && MatchesDestination(in rule, destination) && MatchesPort(in rule, port))
            {
                return rule.Mark;
            }
        }

        return 0;
    }

    private bool MatchesDestination(in Rule rule, TAddress destination)
    {
        var end = rule.FirstDestination + rule.DestinationCount;
        for (var i = rule.FirstDestination; i < end; i++)
        {
            if ((destination & _masks[i]) == _networks[i])
            {
                return true;
            }
        }

        return false;
    }

    private bool MatchesPort(in Rule rule, ushort port)
    {
        if (rule.PortCount == 0)
        {
            return true;
        }

        var end = rule.FirstPort + rule.PortCount;
        for (var i = rule.FirstPort; i < end; i++)
        {
            if (_ports[i].Contains(port))
            {
                return true;
            }
        }

        return false;
    }

    private readonly record struct Rule(uint Mark, byte Protocol, int FirstDestination, int DestinationCount, int FirstPort, int PortCount);
}
