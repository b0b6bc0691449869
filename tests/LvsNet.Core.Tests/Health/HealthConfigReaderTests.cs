using System.Text;
using LvsNet.Control.Yaml;
using LvsNet.Core.Configuration;
using LvsNet.Core.Health;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests.Health;

/// <summary>The health part of the YAML: every key, defaults and resolution, every error with its path.</summary>
public class HealthConfigReaderTests
{
    private const string Full = """
        director:
          interface: eth0
          address: 10.77.0.2/24
        virtual_services:
          - address: 10.77.0.100
            port: 80
            scheduler: wlc
            health_check:
              delay_loop: 6s
              connect_timeout: 2s
              retry: 2
              delay_before_retry: 500ms
              rise: 2
              warmup: 0
              alpha: true
              inhibit_on_failure: true
              notify_up: /usr/local/bin/rs-up
              notify_down: /usr/local/bin/rs-down
              checks:
                - type: HTTP_GET
                  path: /health
                  status_codes: [200, "300-302"]
                  body_contains: ok
                  virtualhost: www.example.com
                  http_version: "1.1"
                - type: tcp
                  connect_port: 8080
                  via_vip: true
            quorum: 2
            hysteresis: 1
            quorum_up: /usr/local/bin/quorum up
            quorum_down: /usr/local/bin/quorum down
            sorry_server:
              address: 10.77.0.50
              inhibit: true
            real_servers:
              - address: 10.77.0.11
                weight: 3
              - address: 10.77.0.12
                health_check:
                  retry: 0
                  inhibit_on_failure: false
                  checks:
                    - type: misc_check
                      command: /usr/local/bin/check --host "$LVSNET_RS_ADDRESS"
                      timeout: 3s
                      dynamic: true
                      delay_loop: 10s
                    - type: ssl_get
                      digest: 9E107D9D372BB6826BD81D3542A419D6
                      sni_name: www.example.com
                    - type: dns
                      query_type: a
                      name: example.com
                      connect_port: 53
              - address: 10.77.0.13
                health_check:
                  enabled: false
        """;

    [Fact]
    public void Parse_EveryHealthKey()
    {
        var config = LvsConfigReader.Parse(Full);
        var service = config.VirtualServices[0];
        var health = service.HealthCheck!;
        Assert.Equal(new HealthCheckParameters
        {
            DelayLoop = TimeSpan.FromSeconds(6),
            ConnectTimeout = TimeSpan.FromSeconds(2),
            Retry = 2,
            DelayBeforeRetry = TimeSpan.FromMilliseconds(500),
            Rise = 2,
            Warmup = TimeSpan.Zero,
            Alpha = true,
        }, health.Parameters);
        Assert.True(health.InhibitOnFailure);
        Assert.Equal(("/usr/local/bin/rs-up", "/usr/local/bin/rs-down"), (health.NotifyUp, health.NotifyDown));
        var http = Assert.IsType<HttpGetCheckConfig>(health.Checks[0]);
        Assert.Equal(new HttpGetCheckConfig
        {
            Path = "/health",
            StatusCodes = [new HttpStatusRange(200, 200), new HttpStatusRange(300, 302)],
            BodyContains = "ok",
            VirtualHost = "www.example.com",
            HttpVersion = "1.1",
        }, http);
        Assert.Equal(new TcpCheckConfig { ConnectPort = 8080, ViaVirtualAddress = true }, health.Checks[1]);
        Assert.Equal(new QuorumConfig
        {
            Quorum = 2,
            Hysteresis = 1,
            UpCommand = "/usr/local/bin/quorum up",
            DownCommand = "/usr/local/bin/quorum down",
            SorryServer = new SorryServerConfig { Address = Ipv4Address.Parse("10.77.0.50"), Port = 80, Inhibit = true },
        }, service.Quorum);

        var own = service.RealServers[1].HealthCheck!;
        Assert.Equal(0, own.Parameters.Retry);
        Assert.False(own.InhibitOnFailure);
        Assert.Equal(new MiscCheckConfig { Command = "/usr/local/bin/check --host \"$LVSNET_RS_ADDRESS\"", Timeout = TimeSpan.FromSeconds(3), Dynamic = true, Parameters = new HealthCheckParameters { DelayLoop = TimeSpan.FromSeconds(10) } }, own.Checks[0]);
        Assert.Equal(new HttpGetCheckConfig { Tls = true, Digest = "9e107d9d372bb6826bd81d3542a419d6", SniName = "www.example.com" }, own.Checks[1]);
        Assert.Equal(new DnsCheckConfig { QueryType = "A", Name = "example.com", ConnectPort = 53 }, own.Checks[2]);
        Assert.False(service.RealServers[2].HealthCheck!.Enabled);
    }

