using LvsNet.Cli.Ipvsadm;
using LvsNet.Control.Editing;
using LvsNet.Control.Listings;
using LvsNet.Control.Protocol;
using LvsNet.Core.Configuration;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Cli.Tests.Ipvsadm;

/// <summary>
/// IPv6 on ipvsadm's command line and in its layouts. The expected texts follow ipvsadm 1.31's
/// source: parse_service ("[addr]:port", or a bare address without port), the -M branch
/// ("illegal ipv6 netmask specified", 1..128), process_options ("Different address family is
/// allowed only for tunneling servers"), print_service_entry (" -M %i" / " mask %i" when the
/// prefix is not 128) and print_conn ("%-3s %-6s %-11s %-18s %-18s %s" over inet_ntop text in brackets).
/// </summary>
public class IpvsadmIpv6Tests
{
    private static readonly IpvsadmParser Parser = new(new FakeNameResolver());
    private static readonly INameResolver Numeric = NumericNameResolver.Instance;

    private static IpvsadmInvocation Parse(string line) => Parser.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static IpvsadmUsageException Fails(string line) => Assert.Throws<IpvsadmUsageException>(() => Parse(line));

    [Theory]
    [InlineData("-A -t [2001:db8::1]:80 -s rr", "tcp", "2001:db8::1", 80)]
    [InlineData("-A -u [2001:0db8:0000:0000:0000:0000:0000:0001]:53", "udp", "2001:db8::1", 53)]
    [InlineData("-E --tcp-service [fd00::1:2]:443", "tcp", "fd00::1:2", 443)]
    [InlineData("-A -t 2001:db8::1:80 -p", "tcp", "2001:db8::1:80", 0)]
    public void Service_Ipv6Address_InBracketsWithPortOrBare(string line, string protocol, string address, ushort port)
    {
        // A bare IPv6 address has no port: inet_pton takes the whole text ("2001:db8::1:80" is an address).
        var service = Parse(line).Operation!.Service!;
        Assert.Equal((protocol, address, port), (service.Protocol, service.Address, service.Port));
        Assert.True(service.IsIpv6);
    }

    [Fact]
    public void Selector_Ipv6_PrintsAsIpvsadmRuleAndKey()
    {
        var service = Parse("-A -t [2001:db8::100]:80").Operation!.Service!;
        Assert.Equal("-t [2001:db8::100]:80", service.ToString());
        Assert.Equal("TCP [2001:db8::100]:80", service.ToKey().ToString());
    }

    [Theory]
    [InlineData("-a -t [2001:db8::100]:80 -r [2001:db8::11]:8080 -g", "2001:db8::11", 80)]
    [InlineData("-a -t [2001:db8::100]:80 -r [2001:db8::11]:8080 -m", "2001:db8::11", 8080)]
    [InlineData("-a -t [2001:db8::100]:80 -r 2001:db8::11 -m", "2001:db8::11", 80)]
    [InlineData("-e -t [2001:db8::100]:80 -r [2001:db8::12]:80 -w 5", "2001:db8::12", 80)]
    [InlineData("-d -t [2001:db8::100]:80 -r [2001:db8::12]:80", "2001:db8::12", 80)]
    public void Server_Ipv6Address_PortFollowsIpvsadm(string line, string address, ushort port)
    {
        var operation = Parse(line).Operation!;
        Assert.Equal((address, port), (operation.ServerAddress, operation.ServerPort));
    }

