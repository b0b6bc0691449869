using LvsNet.Cli.Import;
using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Testing.ControlFixtures;

namespace LvsNet.Cli.Tests.Import;

public class ConfigImporterTests
{
    [Fact]
    public void Import_IpvsadmSave_RebuildsTheRules()
    {
        var save =
            """
            -A -t 10.0.0.100:80 -s wlc -p 360 -M 255.255.255.0
            -a -t 10.0.0.100:80 -r 10.0.0.11:80 -g -w 1
            -a -t 10.0.0.100:80 -r 10.0.0.12:80 -g -w 3
            ipvsadm -A -u 10.0.0.100:53 -s rr -o   # with the program name and a comment
            -a -u 10.0.0.100:53 -r 10.0.0.11:53 -g -w 1
            -A -f 7 -s sh -b sh-fallback,sh-port
            -a -f 7 -r 192.168.10.3:0 -i -w 1 --tun-type ipip
            """;
        var result = ConfigImporter.Import(save, Director);
        Assert.Equal("ipvsadm", result.Format);
        Assert.Equal(3, result.Config.VirtualServices.Length);
        var web = result.Config.VirtualServices[0];
        Assert.Equal("wlc", web.Scheduler);
        Assert.Equal(TimeSpan.FromSeconds(360), web.PersistenceTimeout);
        Assert.Equal(Ip("255.255.255.0"), web.PersistenceNetmask);
        Assert.Equal([Ip("10.0.0.12"), Ip("10.0.0.11")], web.RealServers.Select(s => s.Address));
        Assert.True(result.Config.VirtualServices[1].OnePacketScheduling);

        // The fwmark service is rebuilt as saved (the tunnel server keeps port 0: ipvsadm forces no
        // port on fwmark services), but which packets carry mark 7 was never in the file: an error.
        var marked = result.Config.VirtualServices[2];
        Assert.Equal(7u, marked.FirewallMark);
        Assert.Equal((IpProtocol)0, marked.Protocol);
        Assert.Equal("sh", marked.Scheduler);
        Assert.Equal(["sh-fallback", "sh-port"], marked.SchedulerFlags.AsEnumerable());
        var tunnel = Assert.Single(marked.RealServers);
        Assert.Equal((Ip("192.168.10.3"), (ushort)0, ForwardingMethod.Tunnel), (tunnel.Address, tunnel.Port, tunnel.Method));
        var note = Assert.Single(result.Notes);
        Assert.Equal(ImportNoteKind.Error, note.Kind);
        Assert.False(result.Complete);
        Assert.Equal(6, note.Line);
        Assert.Contains("add a firewall_marks entry with mark 7", note.Message, StringComparison.Ordinal);
        Assert.Empty(result.ValidationErrors);

        var yaml = result.ToYaml("rules.save");
        Assert.Contains("# Imported by lvsnetadm import from rules.save (ipvsadm format).", yaml, StringComparison.Ordinal);
        Assert.Contains("#   line 6: error: fwmark 7 is imported, but which packets carry mark 7", yaml, StringComparison.Ordinal);
        Assert.Contains("  - fwmark: 7\n", yaml, StringComparison.Ordinal);
        Assert.Equal(result.Config.VirtualServices.AsEnumerable(), KeepalivedTestFiles.ParseIncomplete(yaml).Config.VirtualServices.AsEnumerable());
    }

