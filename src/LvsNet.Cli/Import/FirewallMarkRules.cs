using System.Collections.Immutable;
using LvsNet.Core.Configuration;

namespace LvsNet.Cli.Import;

/// <summary>
/// The firewall_marks of an import. Neither ipvsadm-save nor keepalived.conf says which packets carry
/// a mark: the kernel took it from iptables/nftables mangle rules. With the operator's
/// <c>iptables-save</c> output (<see cref="IptablesMarkReader"/>) the rules of the imported marks are
/// carried over; a fwmark service still without a rule is an error on its line.
/// </summary>
internal static class FirewallMarkRules
{
    /// <summary>Adds the rules of <paramref name="marks"/> for the imported fwmark services, and an error for each service left without one.</summary>
    public static LvsConfig Apply(LvsConfig config, string? marks, ImportNotes notes)
    {
        var rules = ImmutableArray<FirewallMarkRule>.Empty;
        if (marks is not null)
        {
            var read = IptablesMarkReader.Read(marks, notes);
            var builder = ImmutableArray.CreateBuilder<FirewallMarkRule>();
            foreach (var (rule, line) in read)
            {
                if (notes.FirewallMarkLines.ContainsKey(rule.Mark))
                {
                    builder.Add(rule);
                }
                else
                {
                    notes.Adjusted(null, $"iptables rules line {line}: mark {rule.Mark} has no imported fwmark service; the rule is left out");
                }
            }

            rules = builder.ToImmutable();
        }

        foreach (var (mark, line) in notes.FirewallMarkLines.OrderBy(p => p.Value))
        {
            if (rules.Any(r => r.Mark == mark))
            {
                notes.Adjusted(line, $"fwmark {mark}: its packets are chosen by the firewall_marks rules read from the iptables rules; check them");
            }
            else
            {
                notes.Error(line, MissingRule(mark));
            }
        }

        return rules.IsEmpty ? config : config with { FirewallMarks = rules };
    }

    /// <summary>
    /// The error for a fwmark service without a rule: the kernel took its mark from iptables (or
    /// nftables) rules outside the imported file, so the import cannot know which packets the mark
    /// covers; the operator writes (and thereby confirms) the firewall_marks rule.
    /// </summary>
    public static string MissingRule(uint mark) =>
        $"fwmark {mark} is imported, but which packets carry mark {mark} was decided by iptables/nftables mangle rules outside this file; "
        + $"add a firewall_marks entry with mark {mark} and the destinations, protocol and ports those rules matched (docs/configuration.md), "
        + "or import again with --marks and the output of iptables-save; until then the service receives nothing";
}