    [Theory]
    [InlineData("-a -t [2001:db8::100]:80 -r 10.0.0.11 -g", "Different address family is allowed only for tunneling servers")]
    [InlineData("-a -t 10.0.0.100:80 -r [2001:db8::11]:80 -m", "Different address family is allowed only for tunneling servers")]
    [InlineData("-A -t [2001:db8::100]:80 -p -M 0", "illegal ipv6 netmask specified")]
    [InlineData("-A -t [2001:db8::100]:80 -p -M 129", "illegal ipv6 netmask specified")]
    [InlineData("-A -t [2001:db8::100]:80 -p -M 255.255.255.0", "illegal ipv6 netmask specified")]
    [InlineData("-A -t [2001:db8::100] -p", "illegal virtual server address[:port] specified")]
    [InlineData("-A -t [2001:db8::100]80", "illegal virtual server address[:port] specified")]
    [InlineData("-A -t [2001:db8::100:80", "illegal virtual server address[:port] specified")]
    [InlineData("-a -t [2001:db8::100]:80 -r [2001:db8::11]x", "illegal real server address[:port] specified")]
    [InlineData("-A -6 -f 1", "-6 used before -f\n")]
    public void BadIpv6Line_FailsWithIpvsadmsMessage(string line, string message)
    {
        var error = Fails(line);
        Assert.Equal(message, error.Message);
        Assert.Equal(2, error.ExitCode);
    }

    [Fact]
    public void FirewallMarkIpv6_IsTheIpv6MarkService_WithAPrefixLengthNetmask()
    {
        var operation = Parse("-A -f 1 -6 -s rr -p 600 -M 64").Operation!;
        Assert.Equal(EditKind.AddService, operation.Kind);
        Assert.Equal(ServiceSelector.ForMark(1, ipv6: true), operation.Service);
        Assert.Equal(("-f 1 -6", true, "::"), (operation.Service!.ToString(), operation.Service.IsIpv6, operation.Service.Address));
        Assert.Equal("64", operation.PersistenceNetmask);
        Assert.NotEqual(ServiceSelector.ForMark(1), operation.Service);

        // ipvsadm's parse order: -6 marks the -f before it ("-6 used before -f" otherwise).
        Assert.StartsWith("-6 used before -f", Fails("-A -6 -f 1").Message, StringComparison.Ordinal);

        // Its servers are IPv6 (or reached by a tunnel), as for an IPv6 address service.
        var server = Parse("-a -f 1 -6 -r [2001:db8::11]:80 -g -w 2").Operation!;
        Assert.Equal((1u, true, "2001:db8::11", (ushort)80), (server.Service!.FirewallMark, server.Service.IsIpv6, server.ServerAddress, server.ServerPort));
        Assert.Equal("Different address family is allowed only for tunneling servers", Fails("-a -f 1 -6 -r 10.0.0.11:80 -g").Message);
    }

    [Fact]
    public void FirewallMarkIpv6_Edits_MakeAnIpv6MarkServiceBesideTheIpv4One()
    {
        var config = ControlFixtures.Empty;
        foreach (var line in new[] { "-A -f 1 -s rr", "-A -f 1 -6 -s wlc -p 60 -M 48", "-a -f 1 -6 -r [2001:db8::11]:443 -g", "-a -f 1 -r 10.0.0.11:443 -g" })
        {
            config = ConfigEditor.Apply(config, Parse(line).Operation!);
        }

        Assert.Equal(2, config.VirtualServices.Length);
        var v6 = Assert.Single(config.VirtualServices, s => s.IsIpv6);
        Assert.Equal((1u, "wlc", 48, "2001:db8::11"), (v6.FirewallMark, v6.Scheduler, v6.PersistencePrefixLength, Assert.Single(v6.RealServers).AddressText));
        var v4 = Assert.Single(config.VirtualServices, s => !s.IsIpv6);
        Assert.Equal("10.0.0.11", Assert.Single(v4.RealServers).AddressText);
        Assert.Empty(ConfigValidator.Validate(config));

        // -D -f 1 -6 deletes the IPv6 one only.
        config = ConfigEditor.Apply(config, Parse("-D -f 1 -6").Operation!);
        Assert.False(Assert.Single(config.VirtualServices).IsIpv6);
    }