    [Fact]
    public void Resolve_CheckerOverServerOverServiceOverDefaults()
    {
        var service = LvsConfigReader.Parse(Full).VirtualServices[0];
        var rs1 = HealthCheckSettings.Resolve(service, service.RealServers[0], Ipv4Address.Parse("10.77.0.2"))!;
        Assert.True(rs1.InhibitOnFailure);
        Assert.True(rs1.StartsDown);
        var http = rs1.Checkers[0];
        Assert.Equal((TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(2), 2, TimeSpan.FromMilliseconds(500), 2), (http.DelayLoop, http.Timeout, http.Retry, http.DelayBeforeRetry, http.Rise));
        Assert.Equal((Ipv4Address.Parse("10.77.0.11"), (ushort)80, (uint?)null), (http.Address, http.Port, http.Via));
        var viaVip = rs1.Checkers[1];
        Assert.Equal((Ipv4Address.Parse("10.77.0.100"), (ushort)8080, (uint?)Ipv4Address.Parse("10.77.0.11")), (viaVip.Address, viaVip.Port, viaVip.Via));

        var rs2 = HealthCheckSettings.Resolve(service, service.RealServers[1], null)!;
        Assert.False(rs2.InhibitOnFailure);
        var misc = rs2.Checkers[0];
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(3), 0), (misc.DelayLoop, misc.Timeout, misc.Retry));
        Assert.Equal(TimeSpan.FromMilliseconds(500), rs2.Checkers[2].DelayBeforeRetry);
        Assert.Null(HealthCheckSettings.Resolve(service, service.RealServers[2], null));
    }

    [Fact]
    public void Resolve_KeepalivedDefaultsPerCheckerType()
    {
        var service = new VirtualServiceConfig
        {
            Protocol = IpProtocol.Tcp,
            Address = 1,
            Port = 53,
            HealthCheck = new HealthCheckConfig { Checks = [new TcpCheckConfig(), new HttpGetCheckConfig(), new MiscCheckConfig { Command = "x" }, new DnsCheckConfig()] },
            RealServers = [new RealServerConfig { Address = 2, Port = 53 }],
        };
        var checkers = HealthCheckSettings.Resolve(service, service.RealServers[0], null)!.Checkers;
        Assert.Equal([1, 1, 0, 3], checkers.Select(c => c.Retry));
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60)], checkers.Select(c => c.DelayBeforeRetry));
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5)], checkers.Select(c => c.Timeout));
        Assert.All(checkers, c => Assert.Equal((TimeSpan.FromSeconds(60), 1, false, TimeSpan.FromSeconds(60)), (c.DelayLoop, c.Rise, c.Alpha, c.Warmup)));
    }

    [Fact]
    public void Parse_Errors_AllReportedWithTheirPaths()
    {
        var yaml = """
            director:
              interface: eth0
              address: 10.77.0.2/24
            virtual_services:
              - address: 10.77.0.100
                port: 80
                health_check:
                  delay_loop: 10ms
                  retry: -1
                  checks:
                    - type: bfd
                    - type: http_get
                      path: health
                      status_codes: [200, 700, "x"]
                      digest: abc
                      http_version: "2"
                      colour: blue
                    - type: misc
                    - type: dns
                      query_type: SRV
                      name: "a..b"
                sorry_server:
                  port: 80
                real_servers:
                  - address: 10.77.0.11
                    health_check:
                      rise: 0
            """;
        var errors = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml)).Errors.Select(e => e.Path).ToList();
        Assert.Equal(
            [
                "virtual_services[0].health_check.delay_loop",
                "virtual_services[0].health_check.retry",
                "virtual_services[0].health_check.checks[0].type",
                "virtual_services[0].health_check.checks[1].path",
                "virtual_services[0].health_check.checks[1].digest",
                "virtual_services[0].health_check.checks[1].http_version",
                "virtual_services[0].health_check.checks[1].status_codes[1]",
                "virtual_services[0].health_check.checks[1].status_codes[2]",
                "virtual_services[0].health_check.checks[1].colour",
                "virtual_services[0].health_check.checks[2].command",
                "virtual_services[0].health_check.checks[3].query_type",
                "virtual_services[0].health_check.checks[3].name",
                "virtual_services[0].sorry_server.address",
                "virtual_services[0].real_servers[0].health_check.rise",
            ],
            errors);
    }

    [Fact]
    public void Validate_CrossFieldRules()
    {
        var yaml = """
            director:
              interface: eth0
              address: 10.77.0.2/24
            virtual_services:
              - address: 10.77.0.100
                port: 80
                health_check:
                  checks: []
                quorum: 1
                sorry_server:
                  address: 10.77.0.11
                  port: 8080
              - address: 10.77.0.101
                port: 80
                health_check:
                  checks:
                    - type: tcp
                      via_vip: true
                      connect_ip: 10.77.0.11
                    - type: misc
                      command: a
                      dynamic: true
                    - type: misc
                      command: b
                      dynamic: true
                real_servers:
                  - address: 10.77.0.12
                    port: 8080
                    method: nat
              - address: 10.77.0.102
                port: 0
                persistence_timeout: 60
                health_check:
                  checks:
                    - type: tcp
                real_servers:
                  - address: 10.77.0.13
                    port: 0
                sorry_server:
                  address: 10.77.0.11
                  port: 0
            """;
        var errors = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml)).Errors.Select(e => $"{e.Path}: {e.Message}").ToList();
        Assert.Collection(
            errors,
            e => Assert.StartsWith("virtual_services[0].health_check.checks: health_check needs at least one check", e, StringComparison.Ordinal),
            e => Assert.StartsWith("virtual_services[0].sorry_server.port: dr cannot change the port", e, StringComparison.Ordinal),
            e => Assert.StartsWith("virtual_services[1].health_check.checks[0].via_vip: via_vip probes the VIP through the real server; it cannot be combined with connect_ip", e, StringComparison.Ordinal),
            e => Assert.StartsWith("virtual_services[1].health_check.checks: only one misc check per real server may set dynamic", e, StringComparison.Ordinal),
            e => Assert.StartsWith("virtual_services[1].real_servers[0]: the service's health_check.checks[0] has via_vip, which needs a dr or tun real server (this one is nat", e, StringComparison.Ordinal),
            e => Assert.StartsWith("virtual_services[2].real_servers[0]: the service's health_check.checks[0] (tcp) needs connect_port", e, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_SorryServerThatIsARealServer_IsRejected()
    {
        var config = HealthFixtures.Config(HealthFixtures.Tcp(), new QuorumConfig { SorryServer = new SorryServerConfig { Address = HealthFixtures.Rs1, Port = 80 } });
        var error = Assert.Single(ConfigValidator.Validate(config));
        Assert.Equal("virtual_services[0].sorry_server", error.Path);
        Assert.Contains("also a real server", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Equality_ByValue_SoThatReloadsKeepUnchangedCheckers()
    {
        var a = LvsConfigReader.Parse(Full);
        var b = LvsConfigReader.Parse(Full);
        Assert.Equal(a.VirtualServices[0], b.VirtualServices[0]);
        var bind = Ipv4Address.Parse("10.77.0.2");
        Assert.Equal(HealthCheckSettings.Resolve(a.VirtualServices[0], a.VirtualServices[0].RealServers[1], bind), HealthCheckSettings.Resolve(b.VirtualServices[0], b.VirtualServices[0].RealServers[1], bind));
        var changed = LvsConfigReader.Parse(Full.Replace("status_codes: [200, \"300-302\"]", "status_codes: [200]", StringComparison.Ordinal));
        Assert.NotEqual(a.VirtualServices[0], changed.VirtualServices[0]);
    }

    [Fact]
    public void YamlWriter_RoundTripsEveryHealthKey()
    {
        var config = LvsConfigReader.Parse(Full);
        var yaml = new StringBuilder("""
            director:
              interface: eth0
              address: 10.77.0.2/24
            virtual_services:
              - address: 10.77.0.100
                port: 80
                scheduler: wlc

            """);
        HealthConfigYamlWriter.WriteService(yaml, config.VirtualServices[0], 4);
        yaml.Append("    real_servers:\n");
        foreach (var server in config.VirtualServices[0].RealServers)
        {
            yaml.Append("      - address: ").Append(Ipv4Address.Format(server.Address)).Append('\n');
            yaml.Append("        weight: ").Append(server.Weight).Append('\n');
            HealthConfigYamlWriter.WriteServer(yaml, server, 8);
        }

        var reread = LvsConfigReader.Parse(yaml.ToString());
        Assert.Equal(config.VirtualServices[0], reread.VirtualServices[0]);
    }
}
