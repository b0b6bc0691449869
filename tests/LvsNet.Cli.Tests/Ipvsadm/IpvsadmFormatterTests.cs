using LvsNet.Cli.Ipvsadm;
using LvsNet.Control.Editing;
using LvsNet.Control.Listings;
using LvsNet.Control.Protocol;
using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Cli.Tests.Ipvsadm;

/// <summary>Golden listings: the layouts of ipvs-semantics.md section 5, byte for byte ('|' marks the end of a line).</summary>
public class IpvsadmFormatterTests
{
    private static readonly INameResolver Numeric = NumericNameResolver.Instance;

    // The reference's example table (without its fwmark service, which LvsNet does not have),
    // given in an order that the listing must sort: UDP before TCP, servers reversed.
    private static IpvsListing Reference() => new()
    {
        TableSize = 4096,
        Services =
        [
            new ServiceListing
            {
                Protocol = "udp", Address = "10.0.0.100", Port = 53, Scheduler = "rr", OnePacketScheduling = true,
                Servers = [new ServerListing { Address = "192.168.10.1", Port = 53, Method = "dr", Weight = 1, InactiveConnections = 512 }],
            },
            new ServiceListing
            {
                Protocol = "tcp", Address = "10.0.0.100", Port = 80, Scheduler = "wlc", PersistenceTimeoutSeconds = 360, PersistenceNetmask = "255.255.255.0",
                Stats = new TrafficStats(1234, 56789, 45678, 8765432, 123456789),
                Rates = new TrafficRates(12, 340, 310, 45000, 412000),
                Servers =
                [
                    new ServerListing
                    {
                        Address = "192.168.10.2", Port = 8080, Method = "nat", Weight = 3, ActiveConnections = 30, InactiveConnections = 97,
                        Stats = new TrafficStats(634, 28789, 23678, 4465432, 62456789),
                    },
                    new ServerListing
                    {
                        Address = "192.168.10.1", Port = 80, Method = "nat", Weight = 1, ActiveConnections = 12, InactiveConnections = 40,
                        Stats = new TrafficStats(600, 28000, 22000, 4300000, 61000000),
                        Rates = new TrafficRates(6, 170, 155, 22500, 206000),
                    },
                ],
            },
        ],
    };

    private static string Lines(string text) => text.Replace("\r", "", StringComparison.Ordinal).Replace("|\n", "\n", StringComparison.Ordinal);

    [Fact]
    public void List_Numeric_MatchesIpvsadmByteForByte()
    {
        var expected = Lines(
            """
            IP Virtual Server version 1.2.1 (size=4096)|
            Prot LocalAddress:Port Scheduler Flags|
              -> RemoteAddress:Port           Forward Weight ActiveConn InActConn|
            TCP  10.0.0.100:80 wlc persistent 360 mask 255.255.255.0|
              -> 192.168.10.1:80              Masq    1      12         40        |
              -> 192.168.10.2:8080            Masq    3      30         97        |
            UDP  10.0.0.100:53 rr ops|
              -> 192.168.10.1:53              Route   1      0          512       |

            """);
        Assert.Equal(expected, IpvsadmFormatter.List(Reference(), ListFormat.Numeric, Numeric));
    }