    [Fact]
    public void FirewallMarkIpv6_ListAndSave_MatchIpvsadmPrintServiceEntry()
    {
        // print_service_entry: "FWM  %d IPv6" in listings, "-f %d -6" in rules; the mask as " mask %i"/" -M %i" when not 128;
        // servers "  -> %-28s %-7s %-6d %-10u %-10u" with the bracketed name, never cut in an AF_INET6 service.
        var listing = new IpvsListing
        {
            TableSize = 4096,
            Services =
            [
                new ServiceListing
                {
                    Protocol = "tcp", Address = "::", Port = 0, FirewallMark = 9, Scheduler = "rr", PersistenceTimeoutSeconds = 600, PersistenceNetmask = "64",
                    Servers =
                    [
                        new ServerListing { Address = "2001:db8::12", Port = 0, Method = "dr", Weight = 2, ActiveConnections = 3 },
                        new ServerListing { Address = "2001:db8::11", Port = 0, Method = "dr", Weight = 1, InactiveConnections = 7 },
                    ],
                },
                new ServiceListing
                {
                    Protocol = "tcp", Address = "0.0.0.0", Port = 0, FirewallMark = 9, Scheduler = "wlc",
                    Servers = [new ServerListing { Address = "10.0.0.11", Port = 0, Method = "dr", Weight = 1 }],
                },
            ],
        };
        var expected =
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "FWM  9 wlc\n" +
            "  -> 10.0.0.11:0                  Route   1      0          0         \n" +
            "FWM  9 IPv6 rr persistent 600 mask 64\n" +
            "  -> [2001:db8::11]:0             Route   1      0          7         \n" +
            "  -> [2001:db8::12]:0             Route   2      3          0         \n";
        Assert.Equal(expected, IpvsadmFormatter.List(listing, ListFormat.Numeric, Numeric));

        var saved =
            "-A -f 9 -s wlc\n" +
            "-a -f 9 -r 10.0.0.11:0 -g -w 1\n" +
            "-A -f 9 -6 -s rr -p 600 -M 64\n" +
            "-a -f 9 -6 -r [2001:db8::11]:0 -g -w 1\n" +
            "-a -f 9 -6 -r [2001:db8::12]:0 -g -w 2\n";
        Assert.Equal(saved, IpvsadmFormatter.Save(listing, ListFormat.Numeric, Numeric));

        // --stats: "%-33s" over the service name, then the counters.
        var stats = IpvsadmFormatter.List(listing, ListFormat.Numeric | ListFormat.Stats, Numeric);
        Assert.Contains("\nFWM  9 IPv6                              0        0        0        0        0\n", stats, StringComparison.Ordinal);

        // Saved rules read back as the same IPv6 mark service.
        Assert.Equal(ServiceSelector.ForMark(9, ipv6: true), Parse("-A -f 9 -6 -s rr -p 600 -M 64").Operation!.Service);
    }

    [Fact]
    public void Netmask_Ipv6Service_IsAPrefixLength_WhereverMComes()
    {
        Assert.Equal("64", Parse("-A -t [2001:db8::100]:80 -p 600 -M 64").Operation!.PersistenceNetmask);
        Assert.Equal("48", Parse("-A -M 48 -p -t [2001:db8::100]:80").Operation!.PersistenceNetmask);
        Assert.Equal("255.255.255.0", Parse("-A -t 10.0.0.100:80 -p -M 255.255.255.0").Operation!.PersistenceNetmask);
    }

