using System.Collections.Immutable;
using System.Reflection;
using LvsNet.Control.Yaml;
using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Testing.ControlFixtures;

namespace LvsNet.Control.Tests.Yaml;

public class ConfigYamlWriterTests
{
    // Every configuration property ConfigYamlWriter writes. A property missing here fails
    // Write_KnowsEveryConfigurationProperty: teach the writer the new key, then list it here.
    private static readonly string[] Written =
    [
        "LvsConfig.Director", "LvsConfig.Capture", "LvsConfig.Connections", "LvsConfig.VirtualServices", "LvsConfig.FirewallMarks", "VirtualServiceConfig.FirewallMark", "LvsConfig.Http", "LvsConfig.HighAvailability", "LvsConfig.Announce",
        "AnnounceConfig.RoutesFile", "AnnounceConfig.BirdConfig", "AnnounceConfig.BirdSocket", "AnnounceConfig.BirdBinary", "AnnounceConfig.Require", "AnnounceConfig.DrainTimeout", "AnnounceConfig.StopDelay",
        "HttpEndpointConfig.Address", "HttpEndpointConfig.Port", "HttpEndpointConfig.Username", "HttpEndpointConfig.PasswordSha256",
        "HttpEndpointConfig.TlsCertificate", "HttpEndpointConfig.TlsKey", "HttpEndpointConfig.AdminActions",
        "DirectorConfig.Interface", "DirectorConfig.Address", "DirectorConfig.PrefixLength", "DirectorConfig.Gateway", "DirectorConfig.GatewayMac", "DirectorConfig.Address6", "DirectorConfig.PrefixLength6", "DirectorConfig.Gateway6", "DirectorConfig.PrepareHost", "DirectorConfig.Vlan",
        "CaptureConfig.Backend", "CaptureConfig.Workers", "CaptureConfig.BufferSizeBytes", "CaptureConfig.BatchSize", "CaptureConfig.CaptureTo", "CaptureConfig.AfPacketRing", "CaptureConfig.BusyPoll", "CaptureConfig.SynQueueBytes",
        "ConnectionTableConfig.MaxEntries", "ConnectionTableConfig.TcpTimeout", "ConnectionTableConfig.TcpFinTimeout", "ConnectionTableConfig.UdpTimeout",
        "ConnectionTableConfig.ExpireNodestConnections", "ConnectionTableConfig.ExpireQuiescentTemplates", "ConnectionTableConfig.SloppyTcp",
        "ConnectionTableConfig.DropEntry", "ConnectionTableConfig.DropPacket", "ConnectionTableConfig.SecureTcp", "ConnectionTableConfig.AmDropRate", "ConnectionTableConfig.AmemThreshold", "ConnectionTableConfig.PerSourceRate", "ConnectionTableConfig.PerSourceBurst", "ConnectionTableConfig.PerSourcePrefix",
        "LvsConfig.Fragments", "FragmentConfig.MemoryBytes", "FragmentConfig.MaxDatagrams", "FragmentConfig.Timeout",
        "VirtualServiceConfig.Name", "VirtualServiceConfig.Protocol", "VirtualServiceConfig.Address", "VirtualServiceConfig.Address6", "VirtualServiceConfig.IsIpv6", "VirtualServiceConfig.AddressText", "VirtualServiceConfig.EndpointText", "VirtualServiceConfig.Port", "VirtualServiceConfig.Scheduler",
        "VirtualServiceConfig.RealServers", "VirtualServiceConfig.PersistenceTimeout", "VirtualServiceConfig.PersistenceNetmask", "VirtualServiceConfig.PersistencePrefixLength", "VirtualServiceConfig.OnePacketScheduling",
        "VirtualServiceConfig.SchedulerFlags", "VirtualServiceConfig.MaglevTableSize", "VirtualServiceConfig.LocalityExpiration", "VirtualServiceConfig.DynamicWeights",
        "RealServerConfig.Address", "RealServerConfig.Address6", "RealServerConfig.IsIpv6", "RealServerConfig.AddressText", "RealServerConfig.EndpointText", "RealServerConfig.Port", "RealServerConfig.Weight", "RealServerConfig.Method", "RealServerConfig.UpperThreshold", "RealServerConfig.LowerThreshold", "RealServerConfig.Mac",
        "VirtualServiceConfig.HealthCheck", "VirtualServiceConfig.Quorum", "RealServerConfig.HealthCheck",
        "VirtualServiceConfig.LocalAddresses", "VirtualServiceConfig.LocalAddresses6", "VirtualServiceConfig.Toa", "VirtualServiceConfig.SynProxy",
        "DynamicWeightsConfig.Enabled", "DynamicWeightsConfig.MinWeightPercent", "DynamicWeightsConfig.MaxWeightPercent", "DynamicWeightsConfig.Interval",
        "DynamicWeightsConfig.Smoothing", "DynamicWeightsConfig.Gain", "DynamicWeightsConfig.MaxStepPercent", "DynamicWeightsConfig.DeadBandPercent",
        "DynamicWeightsConfig.HoldIntervals", "DynamicWeightsConfig.NoiseBandFactor", "DynamicWeightsConfig.FlapHalfLife", "DynamicWeightsConfig.HandshakeCoefficient",
        "DynamicWeightsConfig.ConnectionCoefficient", "DynamicWeightsConfig.LatencyCoefficient", "DynamicWeightsConfig.FailureCoefficient",
        "VirtualServiceConfig.AgentCheck", "RealServerConfig.AgentCheck",
        "AgentCheckConfig.Enabled", "AgentCheckConfig.Port", "AgentCheckConfig.Interval", "AgentCheckConfig.Timeout", "AgentCheckConfig.Send",
        "HighAvailabilityConfig.InitialRole", "HighAvailabilityConfig.GarpMasterRepeat", "HighAvailabilityConfig.GarpMasterDelay", "HighAvailabilityConfig.GarpMasterRefresh",
        "HighAvailabilityConfig.GarpMasterRefreshRepeat", "HighAvailabilityConfig.FloatingAddresses", "HighAvailabilityConfig.FloatingAddresses6", "HighAvailabilityConfig.SyncDaemon",
        "HighAvailabilityConfig.NotifyFifo", "HighAvailabilityConfig.VrrpInstance",
        "SyncDaemonConfig.Mode", "SyncDaemonConfig.Interface", "SyncDaemonConfig.SyncId", "SyncDaemonConfig.Version", "SyncDaemonConfig.MaxLength", "SyncDaemonConfig.Group",
        "SyncDaemonConfig.Port", "SyncDaemonConfig.Ttl", "SyncDaemonConfig.Threshold", "SyncDaemonConfig.Period", "SyncDaemonConfig.RefreshPeriod", "SyncDaemonConfig.Retries",
        "SyncDaemonConfig.QueueLength", "SyncDaemonConfig.AuthKey", "SyncDaemonConfig.ResyncPeriod", "SyncDaemonConfig.ResyncRate",
        "FirewallMarkRule.Mark", "FirewallMarkRule.Protocol", "FirewallMarkRule.Destinations", "FirewallMarkRule.Destinations6", "FirewallMarkRule.Ports",
        "SorryServerConfig.Address", "SorryServerConfig.Address6", "SorryServerConfig.IsIpv6", "SorryServerConfig.EndpointText", "SorryServerConfig.Port", "SorryServerConfig.Method", "SorryServerConfig.Weight", "SorryServerConfig.Inhibit",
    ];

