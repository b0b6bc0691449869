using System.Collections.Concurrent;
using LvsNet.Core.Health;
using LvsNet.Core.Health.Checkers;

namespace LvsNet.Core.Tests.Health;

/// <summary>Checkers whose results a test sets per real server (and checker index); every call is recorded with the clock's time.</summary>
internal sealed class FakeCheckers(ManualTimeProvider time) : IHealthCheckerFactory
{
    private readonly ConcurrentDictionary<(uint Server, int Index), Func<CancellationToken, Task<CheckResult>>> _behaviour = new();

    public ConcurrentQueue<(uint Server, int Index, TimeSpan At)> Calls { get; } = new();

    public List<CheckTarget> Targets { get; } = [];

    public int Created { get; private set; }

    public int Disposed { get; private set; }

    public void Pass(uint server, int index = 0, int? weight = null) =>
        _behaviour[(server, index)] = _ => Task.FromResult(CheckResult.Passed("ok", TimeSpan.FromMilliseconds(5), weight));

    public void Fail(uint server, int index = 0, string message = "connection refused") =>
        _behaviour[(server, index)] = _ => Task.FromResult(CheckResult.Failed(message));

    /// <summary>The check never answers; it ends only when its token is cancelled (timeout or stop).</summary>
    public void Hang(uint server, int index = 0) =>
        _behaviour[(server, index)] = token =>
        {
            // Completed synchronously by the cancellation (inside the clock's Advance), so tests stay deterministic.
            var pending = new TaskCompletionSource<CheckResult>();
            token.Register(() => pending.TrySetCanceled(token));
            return pending.Task;
        };

    public void Set(uint server, int index, Func<CancellationToken, Task<CheckResult>> behaviour) => _behaviour[(server, index)] = behaviour;

    public IReadOnlyList<TimeSpan> CallTimes(uint server, int index = 0) => [.. Calls.Where(c => c.Server == server && c.Index == index).Select(c => c.At)];

    public IHealthChecker Create(CheckerSettings settings, CheckTarget target)
    {
        lock (Targets)
        {
            Targets.Add(target);
            Created++;
        }

        return new Checker(this, target.Server.Address, settings.Index);
    }

    private sealed class Checker(FakeCheckers owner, uint server, int index) : IHealthChecker
    {
        public Task<CheckResult> CheckAsync(CancellationToken cancellationToken)
        {
            owner.Calls.Enqueue((server, index, owner.Time.Elapsed));
            return owner._behaviour.TryGetValue((server, index), out var behaviour)
                ? behaviour(cancellationToken)
                : Task.FromResult(CheckResult.Passed("ok", TimeSpan.FromMilliseconds(5)));
        }

        public void Dispose()
        {
            lock (owner.Targets)
            {
                owner.Disposed++;
            }
        }
    }

    public ManualTimeProvider Time => time;
}

/// <summary>Records the notify and quorum commands instead of running them.</summary>
internal sealed class RecordingCommands : IHealthCommandRunner
{
    public ConcurrentQueue<(string Command, IReadOnlyDictionary<string, string> Environment)> Runs { get; } = new();

    public Task<string?> RunAsync(string command, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Runs.Enqueue((command, environment));
        return Task.FromResult<string?>(command.Contains("fail", StringComparison.Ordinal) ? "exit status 1" : null);
    }
}
