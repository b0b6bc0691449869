using LvsNet.Core.Configuration;
using LvsNet.Core.Routing;
using LvsNet.Core.Runtime;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests.Routing;

public class AnnouncementPolicyTests
{
    private static readonly AnnouncementConditions Healthy = new(CaptureRunning: true, Drained: false, RoleActive: true);

    // VIP .100 has two services (80 with a live server, 443 whose only server has weight 0); VIP .101 one live service.
    private const string Yaml =
        """
        director:
          interface: eth0
          address: 10.77.0.2/24
        announce:
          routes_file: /run/lvsnet/vips.conf
        virtual_services:
          - protocol: tcp
            address: 10.77.0.100
            port: 80
            scheduler: mh
            real_servers:
              - address: 10.77.0.11
          - protocol: tcp
            address: 10.77.0.100
            port: 443
            scheduler: mh
            real_servers:
              - address: 10.77.0.11
                weight: 0
          - protocol: tcp
            address: 10.77.0.101
            port: 80
            scheduler: mh
            real_servers:
              - address: 10.77.0.12
        """;

    private static LvsSnapshot Snapshot(string yaml = Yaml)
    {
        var runtime = new LvsRuntime();
        runtime.Apply(LvsConfigReader.Parse(yaml));
        return runtime.Current!;
    }

    [Fact]
    public void AllServices_WithdrawsAVipWhoseOtherPortHasNoServer()
    {
        var plan = AnnouncementPolicy.Evaluate(Snapshot(), AnnounceRequirement.AllServices, Healthy);
        Assert.Equal([new(Ipv4Address.Parse("10.77.0.100"), WithdrawReason.QuorumLost), new(Ipv4Address.Parse("10.77.0.101"), WithdrawReason.None)], plan);
    }

    [Fact]
    public void AnyService_AnnouncesAVipWithOneServingPort()
    {
        var plan = AnnouncementPolicy.Evaluate(Snapshot(), AnnounceRequirement.AnyService, Healthy);
        Assert.All(plan, p => Assert.True(p.Announced));
        Assert.Equal(2, plan.Length);
    }

    [Theory]
    [InlineData(false, false, true, WithdrawReason.CaptureDown)]
    [InlineData(false, true, false, WithdrawReason.CaptureDown)]
    [InlineData(true, false, false, WithdrawReason.NotMaster)]
    [InlineData(true, true, false, WithdrawReason.NotMaster)]
    [InlineData(true, true, true, WithdrawReason.Drained)]
    public void DirectorConditions_WithdrawEveryVip(bool capture, bool drained, bool master, WithdrawReason expected)
    {
        var plan = AnnouncementPolicy.Evaluate(Snapshot(), AnnounceRequirement.AnyService, new AnnouncementConditions(capture, drained, master));
        Assert.All(plan, p => Assert.Equal(expected, p.Reason));
    }

    [Fact]
    public void RemovedServer_WithdrawsTheVip()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(LvsConfigReader.Parse(Yaml));
        runtime.Update(c => c with { VirtualServices = [.. c.VirtualServices.Select(s => s.Port == 80 && s.Address == Ipv4Address.Parse("10.77.0.101") ? s with { RealServers = [] } : s)] });
        var plan = AnnouncementPolicy.Evaluate(runtime.Current!, AnnounceRequirement.AnyService, Healthy);
        Assert.Equal(WithdrawReason.QuorumLost, plan.Single(p => p.Address == Ipv4Address.Parse("10.77.0.101")).Reason);
    }

    [Theory]
    [InlineData("mh", true)]
    [InlineData("sh", true)]
    [InlineData("dh", true)]
    [InlineData("fo", true)]
    [InlineData("rr", false)]
    [InlineData("wlc", false)]
    [InlineData("lc", false)]
    [InlineData("twos", false)]
    [InlineData("lblc", false)]
    public void ConsistentSchedulers_AreTheHashesAndFailover(string scheduler, bool consistent) =>
        Assert.Equal(consistent, AnnouncementPolicy.IsConsistentAcrossDirectors(scheduler));

    [Fact]
    public void RoutesFile_HasOneBlackholeRoutePerAnnouncedVip()
    {
        var text = BirdRoutesFile.Render([new(Ipv4Address.Parse("10.77.0.100"), WithdrawReason.None), new(Ipv4Address.Parse("10.77.0.101"), WithdrawReason.Drained), new(Ipv4Address.Parse("192.0.2.1"), WithdrawReason.None)]);
        Assert.Equal("# Written by lvsnetd: the VIPs this director announces now. Do not edit.\nroute 10.77.0.100/32 blackhole;\nroute 192.0.2.1/32 blackhole;\n", text);
    }
}
