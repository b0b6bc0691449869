using Xunit;

namespace LvsNet.Core.Tests.Health;

public class ManualTimeProviderTests
{
    [Fact]
    public void CancellationTokenSource_OnTheManualClock_CancelsWhenAdvanced()
    {
        var time = new ManualTimeProvider();
        using var source = new CancellationTokenSource(TimeSpan.FromSeconds(2), time);
        Assert.Equal(1, time.ArmedTimers);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(source.IsCancellationRequested);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(source.IsCancellationRequested);
    }

    [Fact]
    public void Timers_FireInDueOrder_AndCanBeRearmedFromTheirCallback()
    {
        var time = new ManualTimeProvider();
        var fired = new List<(string, TimeSpan)>();
        ITimer? a = null;
        a = time.CreateTimer(_ => { fired.Add(("a", time.Elapsed)); a!.Change(TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan); }, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using var b = time.CreateTimer(_ => fired.Add(("b", time.Elapsed)), null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
        time.Advance(TimeSpan.FromSeconds(6));
        // Timers due at the same moment fire in the order they were armed (b at 0 s for its period, a at 1 s).
        Assert.Equal([("a", TimeSpan.FromSeconds(1)), ("b", TimeSpan.FromSeconds(2)), ("b", TimeSpan.FromSeconds(4)), ("a", TimeSpan.FromSeconds(4)), ("b", TimeSpan.FromSeconds(6))], fired);
        a.Dispose();
    }
}
