using LvsNet.Core.Configuration;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests;

public class ConfigReaderTests
{
    private const string Valid =
        """
        director:
          interface: eth0
          address: 10.77.0.2/24
        connections:
          max_entries: 4096
          tcp_timeout: 15m
          udp_timeout: 120
        virtual_services:
          - name: web
            protocol: tcp
            address: 10.77.0.100
            port: 80
            scheduler: wrr
            real_servers:
              - address: 10.77.0.11
                weight: 3
              - address: 10.77.0.12
        """;

    private const string Director = "director:\n  interface: eth0\n  address: 10.0.0.2/24\n";

    [Fact]
    public void Parse_HttpSection_DefaultsToLoopbackWithoutAuthentication()
    {
        var config = LvsConfigReader.Parse(Director + "http:\n  port: 9100\n");
        Assert.Equal(new HttpEndpointConfig { Address = Ipv4Address.Parse("127.0.0.1"), Port = 9100 }, config.Http);
        Assert.Null(LvsConfigReader.Parse(Director).Http);
    }

    [Fact]
    public void Parse_HttpSection_ReadsAuthenticationAndTls()
    {
        // sha256("secret") = 2bb80d53...a25b (sha256sum of the six bytes).
        var config = LvsConfigReader.Parse(Director + "http:\n  address: 10.0.0.2\n  port: 443\n  basic_auth:\n    username: ops\n    password_sha256: 2BB80D537B1DA3E38BD30361AA855686BDE0EACD7162FEF6A25FE97BF527A25B\n  tls:\n    certificate: /etc/lvsnet/c.pem\n    key: /etc/lvsnet/k.pem\n  admin_actions: true\n");
        var http = config.Http!;
        Assert.Equal(Ipv4Address.Parse("10.0.0.2"), http.Address);
        Assert.Equal(443, http.Port);
        Assert.Equal("ops", http.Username);
        Assert.Equal("2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b", http.PasswordSha256);
        Assert.Equal("/etc/lvsnet/c.pem", http.TlsCertificate);
        Assert.Equal("/etc/lvsnet/k.pem", http.TlsKey);
        Assert.True(http.AdminActions);
    }

