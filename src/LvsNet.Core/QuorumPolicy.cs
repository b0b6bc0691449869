namespace LvsNet.Core;

/// <summary>
/// keepalived's quorum rule with hysteresis (check/ipwrapper.c <c>update_quorum_state</c>): a
/// service without quorum gains it when the live weight reaches quorum + hysteresis; a service with
/// quorum loses it when the live weight is 0 or below quorum − hysteresis. Between the two
/// thresholds the state does not change.
/// </summary>
public static class QuorumPolicy
{
    /// <summary>The state at start (keepalived <c>set_quorum_states</c>): up when the live weight reaches quorum + hysteresis.</summary>
    public static bool Initial(long liveWeight, int quorum, int hysteresis) => liveWeight >= GainThreshold(quorum, hysteresis);

    /// <summary>The next state given the current one and the live weight.</summary>
    public static bool Next(bool wasUp, long liveWeight, int quorum, int hysteresis) => wasUp
        ? liveWeight != 0 && liveWeight >= LossThreshold(quorum, hysteresis)
        : liveWeight >= GainThreshold(quorum, hysteresis);

    /// <summary>The threshold a service without quorum must reach: quorum + hysteresis.</summary>
    public static long GainThreshold(int quorum, int hysteresis) => (long)quorum + hysteresis;

    /// <summary>The threshold a service with quorum must stay at or above: quorum − hysteresis.</summary>
    public static long LossThreshold(int quorum, int hysteresis) => (long)quorum - hysteresis;
}
