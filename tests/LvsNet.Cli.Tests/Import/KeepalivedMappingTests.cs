using LvsNet.Cli.Import;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using Xunit;
using static LvsNet.Testing.ControlFixtures;

namespace LvsNet.Cli.Tests.Import;

/// <summary>Single keepalived statements and their mapping (expected values from keepalived.conf(5) and its parser).</summary>
public class KeepalivedMappingTests
{
    // One TCP DR virtual server 10.0.0.100:80 with the given statements, and one real server 10.0.0.11 with the given block body.
    private static ImportResult Import(string service = "", string server = "") =>
        ConfigImporter.Import($"virtual_server 10.0.0.100 80 {{\n protocol TCP\n lb_kind DR\n{service}\n real_server 10.0.0.11 80 {{\n{server}\n }}\n}}\n", Director);

    private static VirtualServiceConfig Service(ImportResult result) => Assert.Single(result.Config.VirtualServices);

    private static CheckerConfig Check(ImportResult result) => Assert.Single(Assert.Single(Service(result).RealServers).HealthCheck!.Checks);

    [Fact]
    public void Timers_AreSecondsWithDecimals_ToTheMillisecond()
    {
        var result = Import(server: "TCP_CHECK {\n delay_loop 1.5\n connect_timeout 0.25\n }");
        Assert.Empty(result.Errors);
        Assert.Equal(new HealthCheckParameters { DelayLoop = TimeSpan.FromMilliseconds(1500), ConnectTimeout = TimeSpan.FromMilliseconds(250) }, Check(result).Parameters);

        result = Import(server: "TCP_CHECK {\n delay_loop 1.0005\n }");
        Assert.Contains(result.Errors, n => n.Line == 7 && n.Message.Contains("millisecond resolution", StringComparison.Ordinal));
    }