    // Everything set away from its default, so a key that does not round-trip shows.
    private static LvsConfig Maximal() => new()
    {
        Director = new DirectorConfig { Interface = "eth0.100", Address = Ip("10.0.0.2"), PrefixLength = 23, Gateway = Ip("10.0.0.1"), GatewayMac = MacAddress.Parse("52:54:00:00:00:01"), PrepareHost = false, Vlan = 100 },
        Capture = new CaptureConfig { Backend = CaptureBackend.AfPacket, Workers = 2, BufferSizeBytes = 1 << 20, BatchSize = 32, CaptureTo = "/var/tmp/sent frames #1.pcap", AfPacketRing = 3, BusyPoll = TimeSpan.FromMicroseconds(50) },
        Connections = new ConnectionTableConfig
        {
            MaxEntries = 4096, TcpTimeout = TimeSpan.FromSeconds(61), TcpFinTimeout = TimeSpan.FromMinutes(2.5), UdpTimeout = TimeSpan.FromHours(1),
            ExpireNodestConnections = true, ExpireQuiescentTemplates = true, SloppyTcp = true,
            PerSourceRate = 20, PerSourceBurst = 50, PerSourcePrefix = 24,
        },
        Fragments = new FragmentConfig { MemoryBytes = 4 << 20, MaxDatagrams = 1024, Timeout = TimeSpan.FromSeconds(2.5) },
        HighAvailability = new HighAvailabilityConfig
        {
            InitialRole = DirectorRole.Backup, GarpMasterRepeat = 3, GarpMasterDelay = TimeSpan.FromSeconds(2), GarpMasterRefresh = TimeSpan.FromMinutes(1), GarpMasterRefreshRepeat = 2,
            FloatingAddresses = [Ip("10.0.0.254"), Ip("10.0.0.253")],
            NotifyFifo = "/run/keepalived/lvsnet fifo", VrrpInstance = "VI_LVSNET",
            SyncDaemon = new SyncDaemonConfig
            {
                Mode = SyncDaemonMode.Master, Interface = "eth1", SyncId = 9, Version = 0, MaxLength = 1200, Group = Ip("224.0.0.82"), Port = 8849, Ttl = 2,
                Threshold = 5, Period = 60, RefreshPeriod = TimeSpan.FromSeconds(20), Retries = 2, QueueLength = 1024,
                AuthKey = "00112233445566778899aabbccddeeff", ResyncPeriod = TimeSpan.FromSeconds(5), ResyncRate = 5000,
            },
        },
        Announce = new AnnounceConfig
        {
            RoutesFile = "/run/lvsnet/vips.conf", BirdConfig = "/etc/lvsnet/bird.conf", BirdSocket = "/run/lvsnet/b.ctl", BirdBinary = "/usr/local/sbin/bird",
            Require = AnnounceRequirement.AnyService, DrainTimeout = TimeSpan.FromSeconds(90), StopDelay = TimeSpan.FromMilliseconds(500),
        },
        FirewallMarks =
        [
            new FirewallMarkRule { Mark = 4_000_000_000, Protocol = IpProtocol.Tcp, Destinations = [new AddressPrefix(Ip("10.0.0.110"), 32), new AddressPrefix(Ip("10.0.0.120"), 29)], Ports = [new PortRange(80, 80), new PortRange(8000, 8080)] },
            new FirewallMarkRule { Mark = 4_000_000_000, Destinations = [new AddressPrefix(Ip("10.0.0.111"), 32)] },
        ],
        VirtualServices =
        [
            new VirtualServiceConfig
            {
                Name = "web: \"main\" #1", Protocol = IpProtocol.Tcp, Address = Ip("10.0.0.100"), Port = 80, Scheduler = "sh",
                SchedulerFlags = ["sh-port", "sh-fallback"], PersistenceTimeout = TimeSpan.FromSeconds(600), PersistenceNetmask = Ip("255.255.255.0"),
                RealServers =
                [
                    new RealServerConfig { Address = Ip("10.0.0.12"), Port = 80, Weight = 0, UpperThreshold = 100, LowerThreshold = 50 },
                    new RealServerConfig { Address = Ip("10.0.0.11"), Port = 8080, Weight = 65535, Method = ForwardingMethod.Nat, Mac = MacAddress.Parse("52:54:00:00:00:11") },
                ],
            },
            new VirtualServiceConfig { Name = "true", Protocol = IpProtocol.Udp, Address = Ip("10.0.0.100"), Port = 53, Scheduler = "rr", OnePacketScheduling = true },
            new VirtualServiceConfig { Protocol = IpProtocol.Tcp, Address = Ip("10.0.0.101"), Port = 0, Scheduler = "mh", PersistenceTimeout = TimeSpan.FromSeconds(30), MaglevTableSize = 65521, SchedulerFlags = ["mh-port"] },
            new VirtualServiceConfig
            {
                Protocol = IpProtocol.Tcp, Address = Ip("10.0.0.102"), Port = 80, Scheduler = "lblc", LocalityExpiration = TimeSpan.FromHours(2),
                LocalAddresses = [Ip("10.0.0.50"), Ip("10.0.0.51")], Toa = true,
                RealServers = [new RealServerConfig { Address = Ip("10.0.0.13"), Port = 8080, Method = ForwardingMethod.FullNat }],
            },
            new VirtualServiceConfig { Protocol = IpProtocol.Tcp, Address = Ip("10.0.0.103"), Port = 80, Scheduler = "lblcr", LocalityExpiration = TimeSpan.FromMinutes(30) },
            new VirtualServiceConfig
            {
                Protocol = IpProtocol.Tcp, Address = Ip("10.0.0.105"), Port = 80, Scheduler = "rr", SynProxy = true,
                RealServers = [new RealServerConfig { Address = Ip("10.0.0.16"), Port = 8080, Method = ForwardingMethod.Nat }],
            },
            new VirtualServiceConfig
            {
                Protocol = 0, Address = 0, Port = 0, FirewallMark = 4_000_000_000, Scheduler = "rr", PersistenceTimeout = TimeSpan.FromSeconds(360), OnePacketScheduling = true,
                RealServers = [new RealServerConfig { Address = Ip("10.0.0.14"), Port = 443 }, new RealServerConfig { Address = Ip("10.0.0.15"), Port = 0, Method = ForwardingMethod.Tunnel }],
            },
            new VirtualServiceConfig
            {
                Protocol = IpProtocol.Tcp, Address = Ip("10.0.0.104"), Port = 443, Scheduler = "wlc",
                DynamicWeights = new DynamicWeightsConfig
                {
                    Enabled = true, MinWeightPercent = 20, MaxWeightPercent = 150, Interval = TimeSpan.FromSeconds(7), Smoothing = 0.25, Gain = 0.125,
                    MaxStepPercent = 7, DeadBandPercent = 6, HoldIntervals = 2, NoiseBandFactor = 1.5, FlapHalfLife = TimeSpan.FromSeconds(45), ConnectionCoefficient = 1.5, LatencyCoefficient = 0.1, FailureCoefficient = 3, HandshakeCoefficient = 0.75,
                },
                AgentCheck = new AgentCheckConfig { Port = 9777, Interval = TimeSpan.FromSeconds(3), Timeout = TimeSpan.FromMilliseconds(500), Send = "load? #now" },
                RealServers =
                [
                    new RealServerConfig { Address = Ip("10.0.1.200"), Port = 443, Weight = 5 },
                    new RealServerConfig { Address = Ip("10.0.1.201"), Port = 443, Weight = 5, AgentCheck = new AgentCheckConfig { Enabled = false } },
                    new RealServerConfig { Address = Ip("10.0.1.202"), Port = 443, Weight = 5, AgentCheck = new AgentCheckConfig() },
                    new RealServerConfig { Address = Ip("10.0.1.203"), Port = 443, Weight = 5, AgentCheck = new AgentCheckConfig { Port = 9778, Enabled = true } },
                ],
            },
        ],
    };

