using System.Collections.Immutable;
using LvsNet.Cli.Import;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using Xunit;
using static LvsNet.Cli.Tests.Import.KeepalivedTestFiles;
using static LvsNet.Testing.ControlFixtures;

namespace LvsNet.Cli.Tests.Import;

/// <summary>
/// A full keepalived.conf (TestData/web-director.conf) imported, written as YAML, read back and
/// validated: the model equals the one keepalived.conf(5) and keepalived's parser defaults describe,
/// written out here by hand (not derived from the importer).
/// </summary>
public class KeepalivedRoundTripTests
{
    private static readonly string Text = Read("web-director.conf");

    private static readonly ImportResult Result = ConfigImporter.Import(Text, Director);

    [Fact]
    public void Import_FullFile_IsCompleteAndRoundTrips()
    {
        Assert.Equal("keepalived", Result.Format);
        Assert.Empty(Result.Errors);
        Assert.Empty(Result.ValidationErrors);
        Assert.True(Result.Complete);

        var yaml = Result.ToYaml("web-director.conf");
        var read = LvsConfigReader.Parse(yaml, "imported.yaml");
        Assert.Empty(ConfigValidator.Validate(read));
        Assert.Equal(Result.Config.VirtualServices.AsEnumerable(), read.VirtualServices.AsEnumerable());
        Assert.Equal(Result.Config.Connections, read.Connections);
    }

