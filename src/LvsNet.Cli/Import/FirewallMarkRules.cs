namespace LvsNet.Cli.Import;

/// <summary>What the importers say about a firewall-mark service, whose packets neither file format describes.</summary>
internal static class FirewallMarkRules
{
    /// <summary>
    /// The error for a fwmark service: the kernel took its mark from iptables (or nftables) rules
    /// outside the imported file, so the import cannot know which packets the mark covers; the
    /// operator writes (and thereby confirms) the firewall_marks rule.
    /// </summary>
    public static string MissingRule(uint mark, string title) =>
        $"{title}: fwmark {mark} is imported, but which packets carry mark {mark} was decided by iptables/nftables mangle rules outside this file; "
        + $"add a firewall_marks entry with mark {mark} and the destinations, protocol and ports those rules matched (docs/configuration.md), or the service receives nothing";
}