    [Fact]
    public void Save_Ipv6_MatchesIpvsadmSave()
    {
        var listing = new IpvsListing
        {
            Services =
            [
                new ServiceListing
                {
                    Protocol = "tcp", Address = "2001:db8::100", Port = 80, Scheduler = "rr", PersistenceTimeoutSeconds = 360, PersistenceNetmask = "64",
                    Servers =
                    [
                        new ServerListing { Address = "2001:db8::12", Port = 80, Method = "dr", Weight = 2 },
                        new ServerListing { Address = "2001:db8::11", Port = 80, Method = "dr", Weight = 1 },
                    ],
                },
                new ServiceListing
                {
                    Protocol = "udp", Address = "2001:db8::100", Port = 53, Scheduler = "wlc", PersistenceTimeoutSeconds = 60, PersistenceNetmask = "128",
                    Servers = [new ServerListing { Address = "2001:db8::11", Port = 53, Method = "dr", Weight = 1 }],
                },
                new ServiceListing { Protocol = "tcp", Address = "10.0.0.100", Port = 80, Scheduler = "rr" },
            ],
        };
        var expected =
            "-A -t 10.0.0.100:80 -s rr\n" +
            "-A -t [2001:db8::100]:80 -s rr -p 360 -M 64\n" +
            "-a -t [2001:db8::100]:80 -r [2001:db8::11]:80 -g -w 1\n" +
            "-a -t [2001:db8::100]:80 -r [2001:db8::12]:80 -g -w 2\n" +
            "-A -u [2001:db8::100]:53 -s wlc -p 60\n" +
            "-a -u [2001:db8::100]:53 -r [2001:db8::11]:53 -g -w 1\n";
        Assert.Equal(expected, IpvsadmFormatter.Save(listing, ListFormat.Numeric, Numeric));

        var listed = IpvsadmFormatter.List(listing, ListFormat.Numeric, Numeric);
        Assert.Contains("\nTCP  [2001:db8::100]:80 rr persistent 360 mask 64\n", listed, StringComparison.Ordinal);
        Assert.Contains("\nUDP  [2001:db8::100]:53 wlc persistent 60\n", listed, StringComparison.Ordinal);
    }

    [Fact]
    public void Connections_Ipv6_MatchIpvsadmPrintConn()
    {
        ConnectionRow[] rows =
        [
            new() { Protocol = "TCP", ClientAddress = "2001:db8::a", ClientPort = 40000, VirtualAddress = "2001:db8::100", VirtualPort = 80, DestinationAddress = "2001:db8::11", DestinationPort = 80, State = "ESTABLISHED", ExpiresSeconds = 899 },
            new() { Protocol = "UDP", ClientAddress = "fd00::a", ClientPort = 5353, VirtualAddress = "fd00::1", VirtualPort = 53, DestinationAddress = "fd00::11", DestinationPort = 53, State = "UDP", ExpiresSeconds = 61 },
            new() { Protocol = "TCP", ClientAddress = "10.0.0.1", ClientPort = 1024, VirtualAddress = "10.0.0.100", VirtualPort = 80, DestinationAddress = "10.0.0.11", DestinationPort = 80, State = "SYN_RECV", ExpiresSeconds = 59 },
        ];

        // printf("%-3s %-6s %-11s %-18s %-18s %s\n"): wider fields push the rest right, as in C.
        var expected =
            "IPVS connection entries\n" +
            "pro expire state       source             virtual            destination\n" +
            "TCP 14:59  ESTABLISHED [2001:db8::a]:40000 [2001:db8::100]:80 [2001:db8::11]:80\n" +
            "UDP 01:01  UDP         [fd00::a]:5353     [fd00::1]:53       [fd00::11]:53\n" +
            "TCP 00:59  SYN_RECV    10.0.0.1:1024      10.0.0.100:80      10.0.0.11:80\n";
        Assert.Equal(expected, IpvsadmFormatter.Connections(rows, ListFormat.Numeric, Numeric));
    }

    [Fact]
    public void Connections_Ipv6FirewallMarkTemplate_AsIpvsadmPrintsTheKernelsKey()
    {
        // ip_vs_sched_persist keys an IPv6 fwmark template by IPPROTO_IP, the client's prefix, vaddr
        // { .ip = htonl(fwmark) } (inet_ntop: "0:5::") and port 0; print_conn brackets AF_INET6 addresses.
        ConnectionRow[] rows =
        [
            new() { Protocol = "IP", ClientAddress = "2001:db8::", ClientPort = 0, VirtualAddress = "0:5::", VirtualPort = 0, DestinationAddress = "2001:db8::11", DestinationPort = 0, State = "NONE", ExpiresSeconds = 299 },
        ];
        var expected =
            "IPVS connection entries\n" +
            "pro expire state       source             virtual            destination\n" +
            "IP  04:59  NONE        [2001:db8::]:0     [0:5::]:0          [2001:db8::11]:0\n";
        Assert.Equal(expected, IpvsadmFormatter.Connections(rows, ListFormat.Numeric, Numeric));
    }