    [Fact]
    public void Import_GlobalDefs_TimeoutsMappedAndVrrpLeftToKeepalived()
    {
        var read = LvsConfigReader.Parse(Result.ToYaml("web-director.conf"));
        Assert.Equal(TimeSpan.FromSeconds(7200), read.Connections.TcpTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), read.Connections.TcpFinTimeout);
        Assert.Equal(TimeSpan.FromSeconds(120), read.Connections.UdpTimeout);
        Assert.Contains(Result.Notes, n => n.Kind == ImportNoteKind.NotLvs && n.Line == LineOf(Text, "vrrp_instance VI_WEB"));
        Assert.Contains(Result.Notes, n => n.Kind == ImportNoteKind.NotLvs && n.Line == LineOf(Text, "vrrp_script chk_director"));
    }

    [Fact]
    public void Import_DirectRoutingService_InheritsAndMapsEveryCheckerOption()
    {
        var expected = new VirtualServiceConfig
        {
            Protocol = IpProtocol.Tcp,
            Address = Ip("10.0.0.100"),
            Port = 80,
            Scheduler = "wrr",
            PersistenceTimeout = TimeSpan.FromSeconds(600),
            PersistenceNetmask = Ip("255.255.255.0"),
            HealthCheck = new HealthCheckConfig
            {
                // The virtual server's timers are the defaults of its real servers and their checkers.
                Parameters = new HealthCheckParameters { DelayLoop = TimeSpan.FromSeconds(10), ConnectTimeout = TimeSpan.FromSeconds(4), Retry = 2, Alpha = true },
                InhibitOnFailure = true,
                Checks = [],
            },
            Quorum = new QuorumConfig
            {
                Quorum = 3,
                Hysteresis = 1,
                UpCommand = "/usr/local/sbin/web-quorum up",
                DownCommand = "/usr/local/sbin/web-quorum down",

                // The sorry server takes the virtual server's method (DR) and keepalived's weight 1.
                SorryServer = new SorryServerConfig { Address = Ip("10.0.0.250"), Port = 80, Method = ForwardingMethod.DirectRouting, Weight = 1, Inhibit = true },
            },
            RealServers =
            [
                // The kernel's list order: the last added first.
                new RealServerConfig { Address = Ip("10.0.0.13"), Port = 80, Weight = 0, Method = ForwardingMethod.DirectRouting },
                new RealServerConfig
                {
                    Address = Ip("10.0.0.12"),
                    Port = 80,
                    Weight = 2, // the virtual server's weight
                    Method = ForwardingMethod.DirectRouting,
                    HealthCheck = new RealServerHealthCheckConfig
                    {
                        Parameters = new HealthCheckParameters { Alpha = false, DelayLoop = TimeSpan.FromSeconds(20) },
                        InhibitOnFailure = false,
                        Checks =
                        [
                            new TcpCheckConfig { ConnectPort = 80, Parameters = new HealthCheckParameters { Warmup = TimeSpan.FromSeconds(5) } },

                            // MISC_CHECK's timeout defaults to the virtual server's delay_loop (10 s), not the real server's.
                            new MiscCheckConfig { Command = "/usr/local/libexec/check-app --port 80", Dynamic = true, Timeout = TimeSpan.FromSeconds(10) },
                        ],
                    },
                },
                new RealServerConfig
                {
                    Address = Ip("10.0.0.11"),
                    Port = 80,
                    Weight = 3,
                    Method = ForwardingMethod.DirectRouting,
                    UpperThreshold = 2000,
                    LowerThreshold = 1500,
                    HealthCheck = new RealServerHealthCheckConfig
                    {
                        NotifyUp = "/usr/local/sbin/rs-notify up 10.0.0.11",
                        NotifyDown = "/usr/local/sbin/rs-notify down 10.0.0.11",
                        Checks =
                        [
                            Http("/healthz", "www.example.net", [new HttpStatusRange(200, 200), new HttpStatusRange(204, 204)]),
                            Http("/index.html", "static.example.net", []) with { Digest = "9b3a0c85a887a256d6939da88aabd8cd" },
                        ],
                    },
                },
            ],
        };
        Assert.Equal(expected, Service("10.0.0.100", 80));
        Assert.Contains(Result.Notes, n => n.Kind == ImportNoteKind.Adjusted && n.Line == LineOf(Text, "HTTP_GET {") && n.Message.Contains("2 url blocks", StringComparison.Ordinal));

        static HttpGetCheckConfig Http(string path, string host, ImmutableArray<HttpStatusRange> codes) => new()
        {
            Path = path,
            VirtualHost = host,
            StatusCodes = codes,
            ConnectPort = 8080,
            Parameters = new HealthCheckParameters { ConnectTimeout = TimeSpan.FromSeconds(3), Retry = 4, DelayBeforeRetry = TimeSpan.FromMilliseconds(2500) },
        };
    }

    [Fact]
    public void Import_NatService_SslChecksWithSniAndNatSorryServer()
    {
        var expected = new VirtualServiceConfig
        {
            Protocol = IpProtocol.Tcp,
            Address = Ip("10.0.0.100"),
            Port = 443,
            Scheduler = "lc",
            HealthCheck = new HealthCheckConfig
            {
                Parameters = new HealthCheckParameters { DelayLoop = TimeSpan.FromSeconds(15), DelayBeforeRetry = TimeSpan.FromSeconds(1), Warmup = TimeSpan.Zero },
                Checks = [],
            },
            Quorum = new QuorumConfig { SorryServer = new SorryServerConfig { Address = Ip("10.0.0.251"), Port = 8443, Method = ForwardingMethod.Nat } },
            RealServers =
            [
                new RealServerConfig
                {
                    Address = Ip("10.0.0.22"),
                    Port = 8443,
                    Method = ForwardingMethod.Nat,
                    HealthCheck = new RealServerHealthCheckConfig
                    {
                        // Host: the real server's virtualhost; sni_name turns SNI on with its own name.
                        Checks = [new HttpGetCheckConfig { Tls = true, Path = "/status", VirtualHost = "shop-b.example.net", SniName = "shop.example.net" }],
                    },
                },
                new RealServerConfig
                {
                    Address = Ip("10.0.0.21"),
                    Port = 8443,
                    Method = ForwardingMethod.Nat,
                    HealthCheck = new RealServerHealthCheckConfig
                    {
                        Checks =
                        [
                            new HttpGetCheckConfig
                            {
                                Tls = true,
                                Path = "/status",
                                StatusCodes = [new HttpStatusRange(200, 299), new HttpStatusRange(301, 301)],
                                VirtualHost = "shop.example.net",
                                HttpVersion = "1.1",
                                Parameters = new HealthCheckParameters { Retry = 1 },
                            },
                        ],
                    },
                },
            ],
        };
        Assert.Equal(expected, Service("10.0.0.100", 443));
    }

    [Fact]
    public void Import_UdpService_DnsChecksWithKeepalivedsDefaults()
    {
        var service = Service("10.0.0.101", 53);
        Assert.Equal((IpProtocol.Udp, "sh", true), (service.Protocol, service.Scheduler, service.OnePacketScheduling));
        Assert.Equal(["sh-port"], service.SchedulerFlags.AsEnumerable());
        Assert.Equal(new HealthCheckConfig { Checks = [] }, service.HealthCheck);

        // The server without a port takes the virtual port; DNS_CHECK's defaults are type SOA and the root name.
        Assert.Equal([Ip("10.0.0.32"), Ip("10.0.0.31")], service.RealServers.Select(s => s.Address));
        Assert.All(service.RealServers, s => Assert.Equal((ForwardingMethod.DirectRouting, (ushort)53, 1), (s.Method, s.Port, s.Weight)));
        Assert.Equal(new DnsCheckConfig { QueryType = "SOA", Name = "." }, Assert.Single(service.RealServers[0].HealthCheck!.Checks));
        Assert.Equal(
            new DnsCheckConfig { QueryType = "A", Name = "ns-health.example.net", Parameters = new HealthCheckParameters { ConnectTimeout = TimeSpan.FromSeconds(2) } },
            Assert.Single(service.RealServers[1].HealthCheck!.Checks));
    }

    [Fact]
    public void Import_VirtualServerGroup_ExpandsEveryMemberWithTheSharedPool()
    {
        // 10.0.0.110-112 (inclusive), 10.0.0.120/31 (two addresses) and 10.0.0.130, all on port 80.
        string[] members = ["10.0.0.110", "10.0.0.111", "10.0.0.112", "10.0.0.120", "10.0.0.121", "10.0.0.130"];
        foreach (var vip in members)
        {
            var service = Service(vip, 80);
            Assert.Equal((IpProtocol.Tcp, "rr"), (service.Protocol, service.Scheduler));
            Assert.Equal([Ip("10.0.0.42"), Ip("10.0.0.41")], service.RealServers.Select(s => s.Address));
            Assert.All(service.RealServers, s => Assert.Equal((ForwardingMethod.Tunnel, (ushort)80), (s.Method, s.Port)));
            Assert.Equal(new TcpCheckConfig(), Assert.Single(service.RealServers[0].HealthCheck!.Checks));
            Assert.Equal(new TcpCheckConfig { Parameters = new HealthCheckParameters { ConnectTimeout = TimeSpan.FromSeconds(2) } }, Assert.Single(service.RealServers[1].HealthCheck!.Checks));
        }

        Assert.Equal(3 + members.Length, Result.Config.VirtualServices.Length);
    }

    private static VirtualServiceConfig Service(string address, ushort port) =>
        Assert.Single(Result.Config.VirtualServices, s => s.Address == Ip(address) && s.Port == port);
}
