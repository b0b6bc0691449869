using System.Diagnostics.Metrics;
using LvsNet.Daemon.Metrics;
using LvsNet.Packets;

namespace LvsNet.Daemon.Routing;

/// <summary>
/// The route announcement's instruments on the daemon's meter: which VIPs are announced, the drain
/// state, whether the BIRD child runs, and BIRD reconfigurations. Observable only.
/// </summary>
public sealed class RoutingMetrics : IDisposable
{
    private readonly Meter _meter;

    /// <summary>Creates the instruments.</summary>
    public RoutingMetrics(RouteAnnouncer announcer)
    {
        ArgumentNullException.ThrowIfNull(announcer);
        _meter = new Meter(LvsMetrics.MeterName, typeof(RoutingMetrics).Assembly.GetName().Version?.ToString());
        _meter.CreateObservableGauge("lvsnet.announce.vip", () => announcer.Announced().Select(v => new Measurement<long>(v.Announced ? 1 : 0, new KeyValuePair<string, object?>("vip", Ipv4Address.Format(v.Address)))), "{bool}", "1 while the VIP is announced through BIRD, 0 while withdrawn");
        _meter.CreateObservableGauge("lvsnet.announce.drain_state", () => DrainState(announcer), "{bool}", "1 for the current drain state (serving, draining, drained)");
        _meter.CreateObservableGauge("lvsnet.announce.bird_running", () => announcer.Bird is { } bird ? (bird.Running ? 1 : 0) : -1, "{bool}", "1 while the BIRD child runs, 0 while it does not, -1 when BIRD is not lvsnetd's child");
        _meter.CreateObservableCounter("lvsnet.announce.reconfigurations", () => new Measurement<long>[]
        {
            new(announcer.Reconfigurations.Ok, new KeyValuePair<string, object?>("result", "ok")),
            new(announcer.Reconfigurations.Failed, new KeyValuePair<string, object?>("result", "failed")),
        }, "{reconfiguration}", "BIRD reconfigurations after a change of the announced VIPs");
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private static Measurement<long>[] DrainState(RouteAnnouncer announcer)
    {
        if (announcer.Config is null)
        {
            return [];
        }

        var state = announcer.DrainState;
        return
        [
            new(state == "serving" ? 1 : 0, new KeyValuePair<string, object?>("state", "serving")),
            new(state == "draining" ? 1 : 0, new KeyValuePair<string, object?>("state", "draining")),
            new(state == "drained" ? 1 : 0, new KeyValuePair<string, object?>("state", "drained")),
        ];
    }
}