    [Theory]
    [InlineData("--client [2001:db8::/64]:40000", "2001:db8::", 64, 40000)]
    [InlineData("--client 2001:db8::a", "2001:db8::a", 128, 0)]
    [InlineData("--client 2001:db8::/48", "2001:db8::", 48, 0)]
    public void ConnectionFilter_Ipv6Client(string option, string address, int prefix, ushort port)
    {
        var filter = Parse("-L -c -n " + option).Filter!;
        Assert.Equal((address, prefix, port), (filter.ClientAddress, filter.ClientPrefixLength, filter.ClientPort));
    }

    [Fact]
    public void ConnectionFilter_Ipv6ServerAndService()
    {
        var filter = Parse("-L -c --server [2001:db8::11]:80 --service tcp:[2001:db8::100]:80").Filter!;
        Assert.Equal(("2001:db8::11", (ushort)80, "2001:db8::100", (ushort)80, "tcp"), (filter.ServerAddress, filter.ServerPort, filter.ServiceAddress, filter.ServicePort, filter.Protocol));
    }

    [Fact]
    public void StatsRateExact_Ipv6_PrintfLayouts()
    {
        // print_service_entry: "%-33s" then print_largenum ("%9llu", "%8lluM"; --exact "%*llu" at least 9 wide);
        // destinations "  -> %-28s", --rate "  -> %-28s %8llu %8llu %8llu"; IPv6 names are never cut.
        var listing = new IpvsListing
        {
            Services =
            [
                new ServiceListing
                {
                    Protocol = "tcp", Address = "2001:db8:aaaa:bbbb:cccc:dddd:eeee:100", Port = 443, Scheduler = "rr",
                    Stats = new TrafficStats(1234, 56789, 45678, 8765432, 1234567890),
                    Rates = new TrafficRates(12, 340, 310, 45000, 412000),
                    Servers =
                    [
                        new ServerListing
                        {
                            Address = "2001:db8:aaaa:bbbb:cccc:dddd:eeee:11", Port = 443, Method = "dr", Weight = 1,
                            Stats = new TrafficStats(1234, 56789, 45678, 8765432, 1234567890),
                            Rates = new TrafficRates(12, 340, 310, 45000, 412000),
                        },
                    ],
                },
            ],
        };
        var stats = IpvsadmFormatter.List(listing, ListFormat.Numeric | ListFormat.Stats, Numeric);
        Assert.Contains("\nTCP  [2001:db8:aaaa:bbbb:cccc:dddd:eeee:100]:443     1234    56789    45678  8765432    1234M\n", stats, StringComparison.Ordinal);
        Assert.Contains("\n  -> [2001:db8:aaaa:bbbb:cccc:dddd:eeee:11]:443     1234    56789    45678  8765432    1234M\n", stats, StringComparison.Ordinal);
        var exact = IpvsadmFormatter.List(listing, ListFormat.Numeric | ListFormat.Stats | ListFormat.Exact, Numeric);
        Assert.Contains("\nTCP  [2001:db8:aaaa:bbbb:cccc:dddd:eeee:100]:443     1234    56789    45678  8765432 1234567890\n", exact, StringComparison.Ordinal);
        var rate = IpvsadmFormatter.List(listing, ListFormat.Numeric | ListFormat.Rate, Numeric);
        Assert.Contains("\nTCP  [2001:db8:aaaa:bbbb:cccc:dddd:eeee:100]:443       12      340      310    45000   412000\n", rate, StringComparison.Ordinal);
        Assert.Contains("\n  -> [2001:db8:aaaa:bbbb:cccc:dddd:eeee:11]:443       12      340      310    45000   412000\n", rate, StringComparison.Ordinal);
    }
}
