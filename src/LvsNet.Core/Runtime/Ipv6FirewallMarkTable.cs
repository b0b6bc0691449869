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
    private readonly Rule[] _rules;
    private readonly UInt128[] _networks;
    private readonly UInt128[] _masks;
    private readonly PortRange[] _ports;

    private Ipv6FirewallMarkTable(Rule[] rules, UInt128[] networks, UInt128[] masks, PortRange[] ports)
    {
        _rules = rules;
        _networks = networks;
        _masks = masks;
        _ports = ports;
    }

    /// <summary>
    /// Compiles the IPv6 destinations of the rules whose mark has an IPv6 service in
    /// <paramref name="serviceMarks"/>, or returns null when none has.
    /// </summary>
    public static Ipv6FirewallMarkTable? Build(ImmutableArray<FirewallMarkRule> rules, IReadOnlySet<uint> serviceMarks)
    {
        ArgumentNullException.ThrowIfNull(serviceMarks);
        var compiled = new List<Rule>();
        var networks = new List<UInt128>();
        var masks = new List<UInt128>();
        var ports = new List<PortRange>();
        foreach (var rule in rules)
        {
            if (!serviceMarks.Contains(rule.Mark) || rule.Destinations6.IsDefaultOrEmpty)
            {
                continue;
            }

            compiled.Add(new Rule(rule.Mark, (byte)(rule.Protocol ?? 0), networks.Count, rule.Destinations6.Length, ports.Count, rule.Ports.Length));
            foreach (var destination in rule.Destinations6)
            {
                var mask = destination.PrefixLength == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - destination.PrefixLength);
                networks.Add(destination.Address.Value & mask);
                masks.Add(mask);
            }

            ports.AddRange(rule.Ports);
        }

        return compiled.Count == 0 ? null : new Ipv6FirewallMarkTable([.. compiled], [.. networks], [.. masks], [.. ports]);
    }

    /// <summary>Every IPv6 destination address the compiled rules cover (prefixes expanded), for the VIP set.</summary>
    public IEnumerable<Ipv6Address> Addresses()
    {
        for (var i = 0; i < _networks.Length; i++)
        {
            var count = ~_masks[i] + 1;
            for (var k = UInt128.Zero; k < count; k++)
            {
                yield return new Ipv6Address(_networks[i] + k);
            }
        }
    }

    /// <summary>The mark of an IPv6 packet, or 0 when no rule matches.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Classify(IpProtocol protocol, Ipv6Address destination, ushort port)
    {
        var rules = _rules;
        for (var i = 0; i < rules.Length; i++)
        {
            ref readonly var rule = ref rules[i];
            if ((rule.Protocol == 0 || rule.Protocol == (byte)protocol) && MatchesDestination(in rule, destination.Value) && MatchesPort(in rule, port))
            {
                return rule.Mark;
            }
        }

        return 0;
    }

    private bool MatchesDestination(in Rule rule, UInt128 destination)
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