    [Fact]
    public void ShFlags_OnlyAfterLvsSchedSh_AsKeepalivedAppliesThem()
    {
        var result = Import("sh-port\n lvs_sched sh\n sh-fallback\n hashed");
        Assert.Equal(["sh-fallback"], Service(result).SchedulerFlags.AsEnumerable());
        Assert.Empty(result.Errors);
        Assert.Contains(result.Notes, n => n.Kind == ImportNoteKind.Adjusted && n.Line == 4 && n.Message.Contains("sh-port: ignored", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("TUN", true)]
    [InlineData("TUN type ipip", true)]
    [InlineData("TUN type ipip nocsum", true)]
    [InlineData("TUN type ipip csum", false)]
    [InlineData("TUN type gre", false)]
    [InlineData("TUN type gue port 6080 csum", false)]
    [InlineData("MASQ", false)]
    public void RealServerLvsMethod_OnlyIpipTunnels(string method, bool mapped)
    {
        var result = Import(server: $"lvs_method {method}");
        if (mapped)
        {
            Assert.Empty(result.Errors);
            Assert.Equal(ForwardingMethod.Tunnel, Assert.Single(Service(result).RealServers).Method);
        }
        else
        {
            // Never a silent change to another method: the server is left out with an error on its line.
            Assert.Contains(result.Errors, n => n.Line == 6 && n.Message.Contains("the real server is not imported", StringComparison.Ordinal));
            Assert.Empty(result.Config.VirtualServices);
        }
    }

    [Fact]
    public void Bindto_TheDirectorsAddress_IsWhatLvsnetdDoesAnyway()
    {
        Assert.Empty(Import(server: "TCP_CHECK {\n bindto 10.0.0.2\n }").Errors);
        Assert.Contains(Import(server: "TCP_CHECK {\n bindto 10.0.0.3\n }").Errors, n => n.Line == 7);
        Assert.Contains(Import(server: "TCP_CHECK {\n bind_port 40000\n }").Errors, n => n.Line == 7);
    }

    [Fact]
    public void MiscCheck_TimeoutAndDefaults()
    {
        // misc_timeout in whole seconds; the unquoted words of misc_path form the command.
        var misc = Assert.IsType<MiscCheckConfig>(Check(Import(server: "MISC_CHECK {\n misc_path /usr/bin/check -p 80\n misc_timeout 7\n }")));
        Assert.Equal(("/usr/bin/check -p 80", (TimeSpan?)TimeSpan.FromSeconds(7), false), (misc.Command, misc.Timeout, misc.Dynamic));

        // No misc_timeout and no delay_loop of its own: keepalived's timeout is the virtual server's delay_loop, which LvsNet's default is too.
        Assert.Null(Assert.IsType<MiscCheckConfig>(Check(Import("delay_loop 30", "MISC_CHECK {\n misc_path /usr/bin/check\n }"))).Timeout);

        // A checker delay_loop of its own would change LvsNet's default, so the virtual server's is written out.
        Assert.Equal(TimeSpan.FromSeconds(30), Assert.IsType<MiscCheckConfig>(Check(Import("delay_loop 30", "MISC_CHECK {\n misc_path /usr/bin/check\n delay_loop 5\n }"))).Timeout);
    }

    [Fact]
    public void HttpGet_Defaults_AndProtocol10C()
    {
        var result = Import(server: "HTTP_GET {\n url {\n path /\n }\n http_protocol 1.0C\n }");
        var http = Assert.IsType<HttpGetCheckConfig>(Check(result));

        // No status_code: keepalived accepts 200-299, LvsNet's empty list means the same; no virtualhost: the address.
        Assert.Equal(("/", 0, (string?)null, "1.0", false), (http.Path, http.StatusCodes.Length, http.VirtualHost, http.HttpVersion, http.Tls));
        Assert.Contains(result.Notes, n => n.Kind == ImportNoteKind.Adjusted && n.Line == 10);
        Assert.Contains(Import(server: "HTTP_GET {\n connect_port 80\n }").Errors, n => n.Line == 6 && n.Message.Contains("no url", StringComparison.Ordinal));
        Assert.Contains(Import(server: "HTTP_GET {\n url {\n path /\n status_code 600\n }\n }").Errors, n => n.Line == 9);
    }

    [Fact]
    public void Persistence_GranularityTurnsItOn_TimeoutWithoutValueIs360()
    {
        Assert.Equal(TimeSpan.FromSeconds(360), Service(Import("persistence_granularity 255.255.0.0")).PersistenceTimeout);
        Assert.Equal(TimeSpan.FromSeconds(360), Service(Import("persistence_timeout")).PersistenceTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), Service(Import("persistence_granularity 255.255.0.0\n persistence_timeout 30")).PersistenceTimeout);
    }

    [Fact]
    public void SorryServer_PortAndMethod()
    {
        // A DR sorry server on another port is moved to the virtual port, as keepalived does.
        var sorry = Service(Import("sorry_server 10.0.0.250 8080")).Quorum!.SorryServer!;
        Assert.Equal((80, ForwardingMethod.DirectRouting, 1, false), (sorry.Port, sorry.Method, sorry.Weight, sorry.Inhibit));

        // sorry_server_lvs_method NAT keeps its port; without a port it gets the virtual port.
        sorry = Service(Import("sorry_server 10.0.0.250\n sorry_server_lvs_method NAT\n sorry_server_inhibit")).Quorum!.SorryServer!;
        Assert.Equal((80, ForwardingMethod.Nat, true), (sorry.Port, sorry.Method, sorry.Inhibit));
        Assert.Contains(Import("sorry_server_inhibit").Errors, n => n.Line == 4 && n.Message.Contains("without sorry_server", StringComparison.Ordinal));
    }

    [Fact]
    public void VirtualServerLevelWeightAndMethod_AreTheRealServersDefaults()
    {
        var result = ConfigImporter.Import("virtual_server 10.0.0.100 80 {\n protocol TCP\n lb_kind DR\n weight 5\n real_server 10.0.0.11 80 {\n }\n real_server 10.0.0.12 80 {\n weight 2\n lvs_method NAT\n }\n}\n", Director);
        Assert.Equal([(5, ForwardingMethod.DirectRouting), (2, ForwardingMethod.Nat)], Service(result).RealServers.Reverse().Select(s => (s.Weight, s.Method)));
    }

    [Theory]
    [InlineData("10.0.0.5-3 80", "range end")]
    [InlineData("10.0.0.5-10.0.0.1 80", "range end")]
    [InlineData("10.0.0.1/24 80", "bits set beyond the prefix")]
    [InlineData("10.0.0.0/16 80", "at most 256")]
    [InlineData("10.0.0.5 http", "expected ADDRESS")]
    [InlineData("fd00::5 80", "IPv6 group entries are not imported yet")]
    public void GroupEntry_ThatCannotBeExpanded_IsAnErrorOnItsLine(string entry, string reason)
    {
        var result = ConfigImporter.Import($"virtual_server_group G {{\n {entry}\n 10.0.0.200 80\n}}\nvirtual_server group G {{\n protocol TCP\n real_server 10.0.0.11 80 {{\n }}\n}}\n", Director);
        Assert.Contains(result.Errors, n => n.Line == 2 && n.Message.Contains(reason, StringComparison.Ordinal));
        Assert.Equal(Ip("10.0.0.200"), Assert.Single(result.Config.VirtualServices).Address);
    }

    [Fact]
    public void GroupWithPortZero_ForcesPersistenceOnEveryMember()
    {
        var result = ConfigImporter.Import("virtual_server_group G {\n 10.0.0.200\n 10.0.0.201 443\n}\nvirtual_server group G {\n protocol TCP\n lb_kind DR\n real_server 10.0.0.11 {\n }\n}\n", Director);
        Assert.Equal([(0, TimeSpan.FromSeconds(360)), (443, TimeSpan.FromSeconds(360))], result.Config.VirtualServices.Select(s => ((int)s.Port, s.PersistenceTimeout!.Value)));
        Assert.Equal([0, 443], result.Config.VirtualServices.Select(s => (int)s.RealServers[0].Port));
    }

    [Fact]
    public void UnknownKeywordsAndDuplicates_AreErrors()
    {
        var text = "virtual_server_blah 1 {\n}\nvirtual_server 10.0.0.100 80 {\n protocol TCP\n lb_kind DR\n TCP_CHECK {\n }\n colour blue\n real_server 10.0.0.11 80 {\n }\n}\nvirtual_server 10.0.0.100 80 {\n protocol TCP\n real_server 10.0.0.12 80 {\n }\n}\nvirtual_server group NOPE {\n}\n";
        var errors = ConfigImporter.Import(text, Director).Errors.ToList();
        Assert.Contains(errors, n => n.Line == 1 && n.Message.Contains("unknown keyword", StringComparison.Ordinal));
        Assert.Contains(errors, n => n.Line == 6 && n.Message.Contains("checkers belong in a real_server block", StringComparison.Ordinal));
        Assert.Contains(errors, n => n.Line == 8 && n.Message.Contains("unknown virtual_server keyword", StringComparison.Ordinal));
        Assert.Contains(errors, n => n.Line == 12 && n.Message.Contains("duplicates the virtual_server of line 3", StringComparison.Ordinal));
        Assert.Contains(errors, n => n.Line == 17 && n.Message.Contains("no virtual_server_group NOPE", StringComparison.Ordinal));
        Assert.Equal(5, errors.Count);
    }

    [Fact]
    public void AlphaInheritance_ServiceServerChecker()
    {
        // vs alpha → every checker starts down, unless the server or the checker says otherwise.
        var result = Import("alpha", "alpha false\n TCP_CHECK {\n alpha\n }\n TCP_CHECK {\n connect_port 81\n }");
        var service = Service(result);
        var server = Assert.Single(service.RealServers);
        Assert.True(service.HealthCheck!.Parameters.Alpha);
        Assert.False(server.HealthCheck!.Parameters.Alpha);
        Assert.Equal([true, null], server.HealthCheck.Checks.Select(c => c.Parameters.Alpha));
        Assert.True(HealthCheckInheritance.StartsDownFor(service, server));
    }
}
