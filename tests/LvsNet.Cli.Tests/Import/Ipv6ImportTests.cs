using LvsNet.Cli.Import;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using Xunit;
using static LvsNet.Testing.ControlFixtures;

namespace LvsNet.Cli.Tests.Import;

/// <summary>IPv6 services from keepalived.conf and ipvsadm-save files.</summary>
public class Ipv6ImportTests
{
    private static readonly Ipv6Address Vip = Ipv6Address.Parse("2001:db8::100");

    [Fact]
    public void Keepalived_Ipv6VirtualAndRealServers_AreImported()
    {
        const string conf = """
            virtual_server 2001:db8::100 80 {
                ip_family inet6
                protocol TCP
                lb_algo rr
                lb_kind DR
                persistence_timeout 600
                persistence_granularity 64
                real_server 2001:db8::11 80 {
                    weight 2
                    TCP_CHECK {
                        connect_timeout 3
                    }
                }
                real_server 2001:0db8:0:0::12 80 {
                    HTTP_GET {
                        url {
                            path /health
                            status_code 200
                        }
                    }
                }
            }
            """;
        var result = ConfigImporter.Import(conf, Director);
        Assert.Equal("keepalived", result.Format);
        Assert.Empty(result.Errors);
        var service = Assert.Single(result.Config.VirtualServices);
        Assert.Equal((IpProtocol.Tcp, 0u, (Ipv6Address?)Vip, (ushort)80, "rr"), (service.Protocol, service.Address, service.Address6, service.Port, service.Scheduler));
        Assert.Equal((TimeSpan.FromSeconds(600), 64, uint.MaxValue), (service.PersistenceTimeout!.Value, service.PersistencePrefixLength, service.PersistenceNetmask));

        // keepalived adds real servers in file order, each at the head of the kernel's list.
        Assert.Equal(["2001:db8::12", "2001:db8::11"], service.RealServers.Select(s => s.AddressText));
        Assert.All(service.RealServers, s => Assert.Equal((0u, ForwardingMethod.DirectRouting), (s.Address, s.Method)));
        Assert.Equal(2, service.RealServers[1].Weight);
        Assert.IsType<TcpCheckConfig>(Assert.Single(service.RealServers[1].HealthCheck!.Checks));
        Assert.IsType<HttpGetCheckConfig>(Assert.Single(service.RealServers[0].HealthCheck!.Checks));
    }

