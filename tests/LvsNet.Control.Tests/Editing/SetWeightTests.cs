using LvsNet.Control.Editing;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using Xunit;
using static LvsNet.Testing.ControlFixtures;

namespace LvsNet.Control.Tests.Editing;

public class SetWeightTests
{
    private static readonly ServiceSelector Service = new("tcp", "10.0.0.100", 80);

    private static LvsConfig Web()
    {
        var config = Apply(Empty, "-A -t 10.0.0.100:80 -s wlc", "-a -t 10.0.0.100:80 -r 10.0.0.11:8080 -m -w 3 -x 100 -y 50", "-a -t 10.0.0.100:80 -r 10.0.0.12 -w 2");
        var service = config.VirtualServices[0];

        // A MAC and a per-server health check that ipvsadm's -e would drop.
        var servers = service.RealServers.SetItem(0, service.RealServers[0] with { Mac = MacAddress.Parse("02:00:00:00:00:12") });
        return config with { VirtualServices = [service with { RealServers = servers }] };
    }

    [Fact]
    public void SetWeight_OneServer_ChangesOnlyItsWeight()
    {
        var before = Web();
        var after = ConfigEditor.Apply(before, [new EditOperation { Kind = EditKind.SetWeight, Service = Service, ServerAddress = "10.0.0.11", ServerPort = 8080, Weight = 7 }]);
        var was = before.VirtualServices[0].RealServers.Single(r => r.Port == 8080);
        var now = after.VirtualServices[0].RealServers.Single(r => r.Port == 8080);
        Assert.Equal(was with { Weight = 7 }, now);
        Assert.Equal((ForwardingMethod.Nat, 100, 50), (now.Method, now.UpperThreshold, now.LowerThreshold));
        Assert.Equal(before.VirtualServices[0].RealServers.Single(r => r.Port == 80), after.VirtualServices[0].RealServers.Single(r => r.Port == 80));
    }

    [Fact]
    public void SetWeight_WithoutServer_SetsEveryServerOfTheService()
    {
        var after = ConfigEditor.Apply(Web(), [new EditOperation { Kind = EditKind.SetWeight, Service = Service, Weight = 0 }]);
        Assert.All(after.VirtualServices[0].RealServers, r => Assert.Equal(0, r.Weight));
        Assert.Equal(MacAddress.Parse("02:00:00:00:00:12"), after.VirtualServices[0].RealServers[0].Mac);
    }

    [Theory]
    [InlineData("10.0.0.100", 80, "10.0.0.13", 80, "No such destination")]
    [InlineData("10.0.0.101", 80, "10.0.0.11", 8080, "Service not defined")]
    public void SetWeight_Unknown_IsRefusedWithIpvsadmsWords(string vip, int port, string server, int serverPort, string message)
    {
        var error = Assert.Throws<ConfigEditException>(() => ConfigEditor.Apply(Web(), [new EditOperation { Kind = EditKind.SetWeight, Service = new("tcp", vip, (ushort)port), ServerAddress = server, ServerPort = (ushort)serverPort, Weight = 1 }]));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
