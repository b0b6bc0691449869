using LvsNet.Core.Health.Checkers;

namespace LvsNet.Core.Health;

/// <summary>One running checker of a <see cref="MonitoredServer"/>: its checker, verdict, timer and counters (state guarded by the server's gate).</summary>
internal sealed class CheckerRun : IDisposable
{
    public CheckerRun(MonitoredServer server, CheckerSettings settings, CheckTarget target, IHealthChecker checker, CheckerStateMachine machine)
    {
        Server = server;
        Settings = settings;
        Target = target;
        Checker = checker;
        Machine = machine;
    }

    public MonitoredServer Server { get; }

    public CheckerSettings Settings { get; }

    public CheckTarget Target { get; }

    public IHealthChecker Checker { get; }

    public CheckerStateMachine Machine;

    public CancellationTokenSource Stopping { get; } = new();

    public ITimer? Timer { get; set; }

    public long Checks { get; set; }

    public long Failures { get; set; }

    public DateTimeOffset? LastCheckAt { get; set; }

    public CheckResult? LastResult { get; set; }

    public string Name => Settings.Config.Describe();

    public CheckerDetail Describe() => new()
    {
        Checker = Settings.Config.Describe(),
        Kind = Settings.Config.Kind,
        Target = Target.ToString(),
        IsUp = Machine.IsUp,
        PendingFailures = Machine.Failures,
        Checks = Checks,
        Failures = Failures,
        LastCheckAt = LastCheckAt,
        LastMessage = LastResult?.Message,
        LastLatency = LastResult?.Latency,
    };

    // The token source is cancelled, not disposed: a check still in flight may be linking to it.
    public void Dispose()
    {
        Timer?.Dispose();
        Stopping.Cancel();
        Checker.Dispose();
    }
}