    [Fact]
    public void Keepalived_DuplicateIpv6Service_IsAnError()
    {
        const string conf = "virtual_server 2001:db8::100 80 {\n protocol TCP\n lb_kind DR\n real_server 2001:db8::11 80 {\n }\n}\nvirtual_server 2001:db8:0::100 80 {\n protocol TCP\n lb_kind DR\n real_server 2001:db8::12 80 {\n }\n}\n";
        var result = ConfigImporter.Import(conf, Director);
        Assert.Single(result.Config.VirtualServices);
        Assert.Contains(result.Errors, n => n.Line == 7 && n.Message.Contains("[2001:db8::100]:80 duplicates the virtual_server of line 1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("virtual_server 2001:db8::zz 80 {\n protocol TCP\n real_server 2001:db8::11 80 {\n }\n}\n", 1, "not an IPv6 address")]
    [InlineData("virtual_server 2001:db8::100 80 {\n protocol TCP\n persistence_granularity 129\n real_server 2001:db8::11 80 {\n }\n}\n", 3, "IPv6 prefix length")]
    public void Keepalived_Ipv6WhatCannotBeExpressed_IsAnErrorOnItsLine(string conf, int line, string reason)
    {
        var result = ConfigImporter.Import(conf, Director);
        Assert.Contains(result.Errors, n => n.Line == line && n.Message.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void IpvsadmSave_Ipv6Rules_AreImported()
    {
        const string save = """
            -A -t [2001:db8::100]:80 -s wlc -p 360 -M 64
            -a -t [2001:db8::100]:80 -r [2001:db8::11]:80 -g -w 1
            -a -t [2001:db8::100]:80 -r [2001:db8::12]:80 -g -w 3
            -A -u [2001:db8::100]:53 -s rr
            -a -u [2001:db8::100]:53 -r [2001:db8::11]:53 -g -w 1
            -A -f 9 -6 -s rr
            """;
        var result = ConfigImporter.Import(save, Director);
        Assert.Equal("ipvsadm", result.Format);
        Assert.Equal(3, result.Config.VirtualServices.Length);
        var web = result.Config.VirtualServices[0];
        Assert.Equal((Vip, (ushort)80, 64), (web.Address6!.Value, web.Port, web.PersistencePrefixLength));
        Assert.Equal([("2001:db8::12", 3), ("2001:db8::11", 1)], web.RealServers.Select(s => (s.AddressText, s.Weight)));
        Assert.Equal(IpProtocol.Udp, result.Config.VirtualServices[1].Protocol);

        // -f 9 -6 is the IPv6 firewall-mark service 9 (family inet6, keyed by ::), apart from an IPv4 -f 9;
        // like every imported mark it needs the rule that marked its packets.
        var marked = result.Config.VirtualServices[2];
        Assert.Equal((9u, true, Ipv6Address.Unspecified, "rr"), (marked.FirewallMark, marked.IsIpv6, marked.Address6!.Value, marked.Scheduler));
        Assert.Contains(result.Errors, n => n.Line == 6 && n.Message.Contains("add a firewall_marks entry with mark 9", StringComparison.Ordinal));
        Assert.Contains("  - fwmark: 9\n    family: inet6\n", result.ToYaml("rules.save"), StringComparison.Ordinal);
    }

    [Fact]
    public void IpvsadmSave_Ipv6FirewallMarkWithIp6tablesRules_IsCompleteAndValid()
    {
        const string save = """
            -A -f 9 -6 -s wlc -p 600 -M 64
            -a -f 9 -6 -r [2001:db8::11]:0 -g -w 1
            -a -f 9 -6 -r [2001:db8::12]:0 -g -w 2
            """;
        const string marks = """
            *mangle
            -A PREROUTING -d 2001:db8::100/128 -p tcp -m multiport --dports 80,443 -j MARK --set-xmark 0x9/0xffffffff
            COMMIT
            """;
        var result = ConfigImporter.Import(save, Director, marks: marks);
        Assert.Empty(result.Errors);
        var rule = Assert.Single(result.Config.FirewallMarks);
        Assert.Equal((9u, IpProtocol.Tcp), (rule.Mark, rule.Protocol));
        Assert.Empty(rule.Destinations);
        Assert.Equal([new Ipv6Prefix(Vip, 128)], rule.Destinations6.AsEnumerable());
        var service = Assert.Single(result.Config.VirtualServices);
        Assert.Equal((9u, true, 64), (service.FirewallMark, service.IsIpv6, service.PersistencePrefixLength));
        Assert.Equal(["2001:db8::12", "2001:db8::11"], service.RealServers.Select(s => s.AddressText));
        Assert.Empty(ConfigValidator.Validate(result.Config));
    }

    [Fact]
    public void Keepalived_Ipv6FirewallMarkAndIpv6SorryServer_AreImported()
    {
        const string conf = """
            virtual_server fwmark 12 {
                ip_family inet6
                lb_algo rr
                lb_kind DR
                sorry_server 2001:db8::99 0
                real_server 2001:db8::11 0 {
                }
            }
            virtual_server 2001:db8::100 80 {
                protocol TCP
                lb_kind NAT
                sorry_server 2001:db8::98 8080
                real_server 2001:db8::11 80 {
                }
            }
            """;
        var result = ConfigImporter.Import(conf, Director);
        var marked = result.Config.VirtualServices.Single(s => s.FirewallMark == 12);
        Assert.Equal((true, Ipv6Address.Unspecified), (marked.IsIpv6, marked.Address6!.Value));
        Assert.Equal((Ipv6Address.Parse("2001:db8::99"), (ushort)0), (marked.Quorum!.SorryServer!.Address6!.Value, marked.Quorum.SorryServer.Port));
        var web = result.Config.VirtualServices.Single(s => s.FirewallMark == 0);
        var sorry = web.Quorum!.SorryServer!;
        Assert.Equal((Ipv6Address.Parse("2001:db8::98"), (ushort)8080, ForwardingMethod.Nat, 0u), (sorry.Address6!.Value, sorry.Port, sorry.Method, sorry.Address));

        // The only error: mark 12's packets were chosen by ip6tables rules the file does not hold.
        var error = Assert.Single(result.Errors);
        Assert.Contains("add a firewall_marks entry with mark 12", error.Message, StringComparison.Ordinal);

        // The YAML written for it reads back as the same services (family inet6, the IPv6 sorry servers).
        var again = LvsConfigReader.Parse(Control.Yaml.ConfigYamlWriter.Write(result.Config));
        Assert.Equal(result.Config.VirtualServices.AsEnumerable(), again.VirtualServices.AsEnumerable());
    }
}