    [Fact]
    public void List_Ipv6Services_BracketedAfterIpv4_ServersInNumericOrder_LongNamesNotCut()
    {
        // ipvsadm: "[addr]:port" for AF_INET6 (addrport_to_anyname), services sorted by address
        // family before protocol, destinations by address bytes, the 33-character cut only for IPv4.
        var listing = new IpvsListing
        {
            TableSize = 4096,
            Services =
            [
                new ServiceListing
                {
                    Protocol = "tcp", Address = "2001:db8:aaaa:bbbb:cccc:dddd:eeee:100", Port = 443, Scheduler = "rr",
                    Servers = [new ServerListing { Address = "2001:db8:aaaa:bbbb:cccc:dddd:eeee:11", Port = 443, Method = "dr", Weight = 1 }],
                },
                new ServiceListing
                {
                    Protocol = "tcp", Address = "2001:db8::100", Port = 80, Scheduler = "wlc",
                    Servers =
                    [
                        new ServerListing { Address = "2001:db8::11", Port = 80, Method = "dr", Weight = 2 },
                        new ServerListing { Address = "2001:db8::9", Port = 80, Method = "dr", Weight = 1, ActiveConnections = 2, InactiveConnections = 3 },
                    ],
                },
                new ServiceListing
                {
                    Protocol = "udp", Address = "10.0.0.100", Port = 53, Scheduler = "rr",
                    Servers = [new ServerListing { Address = "192.168.10.1", Port = 53, Method = "dr", Weight = 1 }],
                },
            ],
        };
        var expected = Lines(
            """
            IP Virtual Server version 1.2.1 (size=4096)|
            Prot LocalAddress:Port Scheduler Flags|
              -> RemoteAddress:Port           Forward Weight ActiveConn InActConn|
            UDP  10.0.0.100:53 rr|
              -> 192.168.10.1:53              Route   1      0          0         |
            TCP  [2001:db8::100]:80 wlc|
              -> [2001:db8::9]:80             Route   1      2          3         |
              -> [2001:db8::11]:80            Route   2      0          0         |
            TCP  [2001:db8:aaaa:bbbb:cccc:dddd:eeee:100]:443 rr|
              -> [2001:db8:aaaa:bbbb:cccc:dddd:eeee:11]:443 Route   1      0          0         |

            """);
        Assert.Equal(expected, IpvsadmFormatter.List(listing, ListFormat.Numeric, Numeric));
    }

    [Fact]
    public void List_Stats_MatchesIpvsadmWithKSuffix()
    {
        var expected = Lines(
            """
            IP Virtual Server version 1.2.1 (size=4096)
            Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
              -> RemoteAddress:Port
            TCP  10.0.0.100:80                    1234    56789    45678  8765432  123456K
              -> 192.168.10.1:80                   600    28000    22000  4300000 61000000
              -> 192.168.10.2:8080                 634    28789    23678  4465432 62456789
            UDP  10.0.0.100:53                       0        0        0        0        0
              -> 192.168.10.1:53                     0        0        0        0        0

            """);
        Assert.Equal(expected, IpvsadmFormatter.List(Reference(), ListFormat.Numeric | ListFormat.Stats, Numeric));
    }

