using System.Reflection;
using System.Text;
using LvsNet.Control.Yaml;
using LvsNet.Core.Configuration;
using LvsNet.Core.Health;
using LvsNet.Core.Health.Checkers;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests.Health;

/// <summary>The YAML of SMTP, UDP, PING and FILE checks, HTTP regex, omega and ha_suspend: keys, errors with path and line, writer round trip.</summary>
public class KeepalivedCheckerConfigTests
{
    private const string Full = """
        director:
          interface: eth0
          address: 10.77.0.2/24
        virtual_services:
          - address: 10.77.0.100
            port: 25
            health_check:
              omega: true
              ha_suspend: true
              notify_down: /usr/local/bin/rs-down
              checks:
                - type: SMTP_CHECK
                  helo_name: director1.example.net
                  hosts:
                    - connect_ip: 10.77.0.21
                      connect_port: 2525
                    - connect_port: 587
                    - {}
                - type: udp_check
                  connect_port: 53
                  payload: "de ad be ef"
                  reply: "0xDEAD"
                  min_reply_length: 2
                  max_reply_length: 512
                - type: ping
                - type: FILE_CHECK
                  path: /run/lvsnet/rs-weight
                  weight: -10
                  reverse: true
                - type: http_get
                  connect_port: 80
                  path: /status
                  regex: "^OK [0-9]+\\s"
                  regex_no_match: true
                  regex_max_offset: 4096
            real_servers:
              - address: 10.77.0.11
                weight: 7
        """;

