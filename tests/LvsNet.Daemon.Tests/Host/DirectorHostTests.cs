using LvsNet.Daemon.Host;
using LvsNet.Packets;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace LvsNet.Daemon.Tests.Host;

public sealed class DirectorHostTests : IDisposable
{
    // The lines as iproute2's `ip -o -4 addr show` prints them.
    private const string Lo = "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever";
    private const string Eth0 = "2: eth0    inet 10.0.0.2/24 brd 10.0.0.255 scope global eth0\\       valid_lft forever preferred_lft forever";
    private const string Vip = "2: eth0    inet 10.0.0.100/24 brd 10.0.0.255 scope global secondary noprefixroute eth0:vip\\       valid_lft forever preferred_lft forever";
    private const string Vip2 = "2: eth0    inet 10.0.0.101/32 scope global eth0\\       valid_lft forever preferred_lft forever";

    private readonly FakeCommands _commands = new();
    private readonly string _ipForward = Path.GetTempFileName();
    private readonly DirectorHost _host;

    public DirectorHostTests()
    {
        File.WriteAllText(_ipForward, "0\n");
        _commands.Addresses.AddRange([Lo, Eth0, Vip, Vip2]);
        _host = new DirectorHost(NullLogger.Instance, _commands, _ipForward);
    }

    public void Dispose() => File.Delete(_ipForward);

    [Fact]
    public void Follow_RemovesAVipHeldByTheKernel_AndRecordsItExactly()
    {
        _host.FollowVirtualAddresses([Ipv4Address.Parse("10.0.0.100")]);

        Assert.Equal(["ip addr del 10.0.0.100/24 dev eth0"], _commands.Changes);
        var recorded = Assert.Single(_host.RemovedAddresses[Ipv4Address.Parse("10.0.0.100")]);
        Assert.Equal(new KernelAddress("10.0.0.100/24", "eth0", "10.0.0.255", "global", "eth0:vip", NoPrefixRoute: true), recorded);
    }

    [Fact]
    public void Follow_VipLeavesTheConfiguration_PutsBackExactlyWhatWasRemoved()
    {
        _host.FollowVirtualAddresses([Ipv4Address.Parse("10.0.0.100"), Ipv4Address.Parse("10.0.0.101")]);
        _commands.Changes.Clear();

        // The service of 10.0.0.100 is deleted; 10.0.0.101 stays.
        _host.FollowVirtualAddresses([Ipv4Address.Parse("10.0.0.101")]);

        Assert.Equal(["ip addr add 10.0.0.100/24 brd 10.0.0.255 scope global noprefixroute label eth0:vip dev eth0"], _commands.Changes);
        Assert.False(_host.RemovedAddresses.ContainsKey(Ipv4Address.Parse("10.0.0.100")));
        Assert.True(_host.RemovedAddresses.ContainsKey(Ipv4Address.Parse("10.0.0.101")));
    }

    [Fact]
    public void Restore_PutsBackEveryRemovedVip_Once()
    {
        _host.FollowVirtualAddresses([Ipv4Address.Parse("10.0.0.100"), Ipv4Address.Parse("10.0.0.101")]);
        _commands.Changes.Clear();

        _host.Restore();
        _host.Restore();

        Assert.Equal(
            ["ip addr add 10.0.0.100/24 brd 10.0.0.255 scope global noprefixroute label eth0:vip dev eth0", "ip addr add 10.0.0.101/32 scope global dev eth0"],
            _commands.Changes.Order(StringComparer.Ordinal));
        Assert.Empty(_host.RemovedAddresses);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.1.2.3")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    public void Follow_AddressThatIsNeverAVip_IsNeverTouched(string address)
    {
        // Even if such a VIP slipped past validation, the host keeps lo's 127.0.0.1/8 (issue: -A -t :80).
        _commands.Addresses.Add("1: lo    inet 127.1.2.3/8 scope host lo\\       valid_lft forever preferred_lft forever");
        _host.FollowVirtualAddresses([Ipv4Address.Parse(address)]);
        _host.Restore();

        Assert.Empty(_commands.Changes);
        Assert.Empty(_host.RemovedAddresses);
    }

    [Fact]
    public void Follow_TheDirectorsOwnAddressIsNotAVip_SoNothingHappens()
    {
        _host.FollowVirtualAddresses([]);
        Assert.Empty(_commands.Changes);
    }

    [Fact]
    public void Prepare_TurnsIpForwardOffAndRestoreTurnsItBackOn_OnlyIfItWasOn()
    {
        File.WriteAllText(_ipForward, "1\n");
        _host.Prepare("eth0", [Ipv4Address.Parse("10.0.0.100")]);
        Assert.Equal("0", File.ReadAllText(_ipForward).Trim());
        _host.Restore();
        Assert.Equal("1", File.ReadAllText(_ipForward).Trim());

        File.WriteAllText(_ipForward, "0\n");
        var untouched = new DirectorHost(NullLogger.Instance, new FakeCommands(), _ipForward);
        untouched.Prepare("eth0", []);
        untouched.Restore();
        Assert.Equal("0", File.ReadAllText(_ipForward).Trim());
    }

    [Theory]
    [InlineData(Lo, "127.0.0.1/8", "lo", null, "host", null, false)]
    [InlineData(Eth0, "10.0.0.2/24", "eth0", "10.0.0.255", "global", null, false)]
    [InlineData(Vip, "10.0.0.100/24", "eth0", "10.0.0.255", "global", "eth0:vip", true)]
    [InlineData("3: tun0    inet 10.9.0.1 peer 10.9.0.2/32 scope global tun0\\       valid_lft forever preferred_lft forever", "10.9.0.1", "tun0", null, "global", null, false)]
    public void KernelAddress_ReadsIproute2Lines(string line, string cidr, string device, string? broadcast, string scope, string? label, bool noPrefixRoute) =>
        Assert.Equal(new KernelAddress(cidr, device, broadcast, scope, label, noPrefixRoute), KernelAddress.TryParse(line));

    private sealed class FakeCommands : IHostCommandRunner
    {
        public List<string> Addresses { get; } = [];

        public List<string> Changes { get; } = [];

        public (int ExitCode, string Output) Run(string fileName, params string[] arguments)
        {
            var line = fileName + " " + string.Join(' ', arguments);
            if (line == "ip -o -4 addr show")
            {
                return (0, string.Join('\n', Addresses) + "\n");
            }

            if (fileName == "ethtool" && arguments[0] == "-k")
            {
                return (0, "Features for eth0:\nrx-checksumming: off [fixed]\n");
            }

            Changes.Add(line);
            if (line.StartsWith("ip addr del ", StringComparison.Ordinal))
            {
                Addresses.RemoveAll(a => a.Contains(" inet " + arguments[2] + " ", StringComparison.Ordinal));
            }

            return (0, "");
        }
    }
}
