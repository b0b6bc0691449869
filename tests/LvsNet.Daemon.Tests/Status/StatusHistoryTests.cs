using LvsNet.Core;
using LvsNet.Core.Health;
using LvsNet.Daemon.Status;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Daemon.Tests.Status;

public class StatusHistoryTests
{
    [Fact]
    public void RingSeries_KeepsTheLastSamplesOldestFirst()
    {
        var series = new RingSeries(3);
        Assert.Empty(series.ToArray());
        foreach (var value in (double[])[1, 2, 3, 4, 5])
        {
            series.Add(value);
        }

        Assert.Equal([3, 4, 5], series.ToArray());
        Assert.Equal(3, series.Count);
    }

    [Fact]
    public void HealthChanges_LastTenPerServer_OldestDropped()
    {
        var history = new StatusHistory();
        var service = new ServiceKey(IpProtocol.Tcp, Ipv4Address.Parse("10.0.0.100"), 80);
        var server = new RealServerKey(service, Ipv4Address.Parse("10.0.0.11"), 80);
        for (var i = 0; i < 12; i++)
        {
            history.RecordHealthChange(new ServerHealthChange(server, i % 2 == 0 ? HealthState.Down : HealthState.Up, $"check {i}", "tcp_check", DateTimeOffset.UnixEpoch.AddSeconds(i), null, null));
        }

        var events = history.HealthEvents(StatusHistory.KeyOf(service, "10.0.0.11:80"));
        Assert.Equal(StatusHistory.HealthEventsKept, events.Count);
        Assert.Equal("check 2", events[0].Reason);
        Assert.Equal("down", events[0].Change);
        Assert.Equal("check 11", events[^1].Reason);
        Assert.Equal("up", events[^1].Change);
        Assert.Empty(history.HealthEvents("tcp/10.0.0.100:80 10.0.0.12:80"));
    }

    [Fact]
    public void Reloads_EachResultOnce()
    {
        var history = new StatusHistory();
        var at = DateTimeOffset.UnixEpoch.AddHours(1);
        history.RecordReload(at, false, ["virtual_services[0].port (line 7): must be between 0 and 65535, got 70000"], []);
        history.RecordReload(at, false, ["again"], []);
        history.RecordReload(at.AddMinutes(1), true, [], ["capture"]);
        var reloads = history.Reloads();
        Assert.Equal(2, reloads.Count);
        Assert.False(reloads[0].Applied);
        Assert.Single(reloads[0].Errors);
        Assert.Equal(["capture"], reloads[1].RestartRequired);
    }
}
