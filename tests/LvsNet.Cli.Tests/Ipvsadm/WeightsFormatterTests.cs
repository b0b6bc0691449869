using LvsNet.Cli.Ipvsadm;
using LvsNet.Control.Listings;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Cli.Tests.Ipvsadm;

/// <summary><c>-L --weights</c>: configured, in-force and effective weights side by side; parsed only with -L.</summary>
public class WeightsFormatterTests
{
    [Fact]
    public void List_ShowsTheThreeWeights()
    {
        var listing = new IpvsListing
        {
            Services =
            [
                new ServiceListing
                {
                    Protocol = "tcp", Address = "10.0.0.100", Port = 80, Scheduler = "wlc",
                    Servers =
                    [
                        new ServerListing { Address = "10.0.0.12", Port = 80, Method = "dr", ConfiguredWeight = 100, Weight = 100, EffectiveWeight = 35, ActiveConnections = 4, InactiveConnections = 17 },
                        new ServerListing { Address = "10.0.0.11", Port = 80, Method = "dr", ConfiguredWeight = 100, Weight = 0, EffectiveWeight = 0 },
                    ],
                },
            ],
        };
        var text = WeightsFormatter.List(listing, ListFormat.Numeric, new FakeNameResolver());
        Assert.Equal(
            "Prot LocalAddress:Port Scheduler\n"
            + "  -> RemoteAddress:Port           Configured InForce Effective ActiveConn InActConn\n"
            + "TCP  10.0.0.100:80 wlc\n"
            + "  -> 10.0.0.11:80                 100        0       0         0          0\n"
            + "  -> 10.0.0.12:80                 100        100     35        4          17\n",
            text);
    }

    [Fact]
    public void Parser_AcceptsWeightsWithListOnly()
    {
        var parser = new IpvsadmParser();
        Assert.True(parser.Parse(["-L", "-n", "--weights"]).Weights);
        Assert.Throws<IpvsadmUsageException>(() => parser.Parse(["-A", "-t", "10.0.0.100:80", "--weights"]));
    }
}
