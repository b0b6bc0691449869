using LvsNet.Core.Neighbours;
using LvsNet.Packets;
using LvsNet.Testing;
using Microsoft.Extensions.Logging;
using Xunit;

namespace LvsNet.Core.Tests.Neighbours;

public class NeighbourTableTests
{
    private static readonly MacAddress Own = MacAddress.Parse("02:00:00:00:00:02");
    private static readonly MacAddress RsMac = MacAddress.Parse("02:00:00:00:00:11");
    private static readonly MacAddress NewMac = MacAddress.Parse("02:00:00:00:00:21");
    private static readonly MacAddress Attacker = MacAddress.Parse("02:66:66:66:66:66");
    private static readonly uint Dip = Ipv4Address.Parse("10.77.0.2");
    private static readonly uint Vip = Ipv4Address.Parse("10.77.0.100");
    private static readonly uint Local = Ipv4Address.Parse("10.77.0.200");
    private static readonly uint Rs = Ipv4Address.Parse("10.77.0.11");
    private static readonly uint Client = Ipv4Address.Parse("10.77.0.10");

    private readonly RecordingSender _sender = new();
    private readonly ListLogger _log = new();
    private readonly NeighbourTable _table;

    public NeighbourTableTests()
    {
        _table = new NeighbourTable(_sender, Own, Dip, logger: _log);
        _table.Configure([Vip, Local], new Dictionary<uint, MacAddress>(), 0);
    }

    private static ArpObservation ReplyToDirector(MacAddress senderMac, uint senderIp) => new(ArpOperation.Reply, senderMac, senderIp, Own, Dip);

    private static ArpObservation Gratuitous(MacAddress senderMac, uint ip) => new(ArpOperation.Request, senderMac, ip, MacAddress.Zero, ip);

    private MacAddress? Resolve(uint now)
    {
        return _table.TryResolve(Rs, now, out var mac) ? mac : null;
    }

    // Resolves Rs at RsMac at tick 0 and forgets the frames sent.
    private void Resolved()
    {
        Assert.Null(Resolve(0));
        Assert.Equal(ArpRefusal.None, _table.OnArp(ReplyToDirector(RsMac, Rs), 0));
        Assert.Equal(RsMac, Resolve(0));
        _sender.Frames.Clear();
    }

    [Fact]
    public void TryResolve_SendsBroadcastRequest_AndAnswerIsLearned()
    {
        uint? resolved = null;
        _table.Resolved += (ip, mac) => resolved = ip;
        Assert.Null(Resolve(0));
        var request = Assert.Single(_sender.Frames);
        Assert.Equal(MacAddress.Broadcast, request.Destination);
        Assert.Equal((ArpOperation.Request, Own, Dip, MacAddress.Zero, Rs), (request.Operation, request.SenderMac, request.SenderIp, request.TargetMac, request.TargetIp));

        Assert.Equal(ArpRefusal.None, _table.OnArp(ReplyToDirector(RsMac, Rs), 1));
        Assert.Equal(RsMac, Resolve(1));
        Assert.Equal(Rs, resolved);
    }