    [Fact]
    public void Parse_HttpSectionWithMistakes_ReportsEveryErrorWithItsPathAndLine()
    {
        var yaml = Director + "http:\n  address: localhost\n  port: 70000\n  basic_auth:\n    username: a:b\n    password_sha256: secret\n  tls:\n    certificate: /c.pem\n  admin_actions: true\n  colour: blue\n";
        var error = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml));
        var paths = error.Errors.Select(e => $"{e.Path}@{e.Line}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["http.address@5", "http.basic_auth.password_sha256@9", "http.basic_auth.username@8", "http.colour@13", "http.port@6", "http.tls.key@11"], paths);
        Assert.DoesNotContain(error.Errors, e => e.Path == "http.admin_actions");

        var open = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Director + "http:\n  port: 9100\n  admin_actions: true\n"));
        Assert.Contains(open.Errors, e => e.Path == "http.admin_actions" && e.Message.Contains("basic_auth", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_ValidDocument_GivesTypedConfig()
    {
        var config = LvsConfigReader.Parse(Valid);
        Assert.Equal("eth0", config.Director.Interface);
        Assert.Equal(Ipv4Address.Parse("10.77.0.2"), config.Director.Address);
        Assert.Equal(24, config.Director.PrefixLength);
        Assert.Equal(4096, config.Connections.MaxEntries);
        Assert.Equal(TimeSpan.FromMinutes(15), config.Connections.TcpTimeout);
        Assert.Equal(TimeSpan.FromSeconds(120), config.Connections.UdpTimeout);
        Assert.Equal(TimeSpan.FromSeconds(120), config.Connections.TcpFinTimeout);
        var service = Assert.Single(config.VirtualServices);
        Assert.Equal("wrr", service.Scheduler);
        Assert.Equal(IpProtocol.Tcp, service.Protocol);
        Assert.Equal(2, service.RealServers.Length);
        Assert.Equal(3, service.RealServers[0].Weight);
        Assert.Equal(1, service.RealServers[1].Weight);
        Assert.Equal(80, service.RealServers[1].Port);
        Assert.Equal(ForwardingMethod.DirectRouting, service.RealServers[1].Method);
    }

    [Fact]
    public void Parse_BadDocument_ReportsEveryErrorWithPathAndLine()
    {
        const string Bad =
            """
            director:
              interface: eth0
              address: 10.77.0.2/24
              colour: blue
            virtual_services:
              - protocol: sctp
                address: 10.77.0.300
                port: 80
                scheduler: foo
              - address: 10.77.0.100
                port: 70000
                real_servers:
                  - address: 10.77.0.11
                    weight: -1
                    method: carrier-pigeon
            """;
        var ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Bad, "bad.yaml"));
        var errors = ex.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("director.colour (line 4): unknown key", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("virtual_services[0].protocol (line 6)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("virtual_services[0].address (line 7)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("virtual_services[0].scheduler (line 9): unknown scheduler 'foo'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("virtual_services[1].port (line 11)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("virtual_services[1].real_servers[0].weight (line 14)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("virtual_services[1].real_servers[0].method (line 15)", StringComparison.Ordinal));
        Assert.Equal(7, errors.Count);
        Assert.Contains("bad.yaml", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SemanticErrors_AreAllReported()
    {
        const string Bad =
            """
            director:
              interface: eth0
              address: 10.77.0.2/24
            virtual_services:
              - address: 10.77.0.100
                port: 80
                scheduler: rr
                real_servers:
                  - address: 10.77.0.11
                  - address: 10.77.0.11
                  - address: 192.168.5.5
                  - address: 10.77.0.12
                    port: 8080
              - address: 10.77.0.100
                port: 80
            """;
        var ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Bad));
        var errors = ex.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("virtual_services[0].real_servers[1] (line 10): duplicates", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("virtual_services[0].real_servers[2].address (line 11)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("virtual_services[0].real_servers[3].port (line 12)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("virtual_services[1] (line 14): duplicates", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("- a\n- b\n")]
    [InlineData("director: [unclosed\n")]
    public void Parse_NotAMapping_IsRejectedNotThrownOtherwise(string yaml)
    {
        var ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml));
        Assert.NotEmpty(ex.Errors);
    }

    [Fact]
    public void ExampleFiles_AreValid()
    {
        var dir = Path.Combine(Testing.TestEnvironment.RepositoryRoot, "config");
        foreach (var file in Directory.EnumerateFiles(dir, "*.yaml", SearchOption.AllDirectories))
        {
            LvsConfigReader.ReadFile(file);
        }
    }
}

public class PersistenceConfigTests
{
    [Theory]
    [InlineData("persistence_timeout:", 360)]
    [InlineData("persistence_timeout: 600", 600)]
    [InlineData("persistence_timeout: 1h", 3600)]
    public void PersistenceTimeout_DefaultsTo360WhenEmpty(string line, int seconds)
    {
        var config = LvsConfigReader.Parse($"director:\n  interface: eth0\n  address: 10.0.0.2/24\nvirtual_services:\n  - address: 10.0.0.100\n    scheduler: rr\n    port: 80\n    {line}\n    persistence_netmask: 255.255.255.0\n");
        Assert.Equal(TimeSpan.FromSeconds(seconds), config.VirtualServices[0].PersistenceTimeout);
        Assert.Equal(0xFFFFFF00u, config.VirtualServices[0].PersistenceNetmask);
    }

    [Theory]
    [InlineData("persistence_netmask: 255.0.255.0", "virtual_services[0].persistence_netmask")]
    [InlineData("one_packet_scheduling: true", "virtual_services[0].one_packet_scheduling")]
    [InlineData("port: 0", "virtual_services[0].port")]
    public void InvalidPersistenceSettings_AreRejected(string line, string path)
    {
        var yaml = $"director:\n  interface: eth0\n  address: 10.0.0.2/24\nvirtual_services:\n  - address: 10.0.0.100\n    scheduler: rr\n    {(line.StartsWith("port", StringComparison.Ordinal) ? line : "port: 80\n    " + line)}\n";
        var ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml));
        Assert.Contains(ex.Errors, e => e.Path == path);
    }

    [Fact]
    public void SynProxy_OnANatTcpService_IsRead()
    {
        var yaml = "director:\n  interface: eth0\n  address: 10.0.0.2/24\nvirtual_services:\n  - address: 10.0.0.100\n    port: 80\n    scheduler: rr\n    syn_proxy: true\n    real_servers:\n      - address: 10.0.0.11\n        method: nat\n";
        Assert.True(LvsConfigReader.Parse(yaml).VirtualServices[0].SynProxy);
    }

    [Theory]
    [InlineData("tcp", "dr")]
    [InlineData("tcp", "tun")]
    [InlineData("udp", "nat")]
    public void SynProxy_OtherThanTcpWithNatServers_IsRejectedWithPathAndLine(string protocol, string method)
    {
        var yaml = $"director:\n  interface: eth0\n  address: 10.0.0.2/24\nvirtual_services:\n  - address: 10.0.0.100\n    protocol: {protocol}\n    port: 80\n    scheduler: rr\n    syn_proxy: true\n    local_addresses: [10.0.0.50]\n    real_servers:\n      - address: 10.0.0.11\n        method: {method}\n";
        var errors = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml)).Errors;
        Assert.Contains(errors, e => e.Path == "virtual_services[0].syn_proxy" && e.Line == 5);
    }

    [Fact]
    public void CaptureRingAndBusyPoll_AreReadWithDefaults()
    {
        const string Head = "director:\n  interface: eth0\n  address: 10.0.0.2/24\n";
        var defaults = LvsConfigReader.Parse(Head).Capture;
        Assert.Equal((2, TimeSpan.Zero), (defaults.AfPacketRing, defaults.BusyPoll));

        var set = LvsConfigReader.Parse(Head + "capture:\n  backend: afpacket\n  afpacket_ring: 3\n  busy_poll_us: 50\n").Capture;
        Assert.Equal((3, TimeSpan.FromMicroseconds(50)), (set.AfPacketRing, set.BusyPoll));
    }

    [Fact]
    public void CaptureRingAndBusyPoll_OutOfRange_AreBothReportedWithPathAndLine()
    {
        var yaml = "director:\n  interface: eth0\n  address: 10.0.0.2/24\ncapture:\n  afpacket_ring: 1\n  busy_poll_us: 20000\n";
        var errors = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml)).Errors;
        Assert.Contains(errors, e => e.Path == "capture.afpacket_ring" && e.Line == 5);
        Assert.Contains(errors, e => e.Path == "capture.busy_poll_us" && e.Line == 6);
    }

    [Fact]
    public void SynQueue_IsOffByDefault_AndReadForPcap()
    {
        const string Head = "director:\n  interface: eth0\n  address: 10.0.0.2/24\n";
        Assert.Equal(0, LvsConfigReader.Parse(Head).Capture.SynQueueBytes);
        Assert.Equal(1 << 20, LvsConfigReader.Parse(Head + "capture:\n  backend: pcap\n  syn_queue_bytes: 1048576\n").Capture.SynQueueBytes);
    }

    [Theory]
    [InlineData("backend: afpacket\n  syn_queue_bytes: 1048576")]
    [InlineData("backend: afxdp\n  syn_queue_bytes: 1048576")]
    [InlineData("syn_queue_bytes: 4096")]
    public void SynQueue_OnAnotherBackendOrTooSmall_IsRejectedWithItsPath(string lines)
    {
        var yaml = "director:\n  interface: eth0\n  address: 10.0.0.2/24\ncapture:\n  " + lines + "\n";
        var errors = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml)).Errors;
        Assert.Contains(errors, e => e.Path == "capture.syn_queue_bytes");
    }

    [Fact]
    public void Vlan_IsNoneByDefault_AndReadFromTheDirector()
    {
        const string Head = "director:\n  interface: eth0\n  address: 10.0.0.2/24\n";
        Assert.Equal(0, LvsConfigReader.Parse(Head).Director.Vlan);
        Assert.Equal(100, LvsConfigReader.Parse(Head + "  vlan: 100\n").Director.Vlan);
        Assert.Equal(4094, LvsConfigReader.Parse(Head + "  vlan: 4094\n").Director.Vlan);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("4095")]
    [InlineData("-1")]
    [InlineData("eth0.100")]
    public void Vlan_OutsideOneTo4094_IsRejectedWithPathAndLine(string value)
    {
        var yaml = "director:\n  interface: eth0\n  address: 10.0.0.2/24\n  vlan: " + value + "\ncapture:\n  afpacket_ring: 1\n";
        var errors = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml)).Errors;
        Assert.Contains(errors, e => e.Path == "director.vlan" && e.Line == 4);
        Assert.Contains(errors, e => e.Path == "capture.afpacket_ring");
    }
}