    private static void AssertSame(LvsConfig expected, LvsConfig actual)
    {
        Assert.Equal(expected.Director, actual.Director);
        Assert.Equal(expected.Capture, actual.Capture);
        Assert.Equal(expected.Connections, actual.Connections);
        Assert.Equal(expected.Announce, actual.Announce);
        Assert.Equal(expected.FirewallMarks.AsEnumerable(), actual.FirewallMarks.AsEnumerable());
        Assert.Equal(expected.VirtualServices.Length, actual.VirtualServices.Length);
        for (var i = 0; i < expected.VirtualServices.Length; i++)
        {
            Assert.Equal(expected.VirtualServices[i], actual.VirtualServices[i]);
        }
    }

    [Fact]
    public void Write_MaximalConfig_ReadsBackEqual()
    {
        var config = Maximal();
        var yaml = ConfigYamlWriter.Write(config, ["a header"]);
        var read = LvsConfigReader.Parse(yaml, "exported.yaml");
        AssertSame(config, read);
        Assert.Equal(yaml, ConfigYamlWriter.Write(read, ["a header"]));
    }

    [Fact]
    public void Write_PcapSynQueue_ReadsBackEqual()
    {
        var config = LvsConfigReader.Parse("director:\n  interface: eth0\n  address: 10.0.0.2/24\ncapture:\n  syn_queue_bytes: 2097152\nvirtual_services: []\n");
        var yaml = ConfigYamlWriter.Write(config);
        Assert.Contains("  syn_queue_bytes: 2097152\n", yaml, StringComparison.Ordinal);
        Assert.Equal(2 << 20, LvsConfigReader.Parse(yaml, "exported.yaml").Capture.SynQueueBytes);
    }

