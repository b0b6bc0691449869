using LvsNet.Core.Connections;
using LvsNet.Core.Sync;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests.Sync;

/// <summary>
/// The kernel's time-based triggers, sync_refresh_period and sync_retries (shared/reference §6.1,
/// Documentation/networking/ipvs-sysctl.rst): with a refresh period, an unchanged connection is
/// sent again only when its reported expiry moved by at least min(refresh period, max(timeout / 2,
/// 10 s)); up to sync_retries retries follow each sync, a refresh period / 8 apart; the packet
/// count rule still applies when sync_period is set, and not at all when it is 0. Expected times
/// are worked out from those rules, in seconds.
/// </summary>
public class SyncRefreshTests
{
    private const int Tps = ConnectionClock.TicksPerSecond;
    private const uint Established900s = 900 * Tps;

    private static SyncMasterSettings Refresh(int seconds, int retries = 0, int period = 0) =>
        new(Version: 1, Threshold: 3, Period: period) { RefreshPeriodTicks = (uint)(seconds * Tps), Retries = retries };

    private static ConnectionEntry Established(uint timeout = Established900s) => new()
    {
        Protocol = IpProtocol.Tcp,
        State = ConnectionState.Established,
        Flags = ConnectionFlags.InUse,
        TimeoutTicks = timeout,
    };

    // Client packets at the given ticks; returns the ticks (in seconds) at which a record is queued.
    private static List<double> SyncTimes(ref ConnectionEntry entry, ref uint syncEnd, SyncMasterSettings settings, IEnumerable<uint> ticks, uint packets = 0)
    {
        var sent = new List<double>();
        foreach (var now in ticks)
        {
            packets++;
            if (SyncProducer.Needed(ref entry, ref syncEnd, packets, now, settings))
            {
                sent.Add(now / (double)Tps);
            }
        }

        return sent;
    }

    private static IEnumerable<uint> EverySecond(int from, int to) => Enumerable.Range(from, to - from).Select(s => (uint)(s * Tps));

    [Fact]
    public void LongLivedEstablished_IsSentAgainEveryRefreshPeriod()
    {
        // Created at 0 s (the entry's memory starts there): its first ESTABLISHED packet reports an
        // expiry 900 s away, far enough; then a packet a second and a record every 10 s.
        var entry = Established();
        var syncEnd = ConnectionTable.SyncEndAt(0);
        var sent = SyncTimes(ref entry, ref syncEnd, Refresh(10), EverySecond(0, 60));
        Assert.Equal([0.0, 10, 20, 30, 40, 50], sent);
    }

    [Fact]
    public void RefreshWithPacketPeriod_NeedsBothTheCountAndTheTime()
    {
        // sync_period 50 keeps the packet rule (3, 53, 103, …); the refresh rule removes those less
        // than 10 s after the last sync. A packet every 0.25 s: packet 3 at 0.5 s is sent, 53 (13 s),
        // 103 (25.5 s) and 153 (38 s) too (each ≥ 10 s after the previous one).
        var entry = Established();
        var syncEnd = ConnectionTable.SyncEndAt(0);
        var ticks = Enumerable.Range(0, 160).Select(i => (uint)i);
        var sent = SyncTimes(ref entry, ref syncEnd, Refresh(10, period: 50), ticks);
        Assert.Equal([0.5, 13, 25.5, 38], sent);

        // With a 20 s refresh period, 53 (13 s) is too early, 103 (25.5 s) is not.
        entry = Established();
        syncEnd = ConnectionTable.SyncEndAt(0);
        sent = SyncTimes(ref entry, ref syncEnd, Refresh(20, period: 50), ticks);
        Assert.Equal([0.5, 25.5], sent);
    }

    [Fact]
    public void ShortTimeout_RefreshIsBoundedByHalfTheTimeout()
    {
        // Timeout 30 s, refresh 60 s: min(60, max(15, 10)) = 15 s between records.
        var entry = Established(timeout: 30 * Tps);
        var syncEnd = ConnectionTable.SyncEndAt(0);
        var sent = SyncTimes(ref entry, ref syncEnd, Refresh(60), EverySecond(0, 50));
        Assert.Equal([0.0, 15, 30, 45], sent);

        // Timeout 8 s: half is 4 s, but never below 10 s. The memory starts at the creation (0 s),
        // so the first record waits until the expiry to report (now + 8 s) is 10 s past it: 2 s.
        entry = Established(timeout: 8 * Tps);
        syncEnd = ConnectionTable.SyncEndAt(0);
        sent = SyncTimes(ref entry, ref syncEnd, Refresh(60), EverySecond(0, 35));
        Assert.Equal([2.0, 12, 22, 32], sent);
    }

