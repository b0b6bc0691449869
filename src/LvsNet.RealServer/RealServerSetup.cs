using LvsNet.Packets;

namespace LvsNet.RealServer;

/// <summary>The host changes each forwarding method needs on a real server.</summary>
internal static class RealServerSetup
{
    private const string NftTable = "lvsnet_rs";

    // The IPv6 VIPs UserspaceTunnelUp added to lo (not there before it), for UserspaceTunnelDown.
    private static List<Packets.Ipv6.Ipv6Address> s_added6 = [];

    private static readonly (string Name, string Value)[] DirectRoutingSysctls =
    [
        ("net.ipv4.conf.all.arp_ignore", "1"),
        ("net.ipv4.conf.all.arp_announce", "2"),
        ("net.ipv4.conf.default.arp_ignore", "1"),
        ("net.ipv4.conf.default.arp_announce", "2"),
    ];

    /// <summary>
    /// DR: VIP/32 on lo; do not answer ARP for it (arp_ignore=1) and never use it as an ARP source
    /// (arp_announce=2). What it changes is recorded first (<see cref="DirectRoutingState"/>) so that
    /// <see cref="DirectRoutingDown"/> can restore it.
    /// </summary>
    public static bool DirectRoutingUp(IEnumerable<uint> vips)
    {
        var list = vips.ToList();
        var state = DirectRoutingState.Load();
        foreach (var vip in list)
        {
            if (!DirectRoutingState.OnLoopback(vip))
            {
                state.AddedVips.Add(vip);
            }
        }

        foreach (var (name, _) in DirectRoutingSysctls)
        {
            state.RecordOriginal(name);
        }

        state.Save();
        var ok = AddVipsToLoopback(list);
        foreach (var (name, value) in DirectRoutingSysctls)
        {
            ok &= HostCommands.Sysctl(name, value);
        }

        return ok;
    }

    /// <summary>
    /// Removes the VIPs from lo; once no VIP that <c>dr up</c> added is left, puts the ARP sysctls
    /// back to the values they had before the first <c>dr up</c>.
    /// </summary>
    public static bool DirectRoutingDown(IEnumerable<uint> vips)
    {
        var ok = true;
        var state = DirectRoutingState.Load();
        foreach (var vip in vips)
        {
            ok &= HostCommands.Step($"remove {Ipv4Address.Format(vip)}/32 from lo", "Cannot assign requested address", "ip", "addr", "del", $"{Ipv4Address.Format(vip)}/32", "dev", "lo");
            state.AddedVips.Remove(vip);
        }

        if (state.AddedVips.Count == 0)
        {
            // A device's own sysctls are gone with the device (the tunnel's, after run ends).
            foreach (var (name, original) in state.OriginalSysctls.Where(p => DirectRoutingState.ReadSysctl(p.Key) is not null))
            {
                ok &= HostCommands.Sysctl(name, original);
            }

            state.OriginalSysctls.Clear();
        }
        else
        {
            HostCommands.Say($"ARP sysctls kept: {string.Join(", ", state.AddedVips.Select(Ipv4Address.Format))} still on lo");
        }

        state.Save();
        return ok;
    }

    /// <summary>
    /// IPv6 DR: VIP/128 on lo. Nothing like arp_ignore is needed: Linux answers a neighbour
    /// solicitation only for an address on the interface it arrived on, so a VIP on lo is never
    /// advertised, yet packets to it are accepted on any interface.
    /// </summary>
    public static bool DirectRoutingUp6(IEnumerable<Packets.Ipv6.Ipv6Address> vips)
    {
        var ok = true;
        foreach (var vip in vips)
        {
            ok &= HostCommands.Step($"add {vip}/128 to lo", "already", "ip", "-6", "addr", "add", $"{vip}/128", "dev", "lo");
        }

        return ok;
    }

    /// <summary>Removes IPv6 VIPs from lo (no sysctl to restore).</summary>
    public static bool DirectRoutingDown6(IEnumerable<Packets.Ipv6.Ipv6Address> vips)
    {
        var ok = true;
        foreach (var vip in vips)
        {
            ok &= HostCommands.Step($"remove {vip}/128 from lo", "Cannot assign requested address", "ip", "-6", "addr", "del", $"{vip}/128", "dev", "lo");
        }

        return ok;
    }

    /// <summary>NAT: the real server's replies must go back through the director.</summary>
    public static bool NatCheck(uint director)
    {
        var (code, output) = HostCommands.Run("ip", "-4", "route", "show", "default");
        var expected = Ipv4Address.Format(director);
        if (code == 0 && output.Split('\n').Any(l => ViaOf(l) == expected))
        {
            Console.WriteLine($"ok: default route via the director {expected}");
            return true;
        }

        Console.Error.WriteLine($"lvsnet-rs: the default route is not via the director {expected} (found: '{output}'); NAT replies would bypass it. Fix: ip route replace default via {expected}");
        return false;
    }