public class SchedulingConfigTests
{
    private static string Document(string serviceLines, string serverLines = "") =>
        "director:\n  interface: eth0\n  address: 10.0.0.2/24\nvirtual_services:\n  - address: 10.0.0.100\n    port: 80\n"
        + string.Concat(serviceLines.Split('\n').Select(l => "    " + l + "\n"))
        + "    real_servers:\n      - address: 10.0.0.11\n"
        + string.Concat(serverLines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "        " + l + "\n"));

    private static List<ConfigError> Errors(string yaml) => [.. Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml)).Errors];

    [Fact]
    public void SchedulerKeys_AreRead()
    {
        var config = LvsConfigReader.Parse(Document("scheduler: sh\nscheduler_flags: [sh-port, SH-FALLBACK]", "upper_threshold: 100\nlower_threshold: 80"));
        var service = config.VirtualServices[0];
        Assert.Equal(["sh-port", "sh-fallback"], service.SchedulerFlags.ToArray());
        Assert.Equal(100, service.RealServers[0].UpperThreshold);
        Assert.Equal(80, service.RealServers[0].LowerThreshold);

        var commaList = LvsConfigReader.Parse(Document("scheduler: mh\nscheduler_flags: mh-port,flag-1\nmh_table_size: 65521"));
        Assert.Equal(["mh-port", "flag-1"], commaList.VirtualServices[0].SchedulerFlags.ToArray());
        Assert.Equal(65521, commaList.VirtualServices[0].MaglevTableSize);

        var lblc = LvsConfigReader.Parse(Document("scheduler: lblcr\nlblcr_expiration: 2h"));
        Assert.Equal(TimeSpan.FromHours(2), lblc.VirtualServices[0].LocalityExpiration);
    }

    [Fact]
    public void DynamicWeights_AreReadWithDefaults()
    {
        var config = LvsConfigReader.Parse(Document("scheduler: wlc\ndynamic_weights:\n  min_weight_percent: 25\n  max_weight_percent: 150\n  interval: 10s\n  smoothing: 0.5\n  latency_coefficient: 2"));
        var policy = config.VirtualServices[0].DynamicWeights!;
        Assert.True(policy.Enabled);
        Assert.Equal(25, policy.MinWeightPercent);
        Assert.Equal(150, policy.MaxWeightPercent);
        Assert.Equal(TimeSpan.FromSeconds(10), policy.Interval);
        Assert.Equal(0.5, policy.Smoothing);
        Assert.Equal(2.0, policy.LatencyCoefficient);
        Assert.Equal(0.5, policy.Gain);
        Assert.Equal(5, policy.DeadBandPercent);
        Assert.Equal(1, policy.HoldIntervals);
        Assert.Equal(2.0, policy.NoiseBandFactor);
        Assert.Equal(TimeSpan.FromSeconds(60), policy.FlapHalfLife);
    }

    [Theory]
    [InlineData("scheduler: rr\nscheduler_flags: [flag-1]", "", "virtual_services[0].scheduler_flags", "takes no flags")]
    [InlineData("scheduler: sh\nscheduler_flags: [mh-port]", "", "virtual_services[0].scheduler_flags", "accepts: sh-fallback")]
    [InlineData("scheduler: sh\nscheduler_flags: [flag-3]", "", "virtual_services[0].scheduler_flags", "does not apply")]
    [InlineData("scheduler: sh\nscheduler_flags: [sh-port, sh-sideways]", "", "virtual_services[0].scheduler_flags[1]", "unknown scheduler flag")]
    [InlineData("scheduler: wlc", "upper_threshold: 10\nlower_threshold: 11", "virtual_services[0].real_servers[0].lower_threshold", "must not exceed")]
    [InlineData("scheduler: wlc", "lower_threshold: 5", "virtual_services[0].real_servers[0].lower_threshold", "needs an upper_threshold")]
    [InlineData("scheduler: wlc", "upper_threshold: -1", "virtual_services[0].real_servers[0].upper_threshold", "between")]
    [InlineData("scheduler: mh\nmh_table_size: 4000", "", "virtual_services[0].mh_table_size", "primes")]
    [InlineData("scheduler: wlc\nmh_table_size: 4093", "", "virtual_services[0].mh_table_size", "only to scheduler mh")]
    [InlineData("scheduler: lblc\nlblcr_expiration: 1h", "", "virtual_services[0].lblcr_expiration", "only to scheduler lblcr")]
    [InlineData("scheduler: rr\nlblc_expiration: 1h", "", "virtual_services[0].lblc_expiration", "only to scheduler lblc")]
    [InlineData("scheduler: sh\ndynamic_weights:\n  interval: 5s", "", "virtual_services[0].dynamic_weights", "does not use weights as load shares")]
    [InlineData("scheduler: wlc\ndynamic_weights:\n  min_weight_percent: 50\n  max_weight_percent: 100\n  smoothing: 0", "", "virtual_services[0].dynamic_weights.smoothing", "above 0")]
    [InlineData("scheduler: wlc\ndynamic_weights:\n  max_weight_percent: 90", "", "virtual_services[0].dynamic_weights.max_weight_percent", "between 100 and 1000")]
    [InlineData("scheduler: wlc\ndynamic_weights:\n  colour: blue", "", "virtual_services[0].dynamic_weights.colour", "unknown key")]
    public void InvalidSchedulingSettings_AreRejectedWithPath(string serviceLines, string serverLines, string path, string message)
    {
        var errors = Errors(Document(serviceLines, serverLines));
        Assert.Contains(errors, e => e.Path == path && e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void DisabledDynamicWeights_AllowedWithAnyScheduler()
    {
        var config = LvsConfigReader.Parse(Document("scheduler: sh\ndynamic_weights:\n  enabled: false"));
        Assert.False(config.VirtualServices[0].DynamicWeights!.Enabled);
    }

    [Fact]
    public void Validator_RejectsMoreServersThanTheMaglevTable()
    {
        var servers = Enumerable.Range(0, 252).Select(i => new RealServerConfig { Address = Ipv4Address.Parse("10.0.0.0") + (uint)(i + 3), Port = 80 });
        var config = new LvsConfig
        {
            Director = new DirectorConfig { Interface = "eth0", Address = Ipv4Address.Parse("10.0.0.2"), PrefixLength = 16 },
            VirtualServices = [new VirtualServiceConfig { Protocol = IpProtocol.Tcp, Address = Ipv4Address.Parse("10.0.200.1"), Port = 80, Scheduler = "mh", MaglevTableSize = 251, RealServers = [.. servers] }],
        };
        Assert.Contains(ConfigValidator.Validate(config), e => e.Path == "virtual_services[0].real_servers" && e.Message.Contains("at most 251", StringComparison.Ordinal));
    }
}

public class FullNatConfigTests
{
    private static string Document(string serviceLines, string method = "fullnat", string protocol = "tcp") =>
        "director:\n  interface: eth0\n  address: 10.0.0.2/24\nvirtual_services:\n  - address: 10.0.0.100\n    port: 80\n    protocol: " + protocol + "\n"
        + string.Concat(serviceLines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "    " + l + "\n"))
        + "    real_servers:\n      - address: 10.0.0.11\n        port: 8080\n        method: " + method + "\n";

    private static List<ConfigError> Errors(string yaml) => [.. Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml)).Errors];

    [Fact]
    public void LocalAddressesAndToa_AreRead()
    {
        var service = LvsConfigReader.Parse(Document("local_addresses: [10.0.0.50, 10.0.0.51]\ntoa: true")).VirtualServices[0];
        Assert.Equal([Ipv4Address.Parse("10.0.0.50"), Ipv4Address.Parse("10.0.0.51")], service.LocalAddresses.ToArray());
        Assert.True(service.Toa);
        Assert.Equal(Configuration.ForwardingMethod.FullNat, service.RealServers[0].Method);
        var single = LvsConfigReader.Parse(Document("local_addresses: 10.0.0.50")).VirtualServices[0];
        Assert.Equal([Ipv4Address.Parse("10.0.0.50")], single.LocalAddresses.ToArray());
    }

    [Fact]
    public void FullNatWithoutPool_IsRejectedAtTheServersMethod()
    {
        var error = Assert.Single(Errors(Document("")));
        Assert.Equal("virtual_services[0].real_servers[0].method", error.Path);
        Assert.Contains("local_addresses", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadPools_ReportEveryErrorWithItsPath()
    {
        var errors = Errors(Document("local_addresses: [10.0.0.50, 10.0.0.50, 10.0.0.100, 10.0.0.2, 10.0.0.11]\ntoa: true", protocol: "udp"));
        var paths = errors.Select(e => e.Path).ToList();
        Assert.Contains("virtual_services[0].local_addresses[1]", paths);
        Assert.Contains("virtual_services[0].local_addresses[2]", paths);
        Assert.Contains("virtual_services[0].local_addresses[3]", paths);
        Assert.Contains("virtual_services[0].local_addresses[4]", paths);
        Assert.Contains("virtual_services[0].toa", paths);
        Assert.Equal("virtual_services[0].local_addresses[1]", Assert.Single(Errors(Document("local_addresses: [10.0.0.50, 10.0.0.999]"))).Path);
    }

    [Fact]
    public void ToaWithoutPool_IsRejected()
    {
        var errors = Errors(Document("toa: true", method: "nat"));
        Assert.Equal("virtual_services[0].toa", Assert.Single(errors).Path);
    }
}