    [Fact]
    public void List_StatsExact_WidensColumnsInsteadOfK()
    {
        var text = IpvsadmFormatter.List(Reference(), ListFormat.Numeric | ListFormat.Stats | ListFormat.Exact, Numeric);
        Assert.Contains("TCP  10.0.0.100:80                    1234    56789    45678  8765432 123456789\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void List_Rate_MatchesIpvsadm()
    {
        var expected = Lines(
            """
            IP Virtual Server version 1.2.1 (size=4096)
            Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS
              -> RemoteAddress:Port
            TCP  10.0.0.100:80                      12      340      310    45000   412000
              -> 192.168.10.1:80                     6      170      155    22500   206000
              -> 192.168.10.2:8080                   0        0        0        0        0
            UDP  10.0.0.100:53                       0        0        0        0        0
              -> 192.168.10.1:53                     0        0        0        0        0

            """);
        Assert.Equal(expected, IpvsadmFormatter.List(Reference(), ListFormat.Numeric | ListFormat.Rate, Numeric));
    }

    [Fact]
    public void List_ThresholdsAndPersistentConn_UseTheirColumns()
    {
        var listing = new IpvsListing
        {
            TableSize = 4096,
            Services =
            [
                new ServiceListing
                {
                    Protocol = "tcp", Address = "10.0.0.100", Port = 80, Scheduler = "wlc", PersistenceTimeoutSeconds = 300,
                    Servers = [new ServerListing { Address = "192.168.10.1", Port = 80, Method = "dr", Weight = 2, UpperThreshold = 100, LowerThreshold = 50, ActiveConnections = 7, InactiveConnections = 9, PersistentConnections = 4 }],
                },
            ],
        };
        Assert.Equal(
            Lines(
                """
                IP Virtual Server version 1.2.1 (size=4096)
                Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn |
                  -> RemoteAddress:Port
                TCP  10.0.0.100:80 wlc persistent 300
                  -> 192.168.10.1:80              100        50         7          9         |

                """),
            IpvsadmFormatter.List(listing, ListFormat.Numeric | ListFormat.Thresholds, Numeric));
        Assert.Equal(
            Lines(
                """
                IP Virtual Server version 1.2.1 (size=4096)
                Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn |
                  -> RemoteAddress:Port
                TCP  10.0.0.100:80 wlc persistent 300
                  -> 192.168.10.1:80              2         4           7          9         |

                """),
            IpvsadmFormatter.List(listing, ListFormat.Numeric | ListFormat.PersistentConnections, Numeric));
    }

    [Fact]
    public void List_TunnelInfo_ShowsIpipOrNa()
    {
        var listing = new IpvsListing
        {
            TableSize = 4096,
            Services =
            [
                new ServiceListing
                {
                    Protocol = "tcp", Address = "10.0.0.100", Port = 80, Scheduler = "rr",
                    Servers =
                    [
                        new ServerListing { Address = "192.168.10.1", Port = 80, Method = "tun", Weight = 1 },
                        new ServerListing { Address = "192.168.10.2", Port = 80, Method = "dr", Weight = 1 },
                    ],
                },
            ],
        };
        Assert.Equal(
            Lines(
                """
                IP Virtual Server version 1.2.1 (size=4096)
                Prot LocalAddress:Port Scheduler Flags
                  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn
                TCP  10.0.0.100:80 rr
                  -> 192.168.10.1:80              Tunnel  ipip          1      0          0         |
                  -> 192.168.10.2:80              Route   n/a           1      0          0         |

                """),
            IpvsadmFormatter.List(listing, ListFormat.Numeric | ListFormat.TunnelInfo, Numeric));
    }

    [Fact]
    public void List_SingleService_HasTitlesButNoVersionLine()
    {
        var one = Reference() with { Services = [Reference().Services[1]] };
        var text = IpvsadmFormatter.List(one, ListFormat.Numeric, Numeric, singleService: true);
        Assert.StartsWith("Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\nTCP  10.0.0.100:80 wlc", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_Numeric_MatchesIpvsadmSave()
    {
        var expected =
            """
            -A -t 10.0.0.100:80 -s wlc -p 360 -M 255.255.255.0
            -a -t 10.0.0.100:80 -r 192.168.10.1:80 -m -w 1
            -a -t 10.0.0.100:80 -r 192.168.10.2:8080 -m -w 3
            -A -u 10.0.0.100:53 -s rr -o
            -a -u 10.0.0.100:53 -r 192.168.10.1:53 -g -w 1

            """;
        Assert.Equal(Lines(expected), IpvsadmFormatter.Save(Reference(), ListFormat.Numeric, Numeric));
    }

    [Fact]
    public void Save_FlagsTunnelAndFullNat_UseIpvsadmSwitches()
    {
        var listing = new IpvsListing
        {
            Services =
            [
                new ServiceListing
                {
                    Protocol = "tcp", Address = "10.0.0.100", Port = 80, Scheduler = "sh", SchedulerFlags = ["sh-port", "sh-fallback"],
                    Servers =
                    [
                        new ServerListing { Address = "192.168.10.3", Port = 80, Method = "tun", Weight = 1 },
                        new ServerListing { Address = "192.168.10.4", Port = 8080, Method = "fullnat", Weight = 2 },
                    ],
                },
            ],
        };
        Assert.Equal(
            "-A -t 10.0.0.100:80 -s sh -b sh-fallback,sh-port\n-a -t 10.0.0.100:80 -r 192.168.10.3:80 -i -w 1 --tun-type ipip\n-a -t 10.0.0.100:80 -r 192.168.10.4:8080 --fullnat -w 2\n",
            IpvsadmFormatter.Save(listing, ListFormat.Numeric, Numeric));
        Assert.Contains("TCP  10.0.0.100:80 sh (sh-fallback,sh-port)\n", IpvsadmFormatter.List(listing, ListFormat.Numeric, Numeric), StringComparison.Ordinal);
        Assert.Contains("  -> 192.168.10.4:8080            FullNat 2      0          0         \n", IpvsadmFormatter.List(listing, ListFormat.Numeric, Numeric), StringComparison.Ordinal);
    }

    [Fact]
    public void List_GenericFlags_PrintedByBitForOtherSchedulers()
    {
        var listing = new IpvsListing { Services = [new ServiceListing { Protocol = "tcp", Address = "10.0.0.1", Port = 80, Scheduler = "rr", SchedulerFlags = ["flag-3", "flag-1"] }] };
        Assert.Contains("TCP  10.0.0.1:80 rr (flag-1,flag-3)\n", IpvsadmFormatter.List(listing, ListFormat.Numeric, Numeric), StringComparison.Ordinal);
    }

    [Fact]
    public void List_Sorting_ByProtocolAddressPortUnlessNoSort()
    {
        ServiceListing Service(string protocol, string address, ushort port) => new() { Protocol = protocol, Address = address, Port = port, Scheduler = "rr" };
        var listing = new IpvsListing
        {
            Services = [Service("udp", "10.0.0.1", 53), Service("tcp", "200.0.0.1", 80), Service("tcp", "10.0.0.2", 80), Service("tcp", "10.0.0.2", 22), Service("tcp", "9.0.0.1", 443)],
        };
        var sorted = IpvsadmFormatter.List(listing, ListFormat.Numeric, Numeric).Split('\n').Skip(3).Where(l => l.Length > 0);
        Assert.Equal(["TCP  9.0.0.1:443 rr", "TCP  10.0.0.2:22 rr", "TCP  10.0.0.2:80 rr", "TCP  200.0.0.1:80 rr", "UDP  10.0.0.1:53 rr"], sorted);
        var unsorted = IpvsadmFormatter.List(listing, ListFormat.Numeric | ListFormat.NoSort, Numeric).Split('\n').Skip(3).Where(l => l.Length > 0);
        Assert.Equal("UDP  10.0.0.1:53 rr", unsorted.First());
    }

    [Fact]
    public void List_LongNames_TruncatedAt33And28()
    {
        var listing = new IpvsListing
        {
            Services =
            [
                new ServiceListing
                {
                    Protocol = "tcp", Address = "10.0.0.100", Port = 80, Scheduler = "rr",
                    Servers = [new ServerListing { Address = "10.0.0.11", Port = 80, Method = "dr", Weight = 1 }],
                },
            ],
        };
        var resolver = new LongNames();
        var text = IpvsadmFormatter.List(listing, ListFormat.None, resolver);
        Assert.Contains("\nTCP  a-very-long-host-name.exampl rr\n", text, StringComparison.Ordinal);
        Assert.Contains("\n  -> a-very-long-host-name.exampl Route   1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void List_WithoutNumeric_UsesHostAndServiceNames()
    {
        var listing = new IpvsListing
        {
            TableSize = 4096,
            Services = [new ServiceListing { Protocol = "tcp", Address = "10.0.0.100", Port = 80, Scheduler = "wlc", Servers = [new ServerListing { Address = "10.0.0.11", Port = 80, Method = "dr", Weight = 1 }] }],
        };
        var text = IpvsadmFormatter.List(listing, ListFormat.None, new FakeNameResolver());
        Assert.Contains("\nTCP  www.example.test:http wlc\n  -> backend.example.test:http    Route   1      0          0         \n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L, "        0")]
    [InlineData(99_999_999L, " 99999999")]
    [InlineData(100_000_000L, "  100000K")]
    [InlineData(999_999_999L, "  999999K")]
    [InlineData(1_000_000_000L, "    1000M")]
    [InlineData(99_999_999_999L, "   99999M")]
    [InlineData(100_000_000_000L, "     100G")]
    [InlineData(99_999_999_999_999L, "   99999G")]
    [InlineData(100_000_000_000_000L, "     100T")]
    public void LargeNumber_UsesIpvsadmsSuffixes(long value, string expected) => Assert.Equal(expected, IpvsadmFormatter.LargeNumber(value, exact: false));

    [Theory]
    [InlineData(5L, "        5")]
    [InlineData(12_345_678L, " 12345678")]
    [InlineData(123_456_789L, " 123456789")]
    [InlineData(1_234_567_890_123L, " 1234567890123")]
    public void LargeNumber_Exact_IsAtLeastNineWideAndOneMoreThanTheDigits(long value, string expected) => Assert.Equal(expected, IpvsadmFormatter.LargeNumber(value, exact: true));

    [Fact]
    public void Connections_MatchIpvsadmLnc()
    {
        ConnectionRow Row(string protocol, long expires, string state, string client, ushort cport, ushort vport, string destination, ushort dport) => new()
        {
            Protocol = protocol, ExpiresSeconds = expires, State = state, ClientAddress = client, ClientPort = cport,
            VirtualAddress = "10.0.0.100", VirtualPort = vport, DestinationAddress = destination, DestinationPort = dport,
        };
        var rows = new[]
        {
            Row("TCP", 899, "ESTABLISHED", "203.0.113.7", 51514, 80, "192.168.10.1", 80),
            Row("TCP", 57, "SYN_RECV", "203.0.113.9", 40001, 80, "192.168.10.2", 8080),
            Row("TCP", 119, "FIN_WAIT", "203.0.113.7", 51500, 80, "192.168.10.1", 80),
            Row("UDP", 298, "UDP", "203.0.113.7", 33000, 53, "192.168.10.1", 53),
            Row("TCP", 359, "ASSURED", "203.0.113.0", 0, 80, "192.168.10.1", 80),
            Row("TCP", 6000, "ESTABLISHED", "203.0.113.8", 1, 80, "192.168.10.1", 80),
        };
        var expected =
            """
            IPVS connection entries
            pro expire state       source             virtual            destination
            TCP 14:59  ESTABLISHED 203.0.113.7:51514  10.0.0.100:80      192.168.10.1:80
            TCP 00:57  SYN_RECV    203.0.113.9:40001  10.0.0.100:80      192.168.10.2:8080
            TCP 01:59  FIN_WAIT    203.0.113.7:51500  10.0.0.100:80      192.168.10.1:80
            UDP 04:58  UDP         203.0.113.7:33000  10.0.0.100:53      192.168.10.1:53
            TCP 05:59  ASSURED     203.0.113.0:0      10.0.0.100:80      192.168.10.1:80
            TCP 100:00 ESTABLISHED 203.0.113.8:1      10.0.0.100:80      192.168.10.1:80

            """;
        Assert.Equal(Lines(expected), IpvsadmFormatter.Connections(rows, ListFormat.Numeric, Numeric));
    }

    [Fact]
    public void Connections_PersistentConn_HeaderHasPeColumns()
    {
        var text = IpvsadmFormatter.Connections([], ListFormat.Numeric | ListFormat.PersistentConnections, Numeric);
        Assert.Equal("IPVS connection entries\npro expire state       source             virtual            destination        pe name          pe_data\n", text);
    }

    [Fact]
    public void Timeouts_MatchIpvsadm() =>
        Assert.Equal("Timeout (tcp tcpfin udp): 900 120 300\n", IpvsadmFormatter.Timeouts(new TimeoutSettings(900, 120, 300)));

    private sealed class LongNames : INameResolver
    {
        public bool TryResolveHost(string name, out uint address) => throw new NotSupportedException();

        public bool TryResolvePort(string name, string protocol, out ushort port) => throw new NotSupportedException();

        public string HostName(uint address) => "a-very-long-host-name.example.test";

        public string PortName(ushort port, string protocol) => "http";
    }

    [Fact]
    public void Daemons_PrintAsIpvsadm_MasterFirst_NothingWhenNone()
    {
        var daemons = new[]
        {
            new SyncDaemonInfo { State = "backup", Interface = "eth0", SyncId = 9, MaxLength = 1472, Group = "224.0.0.81", Port = 8848, Ttl = 1 },
            new SyncDaemonInfo { State = "master", Interface = "eth0", SyncId = 0, MaxLength = 1472, Group = "224.0.0.81", Port = 8848, Ttl = 1 },
        };
        Assert.Equal(
            "master sync daemon (mcast=eth0, syncid=0, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\n"
            + "backup sync daemon (mcast=eth0, syncid=9, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\n",
            IpvsadmFormatter.Daemons(daemons));
        Assert.Equal(string.Empty, IpvsadmFormatter.Daemons([]));
    }
}
