using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Core.Runtime;

/// <summary>
/// The <c>firewall_marks</c> rules compiled for the data path: flat arrays walked in file order,
/// the first matching rule giving the mark (what the kernel's mangle table would have set on the
/// skb before IPVS looked at it). Built once per snapshot; classifying allocates nothing.
/// </summary>
public sealed class FirewallMarkTable
{
    /// <summary>The most addresses one destination prefix may stand for (a /24): every one becomes a VIP.</summary>
    public const int MaxPrefixAddresses = 256;

    private readonly Rule[] _rules;
    private readonly uint[] _networks;
    private readonly uint[] _masks;
    private readonly PortRange[] _ports;

    private FirewallMarkTable(Rule[] rules, uint[] networks, uint[] masks, PortRange[] ports)
    {
        _rules = rules;
        _networks = networks;
        _masks = masks;
        _ports = ports;
    }

    /// <summary>
    /// Compiles the rules whose mark has a service in <paramref name="serviceMarks"/> (a rule for a
    /// mark no service takes marks nothing that matters, as in the kernel), or returns null when none has.
    /// </summary>
    public static FirewallMarkTable? Build(ImmutableArray<FirewallMarkRule> rules, IReadOnlySet<uint> serviceMarks)
    {
        ArgumentNullException.ThrowIfNull(serviceMarks);
        var compiled = new List<Rule>();
        var networks = new List<uint>();
        var masks = new List<uint>();
        var ports = new List<PortRange>();
        foreach (var rule in rules)
        {
            // A rule with IPv6 destinations only marks nothing for IPv4 (see Ipv6FirewallMarkTable).
            if (!serviceMarks.Contains(rule.Mark) || rule.Destinations.IsDefaultOrEmpty)
            {
                continue;
            }

            compiled.Add(new Rule(rule.Mark, (byte)(rule.Protocol ?? 0), networks.Count, rule.Destinations.Length, ports.Count, rule.Ports.Length));
            foreach (var destination in rule.Destinations)
            {
                networks.Add(destination.Address & destination.Mask);
                masks.Add(destination.Mask);
            }

            ports.AddRange(rule.Ports);
        }

        return compiled.Count == 0 ? null : new FirewallMarkTable([.. compiled], [.. networks], [.. masks], [.. ports]);
    }

    /// <summary>Every destination address the compiled rules cover (prefixes expanded), for the VIP set.</summary>
    public IEnumerable<uint> Addresses()
    {
        for (var i = 0; i < _networks.Length; i++)
        {
            var count = ~_masks[i] + 1UL;
            for (var k = 0UL; k < count; k++)
            {
                yield return (uint)(_networks[i] + k);
            }
        }
    }

    /// <summary>The mark of a packet, or 0 when no rule matches.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Classify(IpProtocol protocol, uint destination, ushort port)
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

    private bool MatchesDestination(in Rule rule, uint destination)
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
