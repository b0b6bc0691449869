using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;

namespace LvsNet.Core.DataPath.Arp;

/// <summary>
/// When a new master announces its addresses, with keepalived's semantics: a burst of
/// <c>garp_master_repeat</c> gratuitous ARPs per address at once, a second burst
/// <c>garp_master_delay</c> later (0 = none), then, if <c>garp_master_refresh</c> is set, a burst of
/// <c>garp_master_refresh_repeat</c> every refresh period while master.
/// </summary>
/// <remarks>Thread contract: one capture thread (worker 0). Time is the connection clock's tick (¼ s).</remarks>
internal sealed class GratuitousArpSchedule
{
    private uint _secondAt;
    private bool _secondPending;
    private uint _refreshAt;
    private bool _master;

    /// <summary>The director became master at <paramref name="now"/>: the first burst is due now.</summary>
    /// <returns>How many messages per address to send at once.</returns>
    public int OnMaster(uint now, HighAvailabilityConfig config)
    {
        _master = true;
        var delay = ConnectionClock.ToTicks(config.GarpMasterDelay);
        _secondPending = delay > 0;
        _secondAt = now + delay;
        _refreshAt = now + RefreshTicks(config);
        return config.GarpMasterRepeat;
    }

    /// <summary>The director is no longer master: nothing more is announced.</summary>
    public void OnStandby()
    {
        _master = false;
        _secondPending = false;
    }

    /// <summary>Called once per tick: how many messages per address are due now (0 = none).</summary>
    public int Due(uint now, HighAvailabilityConfig config)
    {
        if (!_master)
        {
            return 0;
        }

        if (_secondPending && (int)(now - _secondAt) >= 0)
        {
            _secondPending = false;
            return config.GarpMasterRepeat;
        }

        var refresh = RefreshTicks(config);
        if (refresh > 0 && (int)(now - _refreshAt) >= 0)
        {
            _refreshAt = now + refresh;
            return config.GarpMasterRefreshRepeat;
        }

        return 0;
    }

    private static uint RefreshTicks(HighAvailabilityConfig config) =>
        config.GarpMasterRefresh > TimeSpan.Zero ? Math.Max(1, ConnectionClock.ToTicks(config.GarpMasterRefresh)) : 0;
}
