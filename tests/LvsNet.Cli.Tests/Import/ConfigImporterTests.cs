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
        Assert.Equal(2, result.Config.VirtualServices.Length);
        var web = result.Config.VirtualServices[0];
        Assert.Equal("wlc", web.Scheduler);
        Assert.Equal(TimeSpan.FromSeconds(360), web.PersistenceTimeout);
        Assert.Equal(Ip("255.255.255.0"), web.PersistenceNetmask);
        Assert.Equal([Ip("10.0.0.12"), Ip("10.0.0.11")], web.RealServers.Select(s => s.Address));
        Assert.True(result.Config.VirtualServices[1].OnePacketScheduling);
        Assert.Equal(2, result.Notes.Count);
        Assert.All(result.Notes, n => Assert.False(n.Mapped));
        Assert.Equal(6, result.Notes[0].Line);
        Assert.Contains("fwmark", result.Notes[0].Message, StringComparison.Ordinal);
        Assert.Equal(7, result.Notes[1].Line);
        Assert.Empty(result.ValidationErrors);

        var yaml = result.ToYaml("rules.save");
        Assert.Contains("# Imported by lvsnetadm import from rules.save (ipvsadm format).", yaml, StringComparison.Ordinal);
        Assert.Contains("#   line 6: not mapped: -A -f 7", yaml, StringComparison.Ordinal);
        Assert.Equal(2, LvsConfigReader.Parse(yaml).VirtualServices.Length);
    }

    private const string Keepalived =
        """
        ! Configuration File for keepalived
        global_defs {
           router_id LVS_DEVEL
           lvs_timeouts tcp 7200 udp 60
           lvs_sync_daemon eth0 VI_1
        }

        vrrp_instance VI_1 {
            state MASTER
            interface eth0
            virtual_router_id 51
            virtual_ipaddress {
                10.0.0.100
            }
        }

        virtual_server 10.0.0.100 80 {
            delay_loop 6
            lb_algo rr
            lb_kind DR
            persistence_timeout
            protocol TCP

            sorry_server 10.0.0.250 80

            real_server 10.0.0.11 80 {
                weight 3
                TCP_CHECK {
                    connect_timeout 3
                }
            }
            real_server 10.0.0.12 8080 {
                weight 1
                uthreshold 200
                HTTP_GET {
                    url { path /health
                          status_code 200 }
                }
            }
        }

        virtual_server 10.0.0.100 53
        {
            lvs_sched sh
            sh-port
            ops
            real_server 10.0.0.13 53 {
            }
        }

        virtual_server fwmark 7 {
            lvs_sched wlc
        }
        """;

    [Fact]
    public void Import_Keepalived_MapsVirtualServersWithKeepalivedsDefaults()
    {
        var result = ConfigImporter.Import(Keepalived, Director);
        Assert.Equal("keepalived", result.Format);
        Assert.Equal(2, result.Config.VirtualServices.Length);

        var web = result.Config.VirtualServices[0];
        Assert.Equal(IpProtocol.Tcp, web.Protocol);
        Assert.Equal("rr", web.Scheduler);
        Assert.Equal(TimeSpan.FromSeconds(360), web.PersistenceTimeout);
        Assert.Equal([Ip("10.0.0.12"), Ip("10.0.0.11")], web.RealServers.Select(s => s.Address));
        Assert.All(web.RealServers, s => Assert.Equal(ForwardingMethod.DirectRouting, s.Method));
        Assert.All(web.RealServers, s => Assert.Equal(80, s.Port));
        Assert.Equal(200, web.RealServers[0].UpperThreshold);
        Assert.Equal(3, web.RealServers[1].Weight);

        // No protocol and no method: keepalived's UDP and NAT, wlc unless given.
        var dns = result.Config.VirtualServices[1];
        Assert.Equal(IpProtocol.Udp, dns.Protocol);
        Assert.Equal("sh", dns.Scheduler);
        Assert.Equal(["sh-port"], dns.SchedulerFlags.AsEnumerable());
        Assert.True(dns.OnePacketScheduling);
        Assert.Equal(ForwardingMethod.Nat, Assert.Single(dns.RealServers).Method);

        var notes = string.Join("\n", result.Notes);
        Assert.Contains("line 5: not mapped: global_defs lvs_sync_daemon eth0 VI_1", notes, StringComparison.Ordinal);
        Assert.Contains("line 8: not mapped: vrrp_instance VI_1", notes, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromHours(2), result.Config.Connections.TcpTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), result.Config.Connections.UdpTimeout);
        Assert.Contains("sorry_server 10.0.0.250 80", notes, StringComparison.Ordinal);
        Assert.Contains("health-check settings delay_loop", notes, StringComparison.Ordinal);
        Assert.Contains("real_server 10.0.0.11 80: checkers TCP_CHECK", notes, StringComparison.Ordinal);
        Assert.Contains("real_server 10.0.0.12 8080: checkers HTTP_GET", notes, StringComparison.Ordinal);
        Assert.Contains("dr cannot change the port; the virtual port 80 is used", notes, StringComparison.Ordinal);
        Assert.Contains("virtual_server 10.0.0.100 53: no protocol given; keepalived's default UDP is used", notes, StringComparison.Ordinal);
        Assert.Contains("virtual_server fwmark 7: fwmark services are not supported yet", notes, StringComparison.Ordinal);
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
    public void Import_ResultYaml_ReadsBack()
    {
        var result = ConfigImporter.Import(Keepalived, Director);
        var yaml = result.ToYaml("keepalived.conf");
        var read = LvsConfigReader.Parse(yaml, "imported.yaml");
        Assert.Equal(result.Config.VirtualServices.Length, read.VirtualServices.Length);
        Assert.StartsWith("# Imported by lvsnetadm import from keepalived.conf (keepalived format).\n# Review these before use:\n", yaml, StringComparison.Ordinal);
    }
}
