using LvsNet.Cli.Ipvsadm;
using LvsNet.Control.Editing;
using LvsNet.Control.Listings;
using LvsNet.Core;
using LvsNet.Core.Configuration;
using LvsNet.Core.Runtime;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Testing.ControlFixtures;

namespace LvsNet.Control.Tests.Editing;

public class ConfigEditorTests
{
    private static LvsConfig Web() => Apply(
        Empty,
        "-A -t 10.0.0.100:80 -s rr -p 600 -M 255.255.255.0",
        "-a -t 10.0.0.100:80 -r 10.0.0.11 -w 3",
        "-a -t 10.0.0.100:80 -r 10.0.0.12 -x 100 -y 50");

    [Fact]
    public void Apply_AddServiceAndServers_BuildsTheServiceWithServersAtTheListHead()
    {
        var service = Assert.Single(Web().VirtualServices);
        Assert.Equal(IpProtocol.Tcp, service.Protocol);
        Assert.Equal(Ip("10.0.0.100"), service.Address);
        Assert.Equal("rr", service.Scheduler);
        Assert.Equal(TimeSpan.FromSeconds(600), service.PersistenceTimeout);
        Assert.Equal(Ip("255.255.255.0"), service.PersistenceNetmask);

        // The kernel links a new destination at the head: the last added is first.
        Assert.Equal([Ip("10.0.0.12"), Ip("10.0.0.11")], service.RealServers.Select(s => s.Address));
        Assert.Equal(3, service.RealServers[1].Weight);
        Assert.Equal(ForwardingMethod.DirectRouting, service.RealServers[1].Method);
        Assert.Equal((100, 50), (service.RealServers[0].UpperThreshold, service.RealServers[0].LowerThreshold));
    }

    [Fact]
    public void Apply_EditService_ReplacesEverySettingLikeIpvsadm()
    {
        var named = Web() with { VirtualServices = [Web().VirtualServices[0] with { Name = "web" }] };
        var service = Assert.Single(Apply(named, "-E -t 10.0.0.100:80").VirtualServices);
        Assert.Equal("wlc", service.Scheduler);
        Assert.Null(service.PersistenceTimeout);
        Assert.Equal(uint.MaxValue, service.PersistenceNetmask);
        Assert.Equal("web", service.Name);
        Assert.Equal(2, service.RealServers.Length);
    }

    [Fact]
    public void Apply_EditServer_ResetsOmittedOptionsToDefaults()
    {
        var server = Apply(Web(), "-e -t 10.0.0.100:80 -r 10.0.0.12 -m").VirtualServices[0].RealServers[0];
        Assert.Equal(Ip("10.0.0.12"), server.Address);
        Assert.Equal(1, server.Weight);
        Assert.Equal(ForwardingMethod.Nat, server.Method);
        Assert.Equal((0, 0), (server.UpperThreshold, server.LowerThreshold));
    }

    [Fact]
    public void Apply_EditServerWeightZero_KeepsItsPlaceInTheList()
    {
        var servers = Apply(Web(), "-e -t 10.0.0.100:80 -r 10.0.0.11 -w 0").VirtualServices[0].RealServers;
        Assert.Equal([Ip("10.0.0.12"), Ip("10.0.0.11")], servers.Select(s => s.Address));
        Assert.Equal(0, servers[1].Weight);
    }

    [Fact]
    public void Apply_DeleteServerAndService_RemovesThem()
    {
        var config = Apply(Web(), "-d -t 10.0.0.100:80 -r 10.0.0.11");
        Assert.Equal(Ip("10.0.0.12"), Assert.Single(config.VirtualServices[0].RealServers).Address);
        Assert.Empty(Apply(config, "-D -t 10.0.0.100:80").VirtualServices);
    }

    [Fact]
    public void Apply_Clear_RemovesEveryService()
    {
        var config = Apply(Web(), "-A -u 10.0.0.100:53 -s rr", "-C");
        Assert.Empty(config.VirtualServices);
        Assert.Equal(Director, config.Director);
    }

    [Fact]
    public void Apply_SetTimeouts_ZeroLeavesOneUnchanged()
    {
        var connections = Apply(Empty, "--set 60 0 20").Connections;
        Assert.Equal(TimeSpan.FromSeconds(60), connections.TcpTimeout);
        Assert.Equal(TimeSpan.FromSeconds(120), connections.TcpFinTimeout);
        Assert.Equal(TimeSpan.FromSeconds(20), connections.UdpTimeout);
    }