    [Fact]
    public void Write_Ipv6Service_ReadsBackEqual()
    {
        var config = LvsConfigReader.Parse(
            "director:\n  interface: eth0\n  address: 10.0.0.2/24\nvirtual_services:\n  - protocol: udp\n    address: \"[2001:db8::100]\"\n    port: 53\n    scheduler: sh\n    real_servers:\n      - address: 2001:db8::11\n        weight: 3\n      - address: fd00::12\n");
        var yaml = ConfigYamlWriter.Write(config);
        Assert.Contains("address: 2001:db8::100", yaml, StringComparison.Ordinal);
        Assert.Contains("- address: fd00::12", yaml, StringComparison.Ordinal);
        var read = LvsConfigReader.Parse(yaml, "exported.yaml");
        AssertSame(config, read);
        Assert.Equal(yaml, ConfigYamlWriter.Write(read));
    }

    [Fact]
    public void Write_Ipv6FullNatService_LocalAddressesReadBackEqual()
    {
        var config = LvsConfigReader.Parse(
            "director:\n  interface: eth0\n  address: 10.0.0.2/24\n  address6: 2001:db8::2/64\nvirtual_services:\n  - address: 2001:db8::100\n    port: 80\n    local_addresses: [2001:db8::50, fd00::51]\n    real_servers:\n      - address: 2001:db8::11\n        port: 8080\n        method: fullnat\n");
        var yaml = ConfigYamlWriter.Write(config);
        Assert.Contains("    local_addresses: [2001:db8::50, fd00::51]\n", yaml, StringComparison.Ordinal);
        Assert.Contains("method: fullnat", yaml, StringComparison.Ordinal);
        var read = LvsConfigReader.Parse(yaml, "exported.yaml");
        Assert.Equal([Ipv6Address.Parse("2001:db8::50"), Ipv6Address.Parse("fd00::51")], read.VirtualServices[0].LocalAddresses6.ToArray());
        Assert.Equal(config.VirtualServices[0], read.VirtualServices[0]);
        Assert.Equal(yaml, ConfigYamlWriter.Write(read));
    }