    private static string? ViaOf(string route)
    {
        var words = route.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var i = Array.IndexOf(words, "via");
        return i >= 0 && i + 1 < words.Length ? words[i + 1] : null;
    }

    /// <summary>True when the kernel's ipip module is loaded (its fallback device tunl0 exists).</summary>
    public static bool KernelIpipAvailable() => Directory.Exists("/sys/class/net/tunl0");

    /// <summary>TUN with the kernel's ipip: VIPs on tunl0, which decapsulates.</summary>
    public static bool KernelTunnelUp(IEnumerable<uint> vips)
    {
        var ok = HostCommands.Step("tunl0 up", null, "ip", "link", "set", "tunl0", "up");
        foreach (var vip in vips)
        {
            ok &= HostCommands.Step($"add {Ipv4Address.Format(vip)}/32 to tunl0", "already", "ip", "addr", "add", $"{Ipv4Address.Format(vip)}/32", "dev", "tunl0");
        }

        ok &= RelaxReversePath("tunl0");
        ok &= DirectRoutingUp([]);
        Console.WriteLine("using the kernel's ipip device tunl0");
        return ok;
    }

    /// <summary>
    /// TUN without the ipip, sit or ip6_tunnel modules: VIPs on lo (IPv4 ones with the ARP sysctls of
    /// DR, IPv6 ones as /128), relaxed IPv4 reverse-path filtering, and an nftables table dropping the
    /// outer tunnel packets (IPv4 protocol 4 or 41, IPv6 next header 4 or 41) in the kernel's input
    /// path, else it answers them with ICMP protocol unreachable or ICMPv6 parameter problem; the
    /// decapsulator sees them first, on the capture tap.
    /// </summary>
    public static bool UserspaceTunnelUp(IReadOnlyCollection<uint> vips, IReadOnlyCollection<Packets.Ipv6.Ipv6Address> vips6)
    {
        var ok = vips.Count == 0 || DirectRoutingUp(vips);
        var (_, onLoopback) = HostCommands.Run("ip", "-6", "addr", "show", "dev", "lo");
        s_added6 = [.. vips6.Where(v => !onLoopback.Contains($" {v}/128", StringComparison.Ordinal))];
        ok &= DirectRoutingUp6(vips6);
        ok &= RelaxReversePath("lo");

        // nftables 1.0.6 wants newlines before closing braces. One inet table covers both families.
        var rules = $"table inet {NftTable} {{\n  chain input {{\n    type filter hook input priority -150; policy accept;\n    ip protocol {{ 4, 41 }} drop\n    ip6 nexthdr {{ 4, 41 }} drop\n  }}\n}}\n";
        HostCommands.Run("nft", "delete", "table", "inet", NftTable);
        var (code, output) = HostCommands.RunWithInput("nft", rules, "-f", "-");
        if (code != 0)
        {
            Console.Error.WriteLine($"lvsnet-rs: nft rule dropping tunnel packets in the input path failed: {output}");
            return false;
        }

        HostCommands.Say("ok: nftables drops IPv4 protocol 4/41 and IPv6 next header 4/41 in the kernel's input path");
        return ok;
    }

    /// <summary>
    /// Undoes <see cref="UserspaceTunnelUp"/>: removes its nftables table and the VIPs it added, and
    /// puts back the sysctls it changed.
    /// </summary>
    public static void UserspaceTunnelDown(IEnumerable<uint> vips, IEnumerable<Packets.Ipv6.Ipv6Address> vips6)
    {
        HostCommands.Run("nft", "delete", "table", "inet", NftTable);
        DirectRoutingDown(vips.Where(v => DirectRoutingState.Load().AddedVips.Contains(v)).ToList());
        // Only the IPv6 VIPs this run put on lo: one that was there before stays.
        DirectRoutingDown6(vips6.Where(s_added6.Contains).ToList());
    }

    private static bool AddVipsToLoopback(IEnumerable<uint> vips)
    {
        var ok = true;
        foreach (var vip in vips)
        {
            ok &= HostCommands.Step($"add {Ipv4Address.Format(vip)}/32 to lo", "already", "ip", "addr", "add", $"{Ipv4Address.Format(vip)}/32", "dev", "lo");
        }

        return ok;
    }

    /// <summary>rp_filter=0 on all and <paramref name="device"/>, the former values recorded for <c>down</c>.</summary>
    public static bool RelaxReversePath(string device)
    {
        var names = new[] { "net.ipv4.conf.all.rp_filter", $"net.ipv4.conf.{device}.rp_filter" };
        var state = DirectRoutingState.Load();
        foreach (var name in names)
        {
            state.RecordOriginal(name);
        }

        state.Save();
        return names.Aggregate(true, (ok, name) => ok & HostCommands.Sysctl(name, "0"));
    }
}