    [Fact]
    public void Apply_SchedulerFlagsAndOps_AreMapped()
    {
        var service = Apply(Empty, "-A -u 10.0.0.100:53 -s sh -b sh-port -o").VirtualServices[0];
        Assert.Equal(["sh-port"], service.SchedulerFlags.AsEnumerable());
        Assert.True(service.OnePacketScheduling);
        Assert.Empty(Apply(Apply(Empty, "-A -u 10.0.0.100:53 -s sh -b sh-port"), "-E -u 10.0.0.100:53 -s sh").VirtualServices[0].SchedulerFlags);
    }

    [Theory]
    [InlineData("-A -t 10.0.0.100:80", "Service already exists")]
    [InlineData("-E -t 10.0.0.100:81", "No such service")]
    [InlineData("-D -t 10.0.0.100:81", "No such service")]
    [InlineData("-a -t 10.0.0.100:81 -r 10.0.0.11", "Service not defined")]
    [InlineData("-a -t 10.0.0.100:80 -r 10.0.0.11", "Destination already exists")]
    [InlineData("-e -t 10.0.0.100:80 -r 10.0.0.13", "No such destination")]
    [InlineData("-d -t 10.0.0.100:80 -r 10.0.0.11:8080", "No such destination")]
    [InlineData("-A -t 10.0.0.101:80 -s nosuch", "Scheduler or persistence engine not found")]
    [InlineData("-a -t 10.0.0.100:80 -r 10.0.0.13 -y 10", "Numerical result out of range")]
    public void Apply_ImpossibleOperation_FailsWithIpvsadmsMessage(string line, string message) =>
        Assert.Equal(message, Assert.Throws<ConfigEditException>(() => Apply(Web(), line)).Message);

    [Fact]
    public void Apply_Batch_IsAllOrNothingAndNamesTheLine()
    {
        var before = Web();
        var operations = new[] { Op("-A -t 10.0.0.101:80") with { Line = 1 }, Op("-D -t 10.0.0.102:80") with { Line = 2 } };
        var error = Assert.Throws<ConfigEditException>(() => ConfigEditor.Apply(before, operations));
        Assert.Equal("line 2: No such service", error.Describe());
        Assert.Single(before.VirtualServices);
    }

    [Fact]
    public void Apply_EveryImplementedScheduler_IsAccepted()
    {
        foreach (var scheduler in LvsNet.Core.Configuration.SchedulerNames.Implemented)
        {
            Assert.Equal(scheduler, Apply(Empty, $"-A -t 10.0.0.100:80 -s {scheduler}").VirtualServices[0].Scheduler);
        }
    }
}

public class LocalAddressCommandTests
{
    private static readonly IpvsadmParser Parser = new();

    private static IpvsadmInvocation Parse(string line) => Parser.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void AddAndDeleteLocalAddress_EditThePool_AndDpvsSpellingsParse()
    {
        var config = Apply(Empty, "-A -t 10.0.0.100:80 -s rr --toa", "--add-laddr -t 10.0.0.100:80 -z 10.0.0.50 -F eth0", "-P -t 10.0.0.100:80 -z 10.0.0.51", "-a -t 10.0.0.100:80 -r 10.0.0.11:8080 --fullnat");
        var service = Assert.Single(config.VirtualServices);
        Assert.Equal([Ip("10.0.0.50"), Ip("10.0.0.51")], service.LocalAddresses.ToArray());
        Assert.True(service.Toa);
        Assert.Empty(LvsNet.Core.Configuration.ConfigValidator.Validate(config));

        var fewer = Apply(config, "--del-laddr -t 10.0.0.100:80 -z 10.0.0.50");
        Assert.Equal([Ip("10.0.0.51")], fewer.VirtualServices[0].LocalAddresses.ToArray());

        // -E resets --toa like every other option ipvsadm resets; the pool stays.
        var edited = Apply(config, "-E -t 10.0.0.100:80 -s rr");
        Assert.False(edited.VirtualServices[0].Toa);
        Assert.Equal(2, edited.VirtualServices[0].LocalAddresses.Length);
    }