    [Fact]
    public void PoisoningFrame_WhoHasVipFromForeignMacClaimingRealServer_LeavesEntryAndProbesKnownMac()
    {
        Resolved();

        // The frame of the issue: a request for the VIP whose sender claims the real server's IP at a foreign MAC.
        var poison = new ArpObservation(ArpOperation.Request, Attacker, Rs, MacAddress.Zero, Vip);
        Assert.Equal(ArpRefusal.Unsolicited, _table.OnArp(poison, 10));
        Assert.Equal(RsMac, Resolve(10));

        // The hint made the table ask the known MAC, unicast.
        var probe = Assert.Single(_sender.Frames);
        Assert.Equal(RsMac, probe.Destination);
        Assert.Equal((ArpOperation.Request, Dip, RsMac, Rs), (probe.Operation, probe.SenderIp, probe.TargetMac, probe.TargetIp));

        // The attacker answering that unicast request is refused; the real server's answer confirms.
        Assert.Equal(ArpRefusal.UnexpectedMac, _table.OnArp(ReplyToDirector(Attacker, Rs), 10));
        Assert.Equal(RsMac, Resolve(10));
        Assert.Equal(ArpRefusal.None, _table.OnArp(ReplyToDirector(RsMac, Rs), 10));
        Assert.Equal(RsMac, Resolve(11));
        Assert.Equal(NeighbourState.Reachable, _table.List(11).Single().State);

        Assert.Equal(1, _table.Refused(ArpRefusal.Unsolicited));
        Assert.Equal(1, _table.Refused(ArpRefusal.UnexpectedMac));
        Assert.Contains(_log.Events, e => e.Id == 402 && e.Message.Contains("Unsolicited", StringComparison.Ordinal) && e.Message.Contains(Attacker.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void UnsolicitedReply_WithNoRequestOutstanding_IsRefused()
    {
        Resolved();
        Assert.Equal(ArpRefusal.Unsolicited, _table.OnArp(ReplyToDirector(Attacker, Rs), 20));
        Assert.Equal(RsMac, Resolve(20));
    }

    [Fact]
    public void UnsolicitedReply_ForNeighbourNeverAsked_CreatesNothing()
    {
        Assert.Equal(ArpRefusal.None, _table.OnArp(ReplyToDirector(Attacker, Client), 0));
        Assert.Empty(_table.List(0));
        Assert.Empty(_sender.Frames);
    }

    [Theory]
    [InlineData("10.77.0.99", "02:00:00:00:00:02")]
    [InlineData("10.77.0.2", "02:00:00:00:00:99")]
    public void Reply_NotAddressedToDirectorsIpAndMac_IsNotAnAnswer(string targetIp, string targetMac)
    {
        Assert.Null(Resolve(0));
        var reply = new ArpObservation(ArpOperation.Reply, Attacker, Rs, MacAddress.Parse(targetMac), Ipv4Address.Parse(targetIp));
        Assert.Equal(ArpRefusal.Unsolicited, _table.OnArp(reply, 1));
        Assert.Null(Resolve(1));
    }

    [Fact]
    public void RequestFromNeighbour_WhileResolving_IsOnlyAHint()
    {
        Assert.Null(Resolve(0));
        var request = new ArpObservation(ArpOperation.Request, RsMac, Rs, MacAddress.Zero, Dip);
        Assert.Equal(ArpRefusal.Unsolicited, _table.OnArp(request, 1));
        Assert.Null(Resolve(1));
        Assert.Equal(ArpRefusal.None, _table.OnArp(ReplyToDirector(RsMac, Rs), 1));
        Assert.Equal(RsMac, Resolve(1));
    }

    [Fact]
    public void LateReply_AfterTheWindow_IsNotAnAnswer()
    {
        Assert.Null(Resolve(0));
        var late = NeighbourTable.ReplyWindowTicks + 1;
        Assert.Equal(ArpRefusal.Unsolicited, _table.OnArp(ReplyToDirector(RsMac, Rs), late));
        Assert.Null(Resolve(late));
    }

    [Fact]
    public void FirstAnswerWins_LaterAnswerWithOtherMacIsRefused()
    {
        Assert.Null(Resolve(0));
        Assert.Equal(ArpRefusal.None, _table.OnArp(ReplyToDirector(RsMac, Rs), 1));
        Assert.Equal(ArpRefusal.Unsolicited, _table.OnArp(ReplyToDirector(Attacker, Rs), 1));
        Assert.Equal(RsMac, Resolve(1));
    }

    [Theory]
    [InlineData("00:00:00:00:00:00")]
    [InlineData("ff:ff:ff:ff:ff:ff")]
    [InlineData("01:00:5e:00:00:01")]
    [InlineData("33:33:00:00:00:01")]
    public void InvalidSenderMac_IsRefusedEvenAsAnAnswer(string mac)
    {
        Assert.Null(Resolve(0));
        Assert.Equal(ArpRefusal.InvalidSenderMac, _table.OnArp(ReplyToDirector(MacAddress.Parse(mac), Rs), 1));
        Assert.Equal(ArpRefusal.InvalidSenderMac, _table.OnArp(Gratuitous(MacAddress.Parse(mac), Client), 1));
        Assert.Null(Resolve(1));
        Assert.Equal(2, _table.Refused(ArpRefusal.InvalidSenderMac));
    }

    [Fact]
    public void OwnSenderMac_IsRefused()
    {
        Assert.Null(Resolve(0));
        Assert.Equal(ArpRefusal.OwnSenderMac, _table.OnArp(ReplyToDirector(Own, Rs), 1));
        Assert.Null(Resolve(1));
    }

    [Fact]
    public void ClaimOfDirectorsOwnAddresses_IsAConflict_LoggedAndNotLearned()
    {
        foreach (var own in new[] { Dip, Vip, Local })
        {
            Assert.Equal(ArpRefusal.AddressConflict, _table.OnArp(Gratuitous(Attacker, own), 0));
            Assert.Equal(ArpRefusal.AddressConflict, _table.OnArp(ReplyToDirector(Attacker, own), 0));
        }

        Assert.Empty(_table.List(0));
        Assert.Equal(6, _table.Refused(ArpRefusal.AddressConflict));

        // Rate-limited: one event per reason per interval, however many packets.
        var conflict = Assert.Single(_log.Events, e => e.Id == 403);
        Assert.Contains("10.77.0.2", conflict.Message, StringComparison.Ordinal);
        Assert.Contains(Attacker.ToString(), conflict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RealMacChange_AnnouncedByGratuitousArp_IsFollowedWithinSeconds()
    {
        Resolved();
        var changes = new List<(uint, MacAddress)>();
        _table.Resolved += (ip, mac) => changes.Add((ip, mac));

        // The NIC was swapped: the new MAC announces itself; the old one is silent from now on.
        const uint T = 40;
        Assert.Equal(ArpRefusal.Unsolicited, _table.OnArp(Gratuitous(NewMac, Rs), T));
        Assert.Equal(RsMac, Resolve(T));

        var now = T;
        MacAddress? learned = null;
        while (learned is null && now < T + (4 * NeighbourTable.RetransmitTicks))
        {
            now++;
            _table.Maintain(now);
            var broadcast = _sender.Frames.FirstOrDefault(f => f.Destination == MacAddress.Broadcast);
            if (broadcast.TargetIp == Rs)
            {
                Assert.Equal(ArpRefusal.None, _table.OnArp(ReplyToDirector(NewMac, Rs), now));
                learned = Resolve(now);
            }
        }

        Assert.Equal(NewMac, learned);
        Assert.True(now - T <= 3 * NeighbourTable.RetransmitTicks, $"followed after {now - T} ticks");

        // First the known MAC was asked, unicast, twice; only then everyone.
        Assert.Equal(new[] { RsMac, RsMac, MacAddress.Broadcast }, _sender.Frames.Select(f => f.Destination));
        Assert.Equal(new[] { (Rs, NewMac) }, changes);
        Assert.Contains(_log.Events, e => e.Id == 404 && e.Message.Contains(NewMac.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void RealMacChange_WithoutAnnouncement_IsFoundByTheAgeCheck()
    {
        Resolved();
        var now = NeighbourTable.ReachableTicks;
        Assert.Equal(RsMac, Resolve(now));
        Assert.Equal(RsMac, Assert.Single(_sender.Frames).Destination);
        while (!_sender.Frames.Any(f => f.Destination == MacAddress.Broadcast))
        {
            now++;
            _table.Maintain(now);
        }

        Assert.Equal(ArpRefusal.None, _table.OnArp(ReplyToDirector(NewMac, Rs), now));
        Assert.Equal(NewMac, Resolve(now));
    }

    [Fact]
    public void Check_NobodyAnswers_FailsAndStopsUsingTheMac()
    {
        Resolved();
        _table.OnArp(Gratuitous(NewMac, Rs), 10);
        var failed = false;
        _table.ResolutionFailed += _ => failed = true;
        for (var now = 11u; now < 10 + (10 * NeighbourTable.RetransmitTicks); now++)
        {
            _table.Maintain(now);
        }

        Assert.True(failed);
        Assert.Equal(NeighbourTable.UnicastProbes + NeighbourTable.MaxProbes, _sender.Frames.Count);
        Assert.Equal(NeighbourState.Failed, _table.List(60).Single().State);
    }

    [Fact]
    public void Hints_AreRateLimitedToOneCheckPerRetransmitInterval()
    {
        Resolved();
        var seconds = 5;
        for (var now = 10u; now < 10 + (seconds * NeighbourTable.RetransmitTicks); now++)
        {
            for (var i = 0; i < 100; i++)
            {
                _table.OnArp(Gratuitous(Attacker, Rs), now);
            }

            // The real server keeps answering the checks.
            _table.OnArp(ReplyToDirector(RsMac, Rs), now);
            _table.Maintain(now);
        }

        Assert.InRange(_sender.Frames.Count, 1, seconds);
        Assert.All(_sender.Frames, f => Assert.Equal(RsMac, f.Destination));
        Assert.Equal(RsMac, Resolve(30));
        Assert.Single(_log.Events, e => e.Id == 402);
    }

    [Fact]
    public void StaticMac_IsUsedWithoutArp_AndNeverChanged()
    {
        _table.Configure([Vip], new Dictionary<uint, MacAddress> { [Rs] = RsMac }, 0);
        Assert.Equal(RsMac, Resolve(0));
        Assert.Empty(_sender.Frames);

        Assert.Equal(ArpRefusal.StaticEntry, _table.OnArp(Gratuitous(Attacker, Rs), 1));
        Assert.Equal(ArpRefusal.StaticEntry, _table.OnArp(ReplyToDirector(Attacker, Rs), 1));
        Assert.Equal(ArpRefusal.None, _table.OnArp(Gratuitous(RsMac, Rs), 1));
        Assert.Equal(RsMac, Resolve(NeighbourTable.ReachableTicks * 10));
        Assert.Empty(_sender.Frames);
        Assert.Equal(NeighbourState.Permanent, _table.List(1).Single().State);

        // Without its static MAC it is resolved by ARP again.
        _table.Configure([Vip], new Dictionary<uint, MacAddress>(), 2000);
        Assert.Null(Resolve(2000));
        Assert.Equal(MacAddress.Broadcast, Assert.Single(_sender.Frames).Destination);
    }

    [Fact]
    public void StaticMac_ReleasesFramesHeldForIt()
    {
        Assert.Null(Resolve(0));
        Assert.True(_table.Enqueue(Rs, new byte[60]));
        _sender.Frames.Clear();
        _table.Configure([Vip], new Dictionary<uint, MacAddress> { [Rs] = RsMac }, 1);
        Assert.Equal(RsMac, Assert.Single(_sender.Frames).Destination);
    }

    [Fact]
    public void Quiet_ChangesStateButNeitherCountsNorLogs()
    {
        Assert.Null(Resolve(0));
        Assert.Equal(ArpRefusal.InvalidSenderMac, _table.OnArp(ReplyToDirector(MacAddress.Zero, Rs), 0, quiet: true));
        Assert.Equal(ArpRefusal.None, _table.OnArp(ReplyToDirector(RsMac, Rs), 0, quiet: true));
        Assert.Equal(RsMac, Resolve(0));
        Assert.Equal(0, _table.Refused(ArpRefusal.InvalidSenderMac));
        Assert.Empty(_log.Events);
    }

    [Fact]
    public void FullTable_AddressesThatNeverAnswered_GiveTheirSlotsToNewNeighbours()
    {
        // Four slots, all taken by spoofed on-link sources a reply was resolved for; none answers.
        var table = new NeighbourTable(_sender, Own, Dip, capacity: 4, logger: _log);
        table.Configure([Vip], new Dictionary<uint, MacAddress>(), 0);
        for (var k = 1u; k <= 4; k++)
        {
            Assert.False(table.TryResolve(Ipv4Address.Parse("10.77.0.50") + k, 0, out _));
        }

        // A real server needing resolution gets the oldest attempt's slot at once.
        _sender.Frames.Clear();
        Assert.False(table.TryResolve(Rs, 1, out _));
        var request = Assert.Single(_sender.Frames);
        Assert.Equal((MacAddress.Broadcast, Rs), (request.Destination, request.TargetIp));
        Assert.Equal(ArpRefusal.None, table.OnArp(ReplyToDirector(RsMac, Rs), 1));
        Assert.True(table.TryResolve(Rs, 1, out var mac));
        Assert.Equal(RsMac, mac);
        Assert.Equal(1, table.Reclaimed);
        Assert.DoesNotContain(Ipv4Address.Parse("10.77.0.51"), table.List(1).Select(e => e.Address));

        // The other three fail: one event for all of them (the first at once, the rest wait for the next report).
        for (var now = 2u; now <= (NeighbourTable.MaxProbes + 1) * NeighbourTable.RetransmitTicks; now++)
        {
            table.Maintain(now);
            Assert.True(table.TryResolve(Rs, now, out _));
        }

        Assert.Equal(3, table.Failures);
        Assert.Single(_log.Events, e => e.Id == 401);
    }

    [Fact]
    public void FullTable_NeighboursInUseAndStaticOnesKeepTheirSlots_UnusedOnesAreTaken()
    {
        var gateway = Ipv4Address.Parse("10.77.0.1");
        var gatewayMac = MacAddress.Parse("02:00:00:00:00:01");
        var table = new NeighbourTable(_sender, Own, Dip, capacity: 3, logger: _log);
        table.Configure([Vip], new Dictionary<uint, MacAddress> { [gateway] = gatewayMac }, 0);
        table.TryResolve(Rs, 0, out _);
        table.OnArp(ReplyToDirector(RsMac, Rs), 0);
        table.TryResolve(Client, 0, out _);
        table.OnArp(ReplyToDirector(NewMac, Client), 0);

        // Rs is used every tick and answers its checks; Client is not used again.
        var end = 3 * NeighbourTable.ReachableTicks;
        for (var now = 1u; now <= end; now++)
        {
            Assert.True(table.TryResolve(Rs, now, out _));
            table.OnArp(ReplyToDirector(RsMac, Rs), now);
            table.Maintain(now);
        }

        var newcomer = Ipv4Address.Parse("10.77.0.60");
        Assert.False(table.TryResolve(newcomer, end, out _));
        Assert.Equal(1, table.Reclaimed);
        Assert.Equal([gateway, Rs, newcomer], table.List(end).Select(e => e.Address).Order().ToArray());

        // The taken address is gone from the cache too: it is not answered with its old MAC.
        Assert.False(table.TryResolve(Client, end, out _));

        // A burst of new addresses that never answer (after Client took the newcomer's slot back) takes
        // only the slot of one another: the real server in use and the static gateway keep theirs.
        for (var k = 0u; k < 1000; k++)
        {
            Assert.False(table.TryResolve(Ipv4Address.Parse("10.77.1.0") + k, end + 1, out _));
        }

        Assert.Equal(1002, table.Reclaimed);
        Assert.True(table.TryResolve(Rs, end + 1, out var mac));
        Assert.Equal(RsMac, mac);
        Assert.True(table.TryResolve(gateway, end + 1, out mac));
        Assert.Equal(gatewayMac, mac);
    }

    [Fact]
    public void OnArp_AllocatesNothing()
    {
        var table = new NeighbourTable(new RecordingSender { Record = false }, Own, Dip);
        table.Configure([Vip], new Dictionary<uint, MacAddress>(), 0);
        table.TryResolve(Rs, 0, out _);
        table.OnArp(ReplyToDirector(RsMac, Rs), 0);
        // The first round warms up (tiered compilation may allocate on this thread); the second is measured.
        ArpRounds(table, 1);
        var before = AllocationMeter.Start();
        ArpRounds(table, 2000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void ArpRounds(NeighbourTable table, uint start)
    {
        for (var now = start; now < start + 1999; now++)
        {
            table.OnArp(Gratuitous(Attacker, Rs), now);
            table.OnArp(ReplyToDirector(RsMac, Rs), now);
            table.OnArp(Gratuitous(MacAddress.Broadcast, Rs), now);
            table.OnArp(Gratuitous(Attacker, Vip), now);
            table.OnArp(Gratuitous(Attacker, Client), now);
            table.Maintain(now);
            table.TryResolve(Rs, now, out _);
        }
    }

    private readonly record struct SentArp(MacAddress Destination, ArpOperation Operation, MacAddress SenderMac, uint SenderIp, MacAddress TargetMac, uint TargetIp);

    private sealed class RecordingSender : IFrameSender
    {
        public List<SentArp> Frames { get; } = [];

        public bool Record { get; init; } = true;

        public bool Send(ReadOnlySpan<byte> frame)
        {
            if (!Record)
            {
                return true;
            }

            Assert.True(EthernetHeader.TryParse(frame, out var eth));
            if (eth.EtherType == EtherType.Arp)
            {
                Assert.True(ArpPacket.TryParse(eth.Payload, out var arp));
                Frames.Add(new SentArp(eth.Destination, arp.Operation, arp.SenderMac, arp.SenderIp, arp.TargetMac, arp.TargetIp));
            }
            else
            {
                Frames.Add(new SentArp(eth.Destination, default, default, 0, default, 0));
            }

            return true;
        }
    }

    private sealed class ListLogger : ILogger
    {
        public List<(int Id, string Message)> Events { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Events.Add((eventId.Id, formatter(state, exception)));
    }
}