    [Fact]
    public void Write_Ipv6FullNatServiceWithToaAndSynProxy_ReadsBackEqual()
    {
        var config = LvsConfigReader.Parse(
            "director:\n  interface: eth0\n  address: 10.0.0.2/24\n  address6: 2001:db8::2/64\nvirtual_services:\n  - address: 2001:db8::100\n    port: 80\n    toa: true\n    syn_proxy: true\n    local_addresses: [2001:db8::50]\n    real_servers:\n      - address: 2001:db8::11\n        port: 8080\n        method: fullnat\n");
        var yaml = ConfigYamlWriter.Write(config);
        Assert.Contains("    toa: true\n", yaml, StringComparison.Ordinal);
        Assert.Contains("    syn_proxy: true\n", yaml, StringComparison.Ordinal);
        var read = LvsConfigReader.Parse(yaml, "exported.yaml");
        Assert.True(read.VirtualServices[0].Toa && read.VirtualServices[0].SynProxy);
        Assert.Equal(config.VirtualServices[0], read.VirtualServices[0]);
        Assert.Equal(yaml, ConfigYamlWriter.Write(read));
    }

    [Fact]
    public void Write_Nat64Service_Ipv4LocalAddressesAndIpv4FullNatServers_ReadBackEqual()
    {
        var config = LvsConfigReader.Parse(
            "director:\n  interface: eth0\n  address: 10.0.0.2/24\n  address6: 2001:db8::2/64\nvirtual_services:\n  - address: 2001:db8::100\n    port: 80\n    local_addresses: [10.0.0.50, 2001:db8::50]\n    real_servers:\n      - address: 10.0.0.11\n        port: 8080\n        method: fullnat\n      - address: 2001:db8::11\n        method: fullnat\n");
        var yaml = ConfigYamlWriter.Write(config);
        Assert.Contains("    local_addresses: [10.0.0.50, 2001:db8::50]\n", yaml, StringComparison.Ordinal);
        Assert.Contains("- address: 10.0.0.11", yaml, StringComparison.Ordinal);
        var read = LvsConfigReader.Parse(yaml, "exported.yaml");
        Assert.Equal([LvsNet.Packets.Ipv4Address.Parse("10.0.0.50")], read.VirtualServices[0].LocalAddresses.ToArray());
        Assert.Equal(ForwardingMethod.FullNat, read.VirtualServices[0].RealServers[0].Method);
        Assert.False(read.VirtualServices[0].RealServers[0].IsIpv6);
        Assert.Equal(config.VirtualServices[0], read.VirtualServices[0]);
        Assert.Equal(yaml, ConfigYamlWriter.Write(read));
    }

