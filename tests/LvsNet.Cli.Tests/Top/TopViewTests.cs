using LvsNet.Cli.Admin;
using LvsNet.Cli.Ipvsadm;
using LvsNet.Cli.Top;
using LvsNet.Control.Listings;
using LvsNet.Control.Protocol;
using Xunit;

namespace LvsNet.Cli.Tests.Top;

public class TopViewTests
{
    private static ServerListing Server(string address, string health = "up", int weight = 1, int active = 0, int inactive = 0, long cps = 0, bool overloaded = false, IReadOnlyList<CheckerListing>? checkers = null) => new()
    {
        Address = address,
        Port = 80,
        Method = "dr",
        Weight = weight,
        ConfiguredWeight = weight,
        EffectiveWeight = weight,
        ActiveConnections = active,
        InactiveConnections = inactive,
        Rates = new TrafficRates(cps, 0, 0, 0, 0),
        Overloaded = overloaded,
        Health = health,
        Checkers = checkers,
    };

    private static IpvsListing Listing(params ServerListing[] servers) => new()
    {
        Services = [new ServiceListing { Protocol = "tcp", Address = "10.0.0.100", Port = 80, Scheduler = "wlc", QuorumUp = true, Servers = servers }],
    };

    private static List<string> Servers(string frame) =>
        [.. frame.Split('\n').Where(l => l.StartsWith("  -> 10.", StringComparison.Ordinal)).Select(l => l[5..].Split(' ')[0])];

    [Fact]
    public void Sort_ByEachKey_OrdersTheServers()
    {
        var listing = Listing(
            Server("10.0.0.12", active: 5, inactive: 1, cps: 7, weight: 2),
            Server("10.0.0.9", "down (removed)", active: 0, inactive: 9, cps: 0, weight: 5),
            Server("10.0.0.11", active: 9, inactive: 3, cps: 3, weight: 1, overloaded: true));
        var at = DateTimeOffset.Parse("2026-12-06T17:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        // Address order is numeric (10.0.0.9 before 10.0.0.11), as ipvsadm sorts.
        Assert.Equal(["10.0.0.9:80", "10.0.0.11:80", "10.0.0.12:80"], Servers(TopView.Render(listing, null, TopSortKey.Address, at)));
        Assert.Equal(["10.0.0.11:80", "10.0.0.12:80", "10.0.0.9:80"], Servers(TopView.Render(listing, null, TopSortKey.Active, at)));
        Assert.Equal(["10.0.0.9:80", "10.0.0.11:80", "10.0.0.12:80"], Servers(TopView.Render(listing, null, TopSortKey.Inactive, at)));
        Assert.Equal(["10.0.0.12:80", "10.0.0.11:80", "10.0.0.9:80"], Servers(TopView.Render(listing, null, TopSortKey.ConnectionRate, at)));
        Assert.Equal(["10.0.0.9:80", "10.0.0.11:80", "10.0.0.12:80"], Servers(TopView.Render(listing, null, TopSortKey.State, at)));
        Assert.Equal(["10.0.0.9:80", "10.0.0.12:80", "10.0.0.11:80"], Servers(TopView.Render(listing, null, TopSortKey.Weight, at)));
    }

    [Fact]
    public void Render_ShowsStateWeightsAndTheFailingCheck_CutToTheTerminal()
    {
        var failing = new CheckerListing { Checker = "http_get /health", Up = false, Checks = 8, Failures = 2, LastMessage = "connection refused" };
        var listing = Listing(Server("10.0.0.11", "down (removed)", weight: 3, checkers: [failing]), Server("10.0.0.12", overloaded: true));
        var status = new DaemonStatus { Version = "1.0.0", ConfigPath = "/etc/lvsnet/lvsnet.yaml", UptimeSeconds = 3725, Services = 1, RealServers = 1, SnapshotVersion = 4 };
        var frame = TopView.Render(listing, status, TopSortKey.Address, DateTimeOffset.Parse("2026-12-06T17:00:00Z", System.Globalization.CultureInfo.InvariantCulture), width: 200);
        var lines = frame.Split('\n');
        Assert.Equal("lvsnetadm top - 17:00:00Z - lvsnetd v1.0.0 up 01:02:05, 1 service(s), 1 server(s) in pools, snapshot 4", lines[0]);
        Assert.Equal("data path: not running", lines[1]);
        Assert.StartsWith("sort: address ", lines[2], StringComparison.Ordinal);
        Assert.Contains("TCP  10.0.0.100:80         wlc", frame, StringComparison.Ordinal);
        Assert.Contains("quorum up", frame, StringComparison.Ordinal);
        var down = lines.Single(l => l.StartsWith("  -> 10.0.0.11:80", StringComparison.Ordinal));
        Assert.Matches(@"^  -> 10\.0\.0\.11:80 +down +3/3 +0 +0 .* http_get /health FAIL \(2/8 failed\): connection refused$", down);
        Assert.Matches(@"^  -> 10\.0\.0\.12:80 +overloaded ", lines.Single(l => l.StartsWith("  -> 10.0.0.12:80", StringComparison.Ordinal)));

        var small = TopView.Render(listing, status, TopSortKey.Address, DateTimeOffset.UnixEpoch, width: 40, height: 4);
        Assert.Equal(4, small.Count(c => c == '\n'));
        Assert.All(small.Split('\n'), l => Assert.True(l.Length <= 40, l));
    }

    [Theory]
    [InlineData("top", 2.0, TopSortKey.Address, false, null)]
    [InlineData("top -n -d 0.5 --sort a -b -i 3", 0.5, TopSortKey.Active, true, 3)]
    [InlineData("top --sort bytes/s", 2.0, TopSortKey.ByteRate, false, null)]
    public void CommandLine_ReadsTopOptions(string line, double seconds, TopSortKey sort, bool batch, int? iterations)
    {
        var invocation = AdminCommandLine.Parse(line.Split(' '));
        Assert.Equal(AdminVerb.Top, invocation.Verb);
        Assert.Equal(new TopOptions { Interval = TimeSpan.FromSeconds(seconds), Sort = sort, Batch = batch, Iterations = iterations }, invocation.Top);
    }

    [Theory]
    [InlineData("top -d 0")]
    [InlineData("top --sort x")]
    [InlineData("top -i 0")]
    [InlineData("top --colour")]
    public void CommandLine_BadTopOptions_AreRefused(string line) =>
        Assert.Throws<IpvsadmUsageException>(() => AdminCommandLine.Parse(line.Split(' ')));
}