    [Fact]
    public void Parse_EveryNewKey()
    {
        var health = LvsConfigReader.Parse(Full).VirtualServices[0].HealthCheck!;
        Assert.True(health.Omega);
        Assert.True(health.HaSuspend);
        var smtp = Assert.IsType<SmtpCheckConfig>(health.Checks[0]);
        Assert.Equal("director1.example.net", smtp.HeloName);
        Assert.Equal([new SmtpHost(Ipv4Address.Parse("10.77.0.21"), 2525), new SmtpHost(null, 587), new SmtpHost(null, null)], smtp.Hosts.ToArray());
        var udp = Assert.IsType<UdpCheckConfig>(health.Checks[1]);
        Assert.Equal(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }, udp.Payload.ToArray());
        Assert.Equal(new byte[] { 0xDE, 0xAD }, udp.Reply.ToArray());
        Assert.True(udp.RequireReply);
        Assert.Equal((2, 512), (udp.MinReplyLength, udp.MaxReplyLength));
        Assert.IsType<PingCheckConfig>(health.Checks[2]);
        var file = Assert.IsType<FileCheckConfig>(health.Checks[3]);
        Assert.Equal(("/run/lvsnet/rs-weight", -10, true), (file.Path, file.Weight, file.Reverse));
        var http = Assert.IsType<HttpGetCheckConfig>(health.Checks[4]);
        Assert.Equal(("^OK [0-9]+\\s", true, 4096), (http.Regex, http.RegexNoMatch, http.RegexMaxOffset));
    }

    [Fact]
    public void Defaults_AreKeepalivedsDefaults()
    {
        Assert.Equal("smtpchecker.keepalived.org", new SmtpCheckConfig().HeloName);
        var udp = new UdpCheckConfig();
        Assert.Equal((false, 0, 255), (udp.RequireReply, udp.MinReplyLength, udp.MaxReplyLength));
        Assert.Equal(0, new FileCheckConfig { Path = "/x" }.DefaultRetry);
        Assert.False(new PingCheckConfig().UsesPort);
        Assert.False(new HealthCheckConfig().Omega);
        Assert.False(new HealthCheckConfig().HaSuspend);
    }

    [Fact]
    public void Parse_Errors_EveryOneWithPathAndLine()
    {
        var yaml = """
            director:
              interface: eth0
              address: 10.77.0.2/24
            virtual_services:
              - address: 10.77.0.100
                port: 25
                health_check:
                  checks:
                    - type: smtp
                      helo_name: "two words"
                    - type: udp
                      payload: "abc"
                    - type: udp
                      reply: "01"
                      require_reply: false
                    - type: udp
                      min_reply_length: 10
                      max_reply_length: 5
                    - type: file
                      path: relative/file
                      weight: 70000
                    - type: file
                      path: /run/x
                      connect_port: 80
                    - type: http_get
                      regex: "(unclosed"
                    - type: http_get
                      regex_no_match: true
                    - type: file
                real_servers:
                  - address: 10.77.0.11
            """;
        var errors = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml)).Errors;
        Assert.Equal(
            [
                ("virtual_services[0].health_check.checks[0].helo_name", 10),
                ("virtual_services[0].health_check.checks[1].payload", 12),
                ("virtual_services[0].health_check.checks[2].reply", 14),
                ("virtual_services[0].health_check.checks[3].min_reply_length", 17),
                ("virtual_services[0].health_check.checks[4].path", 20),
                ("virtual_services[0].health_check.checks[4].weight", 21),
                ("virtual_services[0].health_check.checks[6].regex", 26),
                ("virtual_services[0].health_check.checks[7].regex_no_match", 28),
                ("virtual_services[0].health_check.checks[8].path", 29),
            ],
            errors.Take(9).Select(e => (e.Path, e.Line ?? -1)));
    }

    [Fact]
    public void Validate_FileCheckWithConnectOptions_AndTwoWeightSetters_AreRejected()
    {
        var errors = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse("""
            director:
              interface: eth0
              address: 10.77.0.2/24
            virtual_services:
              - address: 10.77.0.100
                port: 80
                real_servers:
                  - address: 10.77.0.11
                    health_check:
                      checks:
                        - type: file
                          path: /run/a
                          connect_port: 80
                        - type: file
                          path: /run/b
                          weight: 2
                        - type: misc
                          command: /bin/true
                          dynamic: true
            """)).Errors.Select(e => e.Path).ToList();
        Assert.Equal(["virtual_services[0].real_servers[0].health_check.checks[0]", "virtual_services[0].real_servers[0].health_check.checks"], errors);
    }

    [Fact]
    public void Validate_PingAndFile_NeedNoPort_SmtpHostsWithPorts_Suffice()
    {
        var config = LvsConfigReader.Parse("""
            director:
              interface: eth0
              address: 10.77.0.2/24
            virtual_services:
              - address: 10.77.0.100
                port: 0
                persistence_timeout: 60s
                health_check:
                  checks:
                    - type: ping
                    - type: file
                      path: /run/state
                    - type: smtp
                      hosts:
                        - connect_port: 25
                real_servers:
                  - address: 10.77.0.11
            """);
        Assert.Equal(3, config.VirtualServices[0].HealthCheck!.Checks.Length);
    }

    [Fact]
    public void YamlWriter_RoundTripsEveryNewKey()
    {
        var config = LvsConfigReader.Parse(Full);
        var yaml = new StringBuilder("director:\n  interface: eth0\n  address: 10.77.0.2/24\nvirtual_services:\n  - address: 10.77.0.100\n    port: 25\n");
        HealthConfigYamlWriter.WriteService(yaml, config.VirtualServices[0], 4);
        yaml.Append("    real_servers:\n      - address: 10.77.0.11\n        weight: 7\n");
        var reread = LvsConfigReader.Parse(yaml.ToString());
        Assert.Equal(config.VirtualServices[0], reread.VirtualServices[0]);

        // Equality sees each new key: a changed value is a different configuration.
        var changed = LvsConfigReader.Parse(Full.Replace("payload: \"de ad be ef\"", "payload: \"de ad be ee\"", StringComparison.Ordinal));
        Assert.NotEqual(config.VirtualServices[0], changed.VirtualServices[0]);
    }

    // Every public property of the health configuration records; the YAML writer must write each
    // (HealthConfigYamlWriter). A new property fails this test until the writer and this list know it.
    private static readonly string[] Written =
    [
        "CheckerConfig.Kind", "CheckerConfig.Parameters", "CheckerConfig.ConnectAddress", "CheckerConfig.ConnectPort", "CheckerConfig.ViaVirtualAddress",
        "CheckerConfig.DefaultRetry", "CheckerConfig.UsesPort", "CheckerConfig.SetsWeight", "CheckerConfig.WaitsFullTimeout",
        "HttpGetCheckConfig.Tls", "HttpGetCheckConfig.Path", "HttpGetCheckConfig.StatusCodes", "HttpGetCheckConfig.Digest", "HttpGetCheckConfig.BodyContains",
        "HttpGetCheckConfig.Regex", "HttpGetCheckConfig.RegexNoMatch", "HttpGetCheckConfig.RegexMaxOffset", "HttpGetCheckConfig.ReadsBody",
        "HttpGetCheckConfig.VirtualHost", "HttpGetCheckConfig.HttpVersion", "HttpGetCheckConfig.SniName", "HttpGetCheckConfig.MaxBodyBytes",
        "MiscCheckConfig.Command", "MiscCheckConfig.Timeout", "MiscCheckConfig.Dynamic", "MiscCheckConfig.Feedback",
        "DnsCheckConfig.QueryType", "DnsCheckConfig.Name",
        "SmtpCheckConfig.HeloName", "SmtpCheckConfig.Hosts",
        "UdpCheckConfig.Payload", "UdpCheckConfig.RequireReply", "UdpCheckConfig.Reply", "UdpCheckConfig.MinReplyLength", "UdpCheckConfig.MaxReplyLength",
        "FileCheckConfig.Path", "FileCheckConfig.Weight", "FileCheckConfig.Reverse",
        "HealthCheckConfig.Parameters", "HealthCheckConfig.InhibitOnFailure", "HealthCheckConfig.Checks", "HealthCheckConfig.NotifyUp", "HealthCheckConfig.NotifyDown",
        "HealthCheckConfig.Omega", "HealthCheckConfig.HaSuspend",
        "RealServerHealthCheckConfig.Enabled", "RealServerHealthCheckConfig.Parameters", "RealServerHealthCheckConfig.InhibitOnFailure", "RealServerHealthCheckConfig.Checks",
        "RealServerHealthCheckConfig.NotifyUp", "RealServerHealthCheckConfig.NotifyDown",
        "QuorumConfig.Quorum", "QuorumConfig.Hysteresis", "QuorumConfig.UpCommand", "QuorumConfig.DownCommand", "QuorumConfig.SorryServer",
        "SorryServerConfig.Address", "SorryServerConfig.Address6", "SorryServerConfig.IsIpv6", "SorryServerConfig.EndpointText", "SorryServerConfig.Port", "SorryServerConfig.Method", "SorryServerConfig.Weight", "SorryServerConfig.Inhibit",
        "HealthCheckParameters.DelayLoop", "HealthCheckParameters.ConnectTimeout", "HealthCheckParameters.Retry", "HealthCheckParameters.DelayBeforeRetry",
        "HealthCheckParameters.Rise", "HealthCheckParameters.Warmup", "HealthCheckParameters.Alpha",
    ];

    [Fact]
    public void YamlWriter_KnowsEveryHealthConfigurationProperty()
    {
        var assembly = typeof(CheckerConfig).Assembly;
        var types = assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(CheckerConfig))).Append(typeof(CheckerConfig))
            .Concat([typeof(HealthCheckConfig), typeof(RealServerHealthCheckConfig), typeof(QuorumConfig), typeof(SorryServerConfig), typeof(HealthCheckParameters)]);
        var properties = types
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(p => p.Name != "EqualityContract").Select(p => $"{t.Name}.{p.Name}"))
            .Distinct()
            .Where(p => !p.EndsWith(".Kind", StringComparison.Ordinal) || p.StartsWith("CheckerConfig.", StringComparison.Ordinal))
            .Where(p => !(p.EndsWith(".DefaultRetry", StringComparison.Ordinal) || p.EndsWith(".UsesPort", StringComparison.Ordinal) || p.EndsWith(".SetsWeight", StringComparison.Ordinal) || p.EndsWith(".WaitsFullTimeout", StringComparison.Ordinal)) || p.StartsWith("CheckerConfig.", StringComparison.Ordinal));
        var unknown = properties.Except(Written, StringComparer.Ordinal).ToList();
        Assert.True(unknown.Count == 0, "HealthConfigYamlWriter does not write: " + string.Join(", ", unknown));
        Assert.Contains(typeof(SmtpCheckConfig), types);
        Assert.Contains(typeof(FileCheckConfig), types);
    }

    [Fact]
    public void Resolve_UdpWaitsItsTimeout_FileCarriesTheConfiguredWeight()
    {
        var service = LvsConfigReader.Parse(Full).VirtualServices[0];
        var settings = HealthCheckSettings.Resolve(service, service.RealServers[0], null)!;
        Assert.Equal(7, settings.Weight);
        Assert.True(settings.Omega);
        Assert.True(settings.HaSuspend);
        Assert.Equal(53, settings.Checkers[1].Port);
        Assert.False(settings.Checkers[1].Config.WaitsFullTimeout); // require_reply: the reply decides
        Assert.True(new UdpCheckConfig().WaitsFullTimeout);
        Assert.True(settings.Checkers[3].Config.SetsWeight);
        Assert.IsType<CheckerSettings>(settings.Checkers[2]);
    }
}