    [Fact]
    public void Write_DirectorAddress6AndGateway6_ReadBackEqual()
    {
        var config = LvsConfigReader.Parse("director:\n  interface: eth0\n  address: 10.0.0.2/24\n  address6: 2001:db8::2/56\n  gateway6: fe80::1\nvirtual_services: []\n");
        var yaml = ConfigYamlWriter.Write(config);
        Assert.Contains("  address6: 2001:db8::2/56\n  gateway6: fe80::1\n", yaml, StringComparison.Ordinal);
        var read = LvsConfigReader.Parse(yaml, "exported.yaml");
        Assert.Equal(config.Director, read.Director);
        Assert.Equal(yaml, ConfigYamlWriter.Write(read));
    }

    [Fact]
    public void Write_Ipv6PersistencePrefixLength_ReadBackEqual()
    {
        var config = LvsConfigReader.Parse("director:\n  interface: eth0\n  address: 10.0.0.2/24\nvirtual_services:\n  - address: 2001:db8::100\n    port: 80\n    persistence_timeout: 300\n    persistence_netmask: /64\n    real_servers:\n      - address: 2001:db8::11\n");
        var yaml = ConfigYamlWriter.Write(config);
        Assert.Contains("    persistence_netmask: /64\n", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("255.255.255.255", yaml, StringComparison.Ordinal);
        var read = LvsConfigReader.Parse(yaml, "exported.yaml");
        Assert.Equal(64, read.VirtualServices[0].PersistencePrefixLength);
        Assert.Equal(config.VirtualServices[0], read.VirtualServices[0]);
        Assert.Equal(yaml, ConfigYamlWriter.Write(read));
    }

    [Fact]
    public void Write_Ipv6FirewallMarkServiceRuleAndSorryServer_ReadBackEqual()
    {
        var config = LvsConfigReader.Parse(
            "director:\n  interface: eth0\n  address: 10.0.0.2/24\nfirewall_marks:\n  - mark: 7\n    protocol: udp\n    destinations: [10.0.0.100, 2001:db8::100, 2001:db8::1:0/124]\n    ports: [53]\n"
            + "virtual_services:\n  - fwmark: 7\n    family: inet6\n    one_packet_scheduling: true\n    persistence_timeout: 60\n    persistence_netmask: /64\n    sorry_server:\n      address: 2001:db8::99\n      port: 53\n    real_servers:\n      - address: 2001:db8::11\n"
            + "  - fwmark: 7\n    real_servers:\n      - address: 10.0.0.11\n");
        var yaml = ConfigYamlWriter.Write(config);
        Assert.Contains("  - fwmark: 7\n    family: inet6\n", yaml, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(yaml, "family:"));
        var read = LvsConfigReader.Parse(yaml, "exported.yaml");
        Assert.Equal(config.FirewallMarks.AsEnumerable(), read.FirewallMarks.AsEnumerable());
        Assert.Equal(config.VirtualServices.AsEnumerable(), read.VirtualServices.AsEnumerable());
        Assert.True(read.VirtualServices[0].IsIpv6);
        Assert.False(read.VirtualServices[1].IsIpv6);
        Assert.Equal(yaml, ConfigYamlWriter.Write(read));
    }

    [Fact]
    public void Write_MinimalConfig_OmitsDefaultsAndReadsBack()
    {
        var yaml = ConfigYamlWriter.Write(Empty);
        Assert.Equal("director:\n  interface: eth0\n  address: 10.0.0.2/24\nvirtual_services: []\n", yaml);
        AssertSame(Empty, LvsConfigReader.Parse(yaml));
    }

    [Fact]
    public void Write_ExampleFiles_RoundTrip()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Testing.TestEnvironment.RepositoryRoot, "config"), "*.yaml", SearchOption.AllDirectories))
        {
            var config = LvsConfigReader.ReadFile(file);
            AssertSame(config, LvsConfigReader.Parse(ConfigYamlWriter.Write(config), file));
        }
    }

    [Fact]
    public void Write_FloodDefenceKeys_ReadBackEqual()
    {
        var config = LvsConfigReader.Parse("director:\n  interface: eth0\n  address: 10.0.0.2/24\nconnections:\n  drop_entry: 1\n  drop_packet: 3\n  secure_tcp: 2\n  am_droprate: 7\n  amemthresh: 2048\n");
        Assert.Equal(config.Connections, LvsConfigReader.Parse(ConfigYamlWriter.Write(config)).Connections);
    }

    [Fact]
    public void Write_AnnounceAndMultiMasterSync_ReadBackEqual()
    {
        var config = LvsConfigReader.Parse("director:\n  interface: eth0\n  address: 10.0.0.2/24\nannounce:\n  routes_file: /run/lvsnet/vips.conf\nhigh_availability:\n  sync_daemon:\n    mode: master_and_backup\n");
        var yaml = ConfigYamlWriter.Write(config);
        Assert.Contains("announce:\n  routes_file: /run/lvsnet/vips.conf\n", yaml, StringComparison.Ordinal);
        Assert.Contains("    mode: master_and_backup\n", yaml, StringComparison.Ordinal);
        var read = LvsConfigReader.Parse(yaml);
        Assert.Equal(config.Announce, read.Announce);
        Assert.Equal(config.HighAvailability, read.HighAvailability);
    }

    [Fact]
    public void Write_FloatingAddressesOfBothFamilies_ReadBackEqual()
    {
        var config = LvsConfigReader.Parse("director:\n  interface: eth0\n  address: 10.0.0.2/24\n  address6: 2001:db8::2/64\nhigh_availability:\n  floating_addresses: [2001:db8::fe, 10.0.0.254, 2001:db8::fd]\n");
        var yaml = ConfigYamlWriter.Write(config);
        Assert.Contains("high_availability:\n  floating_addresses: [10.0.0.254, 2001:db8::fe, 2001:db8::fd]\n", yaml, StringComparison.Ordinal);
        var read = LvsConfigReader.Parse(yaml).HighAvailability;
        Assert.Equal(config.HighAvailability.FloatingAddresses.ToArray(), read.FloatingAddresses.ToArray());
        Assert.Equal(config.HighAvailability.FloatingAddresses6.ToArray(), read.FloatingAddresses6.ToArray());
        Assert.Equal(2, read.FloatingAddresses6.Length);
    }

    [Fact]
    public void Write_HttpSection_ReadsBackEqual()
    {
        const string Hash = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b";
        var config = LvsConfigReader.Parse($"director:\n  interface: eth0\n  address: 10.0.0.2/24\nhttp:\n  address: 0.0.0.0\n  port: 9100\n  basic_auth:\n    username: ops\n    password_sha256: {Hash}\n  tls:\n    certificate: /etc/lvsnet/status.crt\n    key: /etc/lvsnet/status.key\n  admin_actions: true\n");
        var yaml = ConfigYamlWriter.Write(config);
        Assert.Contains("http:\n  address: 0.0.0.0\n  port: 9100\n  basic_auth:\n    username: ops\n", yaml, StringComparison.Ordinal);
        Assert.Equal(config.Http, LvsConfigReader.Parse(yaml).Http);

        var loopback = LvsConfigReader.Parse("director:\n  interface: eth0\n  address: 10.0.0.2/24\nhttp:\n  port: 9100\n");
        Assert.Equal("director:\n  interface: eth0\n  address: 10.0.0.2/24\nhttp:\n  port: 9100\nvirtual_services: []\n", ConfigYamlWriter.Write(loopback));
    }

    [Fact]
    public void Write_AfterIpvsadmEdits_ReadsBackEqual()
    {
        var config = Apply(Empty, "-A -t 10.0.0.100:80 -s wrr -p", "-a -t 10.0.0.100:80 -r 10.0.0.11 -w 3", "-a -t 10.0.0.100:80 -r 10.0.0.12:8080 -m", "--set 100 0 20", "-A -f 3 -s sh -p 60", "-a -f 3 -r 10.0.0.13:443 -g");
        AssertSame(config, LvsConfigReader.Parse(ConfigYamlWriter.Write(config)));
    }

    [Fact]
    public void Write_KnowsEveryConfigurationProperty()
    {
        var types = new[] { typeof(LvsConfig), typeof(AnnounceConfig), typeof(DirectorConfig), typeof(CaptureConfig), typeof(ConnectionTableConfig), typeof(VirtualServiceConfig), typeof(RealServerConfig), typeof(DynamicWeightsConfig), typeof(HttpEndpointConfig), typeof(AgentCheckConfig), typeof(HighAvailabilityConfig), typeof(SyncDaemonConfig), typeof(FirewallMarkRule), typeof(SorryServerConfig) };
        var properties = types
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name != "EqualityContract").Select(p => $"{t.Name}.{p.Name}"))
            .Order(StringComparer.Ordinal);
        var unknown = properties.Except(Written, StringComparer.Ordinal).ToList();
        Assert.True(unknown.Count == 0, "ConfigYamlWriter does not write: " + string.Join(", ", unknown) + " (lvsnetadm export-yaml and --write-config would drop them)");
    }

    [Theory]
    [InlineData("web", "web")]
    [InlineData("eth0.100", "eth0.100")]
    [InlineData("/var/tmp/x.pcap", "/var/tmp/x.pcap")]
    [InlineData("yes", "\"yes\"")]
    [InlineData("80", "\"80\"")]
    [InlineData("a: b", "\"a: b\"")]
    [InlineData("x #y", "\"x #y\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("", "\"\"")]
    [InlineData("-dash", "\"-dash\"")]
    public void Scalar_QuotesOnlyWhenNeeded(string value, string expected) => Assert.Equal(expected, ConfigYamlWriter.Scalar(value));

    [Fact]
    public void Write_ListOrder_IsKept()
    {
        var config = Empty with
        {
            VirtualServices =
            [
                new VirtualServiceConfig
                {
                    Protocol = IpProtocol.Tcp, Address = Ip("10.0.0.100"), Port = 80, Scheduler = "rr",
                    RealServers = ImmutableArray.Create(new RealServerConfig { Address = Ip("10.0.0.13"), Port = 80 }, new RealServerConfig { Address = Ip("10.0.0.11"), Port = 80 }),
                },
            ],
        };
        var read = LvsConfigReader.Parse(ConfigYamlWriter.Write(config));
        Assert.Equal([Ip("10.0.0.13"), Ip("10.0.0.11")], read.VirtualServices[0].RealServers.Select(s => s.Address));
    }
}