    [Fact]
    public void StateChange_IsSentAtOnce_ThenRetried_ARefreshPeriodOverEightApart()
    {
        // Refresh 8 s, 2 retries: FIN_WAIT (timeout 120 s) at 5 s is sent at once, retried at 6 s
        // and 7 s (8 s / 8 = 1 s apart); each retry records the expiry it reported, so the next
        // record is due when the expiry moved 8 s past the last retry's (15 s), with its own two
        // retries (16 s, 17 s).
        var entry = Established();
        var syncEnd = ConnectionTable.SyncEndAt(0);
        var settings = Refresh(8, retries: 2);
        var before = SyncTimes(ref entry, ref syncEnd, settings, [0u]);
        Assert.Equal([0.0], before);

        entry.State = ConnectionState.FinWait;
        entry.TimeoutTicks = 120 * Tps;
        var quarterTicks = Enumerable.Range(5 * Tps, 50).Select(i => (uint)i);
        var sent = SyncTimes(ref entry, ref syncEnd, settings, quarterTicks, packets: 1);
        Assert.Equal([5.0, 6, 7, 15, 16, 17], sent);
    }

    [Fact]
    public void NoRetries_StateChangeIsSentOnce()
    {
        var entry = Established();
        var syncEnd = ConnectionTable.SyncEndAt(0);
        var settings = Refresh(8);
        SyncTimes(ref entry, ref syncEnd, settings, [0u]);
        entry.State = ConnectionState.CloseWait;
        entry.TimeoutTicks = 60 * Tps;
        var sent = SyncTimes(ref entry, ref syncEnd, settings, Enumerable.Range(5 * Tps, 7 * Tps).Select(i => (uint)i), packets: 1);
        Assert.Equal([5.0], sent);
    }

    [Fact]
    public void Template_WithRefresh_IsNoLongerSentWithEveryPacket()
    {
        // Without a refresh period a template is sent after every packet of its connections (period
        // 50 exempts templates from the count); with 10 s, every 10 s.
        var template = new ConnectionEntry { Protocol = IpProtocol.Tcp, Flags = ConnectionFlags.InUse | ConnectionFlags.Template, TimeoutTicks = 300 * Tps };
        var syncEnd = ConnectionTable.SyncEndAt(0);
        var sent = SyncTimes(ref template, ref syncEnd, Refresh(10, period: 50), EverySecond(1, 31));
        Assert.Equal([1.0, 11, 21], sent);
    }

    [Fact]
    public void ReusedSlot_StartsFromItsCreation_NotFromThePreviousConnection()
    {
        var table = new ConnectionTable(1, seed: 1);
        var servers = Array.Empty<RealServerState?>();
        var settings = Refresh(10);
        var first = table.Insert(new ConnectionKey(IpProtocol.Tcp, 0x0A000001, 1000, 0x0A000064, 80), 0, ConnectionFlags.None, now: 0);
        ref var a = ref table.Mutable(first);
        a.State = ConnectionState.Established;
        a.TimeoutTicks = Established900s;
        Assert.True(SyncProducer.Needed(ref a, ref table.SyncEndTime(first), 1, 100 * Tps, settings));
        table.Remove(first, servers);

        // The one slot again, a second later: its first ESTABLISHED packet is due at once (the
        // expiry it reports is 900 s after its creation), not 10 s after the previous connection's sync.
        var second = table.Insert(new ConnectionKey(IpProtocol.Tcp, 0x0A000002, 1000, 0x0A000064, 80), 0, ConnectionFlags.None, now: 101 * Tps);
        Assert.Equal(first, second);
        ref var b = ref table.Mutable(second);
        b.State = ConnectionState.Established;
        b.TimeoutTicks = Established900s;
        Assert.True(SyncProducer.Needed(ref b, ref table.SyncEndTime(second), 1, 101 * Tps, settings));
    }
}
