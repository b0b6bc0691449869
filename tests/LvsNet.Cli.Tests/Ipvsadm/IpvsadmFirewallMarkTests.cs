using LvsNet.Cli.Ipvsadm;
using LvsNet.Control.Editing;
using LvsNet.Control.Listings;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Testing.ControlFixtures;

namespace LvsNet.Cli.Tests.Ipvsadm;

/// <summary>
/// ipvsadm's <c>-f</c>: parsing (ipvsadm.c parse_fwmark and process_options), the listings and the
/// saved rules of ipvs-semantics.md sections 5.4 and 5.8 (the reference example's "FWM  7" service),
/// byte for byte ('|' marks the end of a line).
/// </summary>
public class IpvsadmFirewallMarkTests
{
    private static readonly IpvsadmParser Parser = new(new FakeNameResolver());

    private static IpvsadmInvocation Parse(string line) => Parser.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static string Lines(string text) => text.Replace("\r", "", StringComparison.Ordinal).Replace("|\n", "\n", StringComparison.Ordinal);

    // The reference's table, the fwmark service first so that sorting must move it after the others.
    private static IpvsListing Reference() => new()
    {
        TableSize = 4096,
        Services =
        [
            new ServiceListing
            {
                Protocol = "tcp", Address = "0.0.0.0", Port = 0, FirewallMark = 7, Scheduler = "sh", SchedulerFlags = ["sh-fallback", "sh-port"],
                Servers = [new ServerListing { Address = "192.168.10.3", Port = 0, Method = "tun", Weight = 1 }],
            },
            new ServiceListing
            {
                Protocol = "udp", Address = "10.0.0.100", Port = 53, Scheduler = "rr", OnePacketScheduling = true,
                Servers = [new ServerListing { Address = "192.168.10.1", Port = 53, Method = "dr", Weight = 1, InactiveConnections = 512 }],
            },
            new ServiceListing
            {
                Protocol = "tcp", Address = "10.0.0.100", Port = 80, Scheduler = "wlc", PersistenceTimeoutSeconds = 360, PersistenceNetmask = "255.255.255.0",
                Servers =
                [
                    new ServerListing { Address = "192.168.10.2", Port = 8080, Method = "nat", Weight = 3, ActiveConnections = 30, InactiveConnections = 97 },
                    new ServerListing { Address = "192.168.10.1", Port = 80, Method = "nat", Weight = 1, ActiveConnections = 12, InactiveConnections = 40 },
                ],
            },
        ],
    };

    [Fact]
    public void List_Numeric_FirewallMarkServiceAsIpvsadmPrintsIt()
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
            FWM  7 sh (sh-fallback,sh-port)|
              -> 192.168.10.3:0               Tunnel  1      0          0         |

            """);
        Assert.Equal(expected, IpvsadmFormatter.List(Reference(), ListFormat.Numeric, NumericNameResolver.Instance));
    }

    [Fact]
    public void Save_FirewallMarkService_AsIpvsadmSave()
    {
        var expected = Lines(
            """
            -A -t 10.0.0.100:80 -s wlc -p 360 -M 255.255.255.0
            -a -t 10.0.0.100:80 -r 10.0.0.1:80 -m -w 1
            -a -t 10.0.0.100:80 -r 10.0.0.2:8080 -m -w 3
            -A -u 10.0.0.100:53 -s rr -o
            -a -u 10.0.0.100:53 -r 10.0.0.1:53 -g -w 1
            -A -f 7 -s sh -b sh-fallback,sh-port
            -a -f 7 -r 10.0.0.3:0 -i -w 1 --tun-type ipip

            """).Replace("10.0.0.1:", "192.168.10.1:", StringComparison.Ordinal).Replace("10.0.0.2:", "192.168.10.2:", StringComparison.Ordinal).Replace("10.0.0.3:", "192.168.10.3:", StringComparison.Ordinal);
        Assert.Equal(expected, IpvsadmFormatter.Save(Reference(), ListFormat.Numeric, NumericNameResolver.Instance));
    }

    [Fact]
    public void List_Stats_FirewallMarkServicePaddedLikeTheOthers()
    {
        var text = IpvsadmFormatter.List(Reference(), ListFormat.Numeric | ListFormat.Stats, NumericNameResolver.Instance);
        Assert.Contains("\nFWM  7                                   0        0        0        0        0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AddFirewallMarkService_NeedsNoPortOrPersistence()
    {
        var operation = Parse("-A -f 1 -s rr").Operation!;
        Assert.Equal(EditKind.AddService, operation.Kind);
        Assert.Equal(ServiceSelector.ForMark(1), operation.Service);
        Assert.Equal("-f 1", operation.Service!.ToString());
        Assert.Equal("rr", operation.Scheduler);

        // ipvsadm lets -o go with -f (the kernel applies it to the mark's UDP packets).
        Assert.True(Parse("-A --fwmark-service 4294967295 -o").Operation!.OnePacketScheduling);
    }

    [Fact]
    public void Parse_AddServerToFirewallMarkService_KeepsTheGivenPortEvenForDr()
    {
        var operation = Parse("-a -f 1 -r 10.0.0.11:443 -g -w 2").Operation!;
        Assert.Equal((1u, "10.0.0.11", (ushort)443, 2), (operation.Service!.FirewallMark, operation.ServerAddress, operation.ServerPort, operation.Weight));

        // Without a port the server takes the service's, which for a mark is 0.
        Assert.Equal(0, Parse("-a -f 1 -r 10.0.0.11").Operation!.ServerPort);
    }

    [Theory]
    [InlineData("-A -f 0 -s rr", "invalid fwmark value `0' specified")]
    [InlineData("-A -f -3 -s rr", "invalid fwmark value `-3' specified")]
    [InlineData("-A -f 4294967296", "invalid fwmark value `4294967296' specified")]
    [InlineData("-A -f 1x", "invalid fwmark value `1x' specified")]
    [InlineData("-A -f 1 -t 10.0.0.100:80", "multiple 'service-address' options specified")]
    public void Parse_BadFirewallMark_FailsAsIpvsadm(string line, string message)
    {
        var error = Assert.Throws<IpvsadmUsageException>(() => Parse(line));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Edit_AddListDeleteFirewallMarkService()
    {
        var config = ConfigEditor.Apply(Empty, [Parse("-A -f 1 -s rr -p 600").Operation!, Parse("-a -f 1 -r 10.0.0.11 -g").Operation!, Parse("-a -f 1 -r 10.0.0.12 -g").Operation!]);
        var service = Assert.Single(config.VirtualServices);
        Assert.Equal((1u, (IpProtocol)0, 0u, (ushort)0), (service.FirewallMark, service.Protocol, service.Address, service.Port));
        Assert.Equal(TimeSpan.FromSeconds(600), service.PersistenceTimeout);
        Assert.Equal([Ip("10.0.0.12"), Ip("10.0.0.11")], service.RealServers.Select(r => r.Address));
        Assert.Empty(ConfigValidator.Validate(config));

        var duplicate = Assert.Throws<ConfigEditException>(() => ConfigEditor.Apply(config, Parse("-A -f 1 -s wlc").Operation!));
        Assert.Equal("Service already exists", duplicate.Message);

        // -t 0.0.0.0:0 is another service than -f 1.
        Assert.Throws<ConfigEditException>(() => ConfigEditor.Apply(config, Parse("-D -t 0.0.0.0:0").Operation!));
        Assert.Empty(ConfigEditor.Apply(config, Parse("-D -f 1").Operation!).VirtualServices);
    }
}