    [Theory]
    [InlineData("-P -t 10.0.0.100:80 -z 10.0.0.50", "Local address already exists")]
    [InlineData("-Q -t 10.0.0.100:80 -z 10.0.0.99", "No such local address")]
    [InlineData("-P -t 10.0.0.101:80 -z 10.0.0.52", "Service not defined")]
    public void LocalAddressMistakes_AreRefusedWithTheReason(string line, string message)
    {
        var config = Apply(Empty, "-A -t 10.0.0.100:80", "-P -t 10.0.0.100:80 -z 10.0.0.50");
        var error = Assert.Throws<ConfigEditException>(() => Apply(config, line));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-P -t 10.0.0.100:80", "You need to supply the 'laddr' option for the 'add-laddr' command")]
    [InlineData("-P -z 10.0.0.50", "You need to supply the 'service-address' option for the 'add-laddr' command")]
    [InlineData("-P -t 10.0.0.100:80 -z 10.0.0.500", "illegal local address specified")]
    [InlineData("-a -t 10.0.0.100:80 -r 10.0.0.11 -z 10.0.0.50", "Illegal 'laddr' option with the 'add-server' command")]
    [InlineData("-a -t 10.0.0.100:80 -r 10.0.0.11 --toa", "Illegal 'toa' option with the 'add-server' command")]
    public void LocalAddressCommandLineMistakes_SayWhatWasWrong(string line, string message)
    {
        var error = Assert.Throws<IpvsadmUsageException>(() => Parse(line));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ipv6LocalAddresses_AreEditedListedSavedAndRestored()
    {
        var config = Apply(Empty, "-A -t [2001:db8::100]:80 -s rr", "-P -t [2001:db8::100]:80 -z 2001:db8::50", "-P -t [2001:db8::100]:80 -z 2001:DB8:0::51 -F eth0", "-a -t [2001:db8::100]:80 -r [2001:db8::11]:8080 --fullnat");
        var service = Assert.Single(config.VirtualServices);
        Assert.Equal(["2001:db8::50", "2001:db8::51"], service.LocalAddresses6.Select(a => a.ToString()).ToArray());
        Assert.Empty(service.LocalAddresses);
        Assert.Empty(LvsNet.Core.Configuration.ConfigValidator.Validate(config));

        Assert.Contains("Local address already exists", Assert.Throws<ConfigEditException>(() => Apply(config, "-P -t [2001:db8::100]:80 -z 2001:db8::50")).Message, StringComparison.Ordinal);
        Assert.Contains("No such local address", Assert.Throws<ConfigEditException>(() => Apply(config, "-Q -t [2001:db8::100]:80 -z 2001:db8::99")).Message, StringComparison.Ordinal);
        Assert.Contains("illegal local address specified", Assert.Throws<IpvsadmUsageException>(() => Parse("-P -t [2001:db8::100]:80 -z 2001:db8::g")).Message, StringComparison.Ordinal);

        var fewer = Apply(config, "-Q -t [2001:db8::100]:80 -z 2001:db8::50");
        Assert.Equal(["2001:db8::51"], fewer.VirtualServices[0].LocalAddresses6.Select(a => a.ToString()).ToArray());

        var runtime = new LvsRuntime();
        runtime.Apply(config);
        var listing = ListingBuilder.Build(runtime.Current!, null, 4096);
        Assert.Equal(
            "VIP:VPORT                      LADDR\nTCP  [2001:db8::100]:80        2001:db8::50\nTCP  [2001:db8::100]:80        2001:db8::51\n",
            IpvsadmFormatter.LocalAddresses(listing, NumericNameResolver.Instance));
        var saved = IpvsadmFormatter.Save(listing, ListFormat.Numeric, NumericNameResolver.Instance);
        Assert.Contains("-P -t [2001:db8::100]:80 -z 2001:db8::51\n", saved, StringComparison.Ordinal);
        var restored = Apply(Empty, [.. saved.Split('\n', StringSplitOptions.RemoveEmptyEntries)]);
        Assert.Equal(service.LocalAddresses6.ToArray(), restored.VirtualServices[0].LocalAddresses6.ToArray());
    }

    [Fact]
    public void GetLocalAddresses_ListsThePoolPerService_AndSaveRestoresIt()
    {
        Assert.Equal(IpvsadmCommand.ListLocalAddresses, Parse("-G").Command);
        Assert.Equal("10.0.0.100", Parse("--get-laddr -t 10.0.0.100:80").Service!.Address);

        var config = Apply(Empty, "-A -t 10.0.0.100:80 -s rr --toa", "-P -t 10.0.0.100:80 -z 10.0.0.50", "-a -t 10.0.0.100:80 -r 10.0.0.11:8080 --fullnat");
        var runtime = new LvsRuntime();
        runtime.Apply(config);
        var listing = ListingBuilder.Build(runtime.Current!, null, 4096);
        var text = IpvsadmFormatter.LocalAddresses(listing, NumericNameResolver.Instance);
        Assert.Equal("VIP:VPORT                      LADDR\nTCP  10.0.0.100:80             10.0.0.50\n", text);

        var saved = IpvsadmFormatter.Save(listing, ListFormat.Numeric, NumericNameResolver.Instance);
        Assert.Equal("-A -t 10.0.0.100:80 -s rr --toa\n-P -t 10.0.0.100:80 -z 10.0.0.50\n-a -t 10.0.0.100:80 -r 10.0.0.11:8080 --fullnat -w 1\n", saved);
        var restored = Apply(Empty, [.. saved.Split('\n', StringSplitOptions.RemoveEmptyEntries)]);
        Assert.Equal(config.VirtualServices[0], restored.VirtualServices[0]);
    }
}