    [Fact]
    public void Import_KeepalivedWithoutProtocolMethodOrScheduler_UsesKeepalivedsDefaults()
    {
        // keepalived.conf(5) and check_data.c: no protocol = UDP, no lvs_method = NAT, no lvs_sched = wlc, weight 1.
        var result = ConfigImporter.Import("virtual_server 10.0.0.100 53\n{\n  real_server 10.0.0.13 53 {\n  }\n}\n", Director);
        Assert.Equal("keepalived", result.Format);
        var dns = Assert.Single(result.Config.VirtualServices);
        Assert.Equal(IpProtocol.Udp, dns.Protocol);
        Assert.Equal("wlc", dns.Scheduler);
        var server = Assert.Single(dns.RealServers);
        Assert.Equal((ForwardingMethod.Nat, 1, (ushort)53), (server.Method, server.Weight, server.Port));
        Assert.Null(server.HealthCheck);
        Assert.Null(dns.HealthCheck);
        Assert.Null(dns.Quorum);
        Assert.True(result.Complete);
        Assert.Contains(result.Notes, n => n.Kind == ImportNoteKind.Adjusted && n.Line == 1 && n.Message.Contains("keepalived's default UDP", StringComparison.Ordinal));
        Assert.Contains(result.Notes, n => n.Kind == ImportNoteKind.Adjusted && n.Line == 1 && n.Message.Contains("keepalived's default NAT", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_KeepalivedVirtualServerWithoutRealServers_IsLeftOutAsKeepalivedDoes()
    {
        var result = ConfigImporter.Import("virtual_server 10.0.0.100 80 {\n  protocol TCP\n  sorry_server 10.0.0.250 80\n}\n", Director);
        Assert.Empty(result.Config.VirtualServices);
        Assert.Contains(result.Notes, n => n.Kind == ImportNoteKind.Adjusted && n.Message.Contains("no real server", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_KeepalivedQuorumAboveTheTotalWeight_IsLoweredAsKeepalivedDoes()
    {
        // check_data.c: quorum > sum of weights is lowered to the sum; hysteresis >= quorum becomes quorum - 1.
        const string text = "virtual_server 10.0.0.100 80 {\n protocol TCP\n lb_kind DR\n quorum 10\n hysteresis 7\n real_server 10.0.0.11 80 {\n  weight 2\n }\n real_server 10.0.0.12 80 {\n  weight 3\n }\n}\n";
        var quorum = Assert.Single(ConfigImporter.Import(text, Director).Config.VirtualServices).Quorum!;
        Assert.Equal((5, 4), (quorum.Quorum, quorum.Hysteresis));
    }

    [Fact]
    public void Import_KeepalivedOpsOnTcp_IsResetAsKeepalivedDoes()
    {
        var result = ConfigImporter.Import("virtual_server 10.0.0.100 80 {\n protocol TCP\n ops\n real_server 10.0.0.11 80 {\n }\n}\n", Director);
        Assert.False(Assert.Single(result.Config.VirtualServices).OnePacketScheduling);
        Assert.True(result.Complete);
    }

    [Fact]
    public void Import_KeepalivedLvsMethodAfterTheRealServers_StillAppliesToThem()
    {
        // alloc_rs copies the method set so far; an unset one is filled from the virtual server's at the end.
        var result = ConfigImporter.Import("virtual_server 10.0.0.100 80 {\n protocol TCP\n real_server 10.0.0.11 8080 {\n }\n lb_kind DR\n}\n", Director);
        var server = Assert.Single(Assert.Single(result.Config.VirtualServices).RealServers);
        Assert.Equal((ForwardingMethod.DirectRouting, (ushort)80), (server.Method, server.Port));
        Assert.Contains(result.Notes, n => n.Kind == ImportNoteKind.Adjusted && n.Message.Contains("dr cannot change the port", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_KeepalivedPortZero_ForcesPersistence()
    {
        var result = ConfigImporter.Import("virtual_server 10.0.0.100 0 {\n protocol TCP\n lb_kind DR\n real_server 10.0.0.11 0 {\n }\n}\n", Director);
        var service = Assert.Single(result.Config.VirtualServices);
        Assert.Equal(TimeSpan.FromSeconds(360), service.PersistenceTimeout);
        Assert.Contains(result.Notes, n => n.Mapped && n.Message.Contains("port 0 needs persistence", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_ResultYaml_StartsWithTheReport()
    {
        var result = ConfigImporter.Import("virtual_server fwmark 7 {\n real_server 10.0.0.11 80 {\n }\n}\nvirtual_server 10.0.0.100 80 {\n protocol TCP\n lb_kind DR\n real_server 10.0.0.11 80 {\n }\n}\n", Director);
        var yaml = result.ToYaml("keepalived.conf");
        Assert.StartsWith("# Imported by lvsnetadm import from keepalived.conf (keepalived format).\n# INCOMPLETE: 1 item(s) could not be mapped", yaml, StringComparison.Ordinal);
        Assert.Contains("#   line 1: error: fwmark 7 is imported, but which packets carry mark 7 was decided by iptables/nftables mangle rules outside this file", yaml, StringComparison.Ordinal);
        Assert.Equal(2, KeepalivedTestFiles.ParseIncomplete(yaml).Config.VirtualServices.Length);
    }
}
