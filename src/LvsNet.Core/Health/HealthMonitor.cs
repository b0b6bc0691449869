using System.Globalization;
using System.Net;
using LvsNet.Core.Configuration;
using LvsNet.Core.Health.Checkers;
using LvsNet.Core.Runtime;
using LvsNet.Packets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LvsNet.Core.Health;

/// <summary>
/// Runs the health checks of every checked real server on the control plane and publishes their
/// verdicts through <see cref="LvsRuntime.SetHealth"/> (a snapshot rebuild: the data path never
/// waits for a check).
/// </summary>
/// <remarks>
/// <para>Every checker has its own <see cref="TimeProvider"/> timer: its first check comes after a
/// random delay below <c>warmup</c>, then after <c>delay_loop</c> (spread by
/// <see cref="HealthMonitorOptions.Jitter"/>) or <c>delay_before_retry</c> as its
/// <see cref="CheckerStateMachine"/> says. At most <see cref="HealthMonitorOptions.MaxConcurrentChecks"/>
/// checks are in flight at once; each has its own timeout (connect_timeout, misc_timeout) measured
/// from when it starts, not while it waits for its turn.</para>
/// <para>A server is up while all its checkers are up. A change of the combined verdict (or of a
/// dynamic MISC weight) is published, logged (7xx event ids), counted and followed by the server's
/// notify command. Quorum changes come from <see cref="AvailabilityOverlay.QuorumChanged"/> and
/// run the quorum commands. A reload (<see cref="Reconcile"/>) keeps the checkers of servers whose
/// settings did not change, carries the verdict of servers whose settings changed, and stops the
/// checkers of servers that left.</para>
/// <para>Thread contract: check completions run on thread-pool threads (or synchronously in tests
/// whose checkers complete at once); per-server state is guarded by the server's lock, publishing
/// by one lock, the server table by another; no lock is held while publishing except the
/// publishing lock.</para>
/// </remarks>
public sealed partial class HealthMonitor : IDisposable
{
    private readonly LvsRuntime _runtime;
    private readonly IHealthCheckerFactory _factory;
    private readonly TimeProvider _time;
    private readonly HealthMonitorOptions _options;
    private readonly ILogger _logger;
    private readonly IProbeRouteProvider? _routes;
    private readonly IHealthCommandRunner _commands;
    private readonly Feedback.AgentFeedbackStore? _agents;
    private readonly SemaphoreSlim _concurrency;
    private readonly Lock _gate = new();
    private readonly Lock _publishGate = new();
    private readonly Lock _randomGate = new();
    private readonly Random _random;
    private readonly Dictionary<RealServerKey, MonitoredServer> _servers = [];
    private static readonly TimeSpan TimeoutGrace = TimeSpan.FromSeconds(1);
    private LvsConfig? _config;
    private bool _started;
    private bool _disposed;

    /// <summary>Creates the monitor (call <see cref="Start"/> to run it).</summary>
    /// <param name="runtime">The runtime whose configuration is checked and whose snapshots health is published to.</param>
    /// <param name="checkers">Creates the checkers; null = the real ones.</param>
    /// <param name="time">The clock and timers; null = the system clock.</param>
    /// <param name="options">Concurrency, jitter and source-address settings; null = defaults.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="routes">Sets up the routing of via_vip probes; null = via_vip checks fail.</param>
    /// <param name="commands">Runs notify and quorum commands; null = <c>/bin/sh -c</c>.</param>
    /// <param name="agents">Receives the replies MISC checks with <c>feedback</c> print; null = they are ignored.</param>
    public HealthMonitor(
        LvsRuntime runtime,
        IHealthCheckerFactory? checkers = null,
        TimeProvider? time = null,
        HealthMonitorOptions? options = null,
        ILogger<HealthMonitor>? logger = null,
        IProbeRouteProvider? routes = null,
        IHealthCommandRunner? commands = null,
        Feedback.AgentFeedbackStore? agents = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        _runtime = runtime;
        _time = time ?? TimeProvider.System;
        _factory = checkers ?? new HealthCheckerFactory(_time);
        _options = options ?? new HealthMonitorOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxConcurrentChecks, 1);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _routes = routes;
        _commands = commands ?? ShellCommandRunner.Instance;
        _agents = agents;
        _concurrency = new SemaphoreSlim(_options.MaxConcurrentChecks, _options.MaxConcurrentChecks);
        _random = _options.Seed is { } seed ? new Random(seed) : new Random();
        LoadSignal = new HealthLoadSignal(_options.LoadWindow);
    }

    /// <summary>Latency and failure ratio per server, for the dynamic-feedback weights.</summary>
    public HealthLoadSignal LoadSignal { get; }

    /// <summary>Raised after a real server's health change was published (on the completing check's thread).</summary>
    public event Action<ServerHealthChange>? ServerHealthChanged;

    /// <summary>Checks running right now (at most <see cref="HealthMonitorOptions.MaxConcurrentChecks"/>; checks waiting for a slot are not counted).</summary>
    public int ChecksInFlight => _options.MaxConcurrentChecks - _concurrency.CurrentCount;

    /// <summary>Starts checking the running configuration and follows every later snapshot (idempotent).</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_started || _disposed)
            {
                return;
            }

            _started = true;
        }

        _runtime.SnapshotPublished += OnSnapshotPublished;
        _runtime.Health.QuorumChanged += OnQuorumChanged;
        if (_runtime.Current is { } snapshot)
        {
            Reconcile(snapshot);

            // The first configuration's quorum was evaluated before the monitor listened.
            foreach (var service in snapshot.Services)
            {
                if (service.Health is { QuorumUp: { } up } health)
                {
                    OnQuorumChanged(new QuorumChange(service.Key, up, Initial: true, health.LiveWeight, QuorumPolicy.GainThreshold(health.Quorum.Quorum, health.Quorum.Hysteresis), health.Quorum));
                }
            }
        }
    }

    /// <summary>
    /// Brings the checkers in line with <paramref name="snapshot"/>'s configuration: starts the
    /// checkers of new servers, restarts those whose settings changed (keeping their verdict) and
    /// stops those of servers that left. Snapshots that only carry health changes are skipped.
    /// </summary>
    public void Reconcile(LvsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var toStart = new List<CheckerRun>();
        var toStop = new List<MonitoredServer>();
        int serverCount;
        int checkerCount;
        lock (_gate)
        {
            if (_disposed || ReferenceEquals(snapshot.Config, _config))
            {
                return;
            }

            _config = snapshot.Config;
            uint? bind = _options.BindToDirectorAddress ? snapshot.Config.Director.Address : null;
            var seen = new HashSet<RealServerKey>();
            foreach (var service in snapshot.Config.VirtualServices)
            {
                foreach (var server in service.RealServers)
                {
                    var settings = HealthCheckSettings.Resolve(service, server, bind);
                    if (settings is null)
                    {
                        continue;
                    }

                    seen.Add(settings.Key);
                    _servers.TryGetValue(settings.Key, out var existing);
                    if (existing is not null && existing.Settings == settings)
                    {
                        continue;
                    }

                    var monitored = Create(settings, existing);
                    if (existing is not null)
                    {
                        toStop.Add(existing);
                    }

                    _servers[settings.Key] = monitored;
                    toStart.AddRange(monitored.Checkers);
                }
            }

            foreach (var (key, server) in _servers.Where(p => !seen.Contains(p.Key)).ToList())
            {
                _servers.Remove(key);
                toStop.Add(server);
                LoadSignal.Forget(key);
            }

            serverCount = _servers.Count;
            checkerCount = _servers.Values.Sum(s => s.Checkers.Length);
        }

        foreach (var server in toStop)
        {
            Stop(server);
        }

        foreach (var run in toStart)
        {
            Arm(run, InitialDelay(run.Settings));
        }

        if (toStart.Count > 0 || toStop.Count > 0)
        {
            Log.Started(_logger, serverCount, checkerCount, _options.MaxConcurrentChecks);
        }
    }

    /// <summary>The checking of every monitored server right now (for listings and diagnostics).</summary>
    public IReadOnlyList<ServerHealthDetail> Describe()
    {
        List<MonitoredServer> servers;
        lock (_gate)
        {
            servers = [.. _servers.Values];
        }

        return [.. servers.Select(s => s.Describe())];
    }

    /// <summary>Stops every checker (in-flight checks are cancelled; commands already started run on).</summary>
    public void Dispose()
    {
        List<MonitoredServer> servers;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            servers = [.. _servers.Values];
            _servers.Clear();
        }

        _runtime.SnapshotPublished -= OnSnapshotPublished;
        _runtime.Health.QuorumChanged -= OnQuorumChanged;
        foreach (var server in servers)
        {
            Stop(server);
        }
    }

    private void OnSnapshotPublished(LvsSnapshot snapshot, SnapshotChanges changes) => Reconcile(snapshot);

    // A new server starts in its configured initial state (down with alpha) or in what was already
    // published for it; a reconfigured one keeps its verdict, and checkers whose settings did not
    // change keep their state machines (keepalived's migrate_checkers).
    private MonitoredServer Create(HealthCheckSettings settings, MonitoredServer? previous)
    {
        HealthState state;
        DateTimeOffset since;
        string reason;
        int? weight = null;
        var carried = new List<(CheckerSettings Settings, CheckerStateMachine Machine)>();
        if (previous is not null)
        {
            lock (previous.Gate)
            {
                (state, since, reason, weight) = (previous.State, previous.Since, previous.Reason, previous.Weight);
                carried.AddRange(previous.Checkers.Select(c => (c.Settings, c.Machine)));
            }
        }
        else if (_runtime.Health.Get(settings.Key) is { } published)
        {
            (state, since, reason, weight) = (published.State, published.Since, published.Reason, published.Weight);
        }
        else
        {
            state = settings.StartsDown ? HealthState.Down : HealthState.Up;
            since = _time.GetUtcNow();
            reason = settings.StartsDown ? "alpha: waiting for a successful check" : "not checked yet";
        }

        var server = new MonitoredServer(settings, state, since, reason) { Weight = weight };
        var runs = new CheckerRun[settings.Checkers.Length];
        for (var i = 0; i < runs.Length; i++)
        {
            var checker = settings.Checkers[i];
            var same = carried.FindIndex(c => c.Settings == checker);
            var machine = same >= 0
                ? carried[same].Machine
                : new CheckerStateMachine(checker.Retry, checker.Rise, startUp: previous is null && _runtime.Health.Get(settings.Key) is null ? !checker.Alpha : state == HealthState.Up);
            var (target, failure) = Target(settings, checker);
            var instance = failure is null ? _factory.Create(checker, target) : new FailingChecker(failure);
            runs[i] = new CheckerRun(server, checker, target, instance, machine);
        }

        server.Checkers = runs;
        return server;
    }

    private (CheckTarget Target, string? Failure) Target(HealthCheckSettings settings, CheckerSettings checker)
    {
        var target = new CheckTarget
        {
            Server = settings.Key,
            ConfiguredWeight = settings.Weight,
            Endpoint = new IPEndPoint(checker.Address6 is { } v6 ? v6.ToIPAddress() : Ipv4Address.ToIPAddress(checker.Address), checker.Port),
            BindAddress = checker.BindAddress is { } bind ? Ipv4Address.ToIPAddress(bind) : null,
        };
        if (checker.Via is null && checker.Via6 is null)
        {
            return (target, null);
        }

        // Without its policy route a probe to the VIP would not reach this server: never send it unrouted.
        var mark = checker.Via6 is { } via6
            ? (checker.Address6 is { } vip6 ? _routes?.Prepare6(vip6, via6) : null)
            : _routes?.Prepare(checker.Address, checker.Via!.Value);
        return mark is null
            ? (target with { SocketMark = 0 }, "via_vip: no route through the real server (see the ProbeRouteFailed event)")
            : (target with { SocketMark = mark }, null);
    }

    private static void Stop(MonitoredServer server)
    {
        lock (server.Gate)
        {
            server.Stopped = true;
        }

        foreach (var run in server.Checkers)
        {
            run.Dispose();
        }
    }

    private TimeSpan InitialDelay(CheckerSettings settings)
    {
        if (settings.Warmup <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        lock (_randomGate)
        {
            return TimeSpan.FromTicks((long)(_random.NextDouble() * settings.Warmup.Ticks));
        }
    }

    private TimeSpan Jittered(TimeSpan interval)
    {
        if (_options.Jitter <= 0)
        {
            return interval;
        }

        lock (_randomGate)
        {
            return TimeSpan.FromTicks((long)(interval.Ticks * (1 + (_options.Jitter * ((2 * _random.NextDouble()) - 1)))));
        }
    }

    private void Arm(CheckerRun run, TimeSpan delay)
    {
        lock (run.Server.Gate)
        {
            if (run.Server.Stopped)
            {
                return;
            }

            if (run.Timer is null)
            {
                run.Timer = _time.CreateTimer(_ => OnTimer(run), null, delay, Timeout.InfiniteTimeSpan);
            }
            else
            {
                run.Timer.Change(delay, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void OnTimer(CheckerRun run) => _ = RunCheckAsync(run);

    private async Task RunCheckAsync(CheckerRun run)
    {
        if (IsSuspended(run))
        {
            // ha_suspend on a standby director: no probe, the verdict stays; resumed by SetDirectorActive.
            return;
        }

        CheckResult result;
        var entered = false;
        try
        {
            await _concurrency.WaitAsync(run.Stopping.Token).ConfigureAwait(false);
            entered = true;

            // A checker that decides at the end of its wait (UDP without require_reply) gets a grace
            // period, so that its own verdict, not the monitor's timeout, counts.
            using var timeout = new CancellationTokenSource(run.Settings.Timeout + (run.Settings.Config.WaitsFullTimeout ? TimeoutGrace : TimeSpan.Zero), _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, run.Stopping.Token);
            var started = _time.GetTimestamp();
            try
            {
                result = await run.Checker.CheckAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !run.Stopping.IsCancellationRequested)
            {
                result = CheckResult.Failed($"timed out after {DurationParser.Format(run.Settings.Timeout)}", _time.GetElapsedTime(started));
            }
        }
        catch (Exception) when (run.Stopping.IsCancellationRequested)
        {
            // Stopped by a reload or at shutdown: the verdict no longer matters.
            return;
        }
#pragma warning disable CA1031 // A checker bug must not stop the server's checks: count it as a failure and log it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.CheckerError(_logger, ex, run.Server.Key.Service.ToString(), run.Server.Key.ServerText, run.Name);
            result = CheckResult.Failed($"checker error: {ex.Message}");
        }
        finally
        {
            if (entered)
            {
                _concurrency.Release();
            }
        }

        if (IsSuspended(run))
        {
            // Suspended while the check ran: its result is not applied.
            return;
        }

        Complete(run, result);
    }

    private void Complete(CheckerRun run, CheckResult result)
    {
        var server = run.Server;
        var now = _time.GetUtcNow();
        CheckerStep step;
        int pendingFailures;
        ServerHealthChange? change = null;
        lock (server.Gate)
        {
            if (server.Stopped)
            {
                return;
            }

            step = run.Machine.Record(result.Success);
            pendingFailures = run.Machine.Failures;
            run.Checks++;
            if (!result.Success)
            {
                run.Failures++;
            }

            run.LastCheckAt = now;
            run.LastResult = result;

            var up = server.Checkers.All(c => c.Machine.IsUp);
            var state = up ? HealthState.Up : HealthState.Down;
            var weight = server.Weight;
            if (result.Success && result.Weight is { } dynamicWeight && run.Settings.Config.SetsWeight)
            {
                weight = dynamicWeight;
            }

            if (state != server.State)
            {
                server.State = state;
                server.Since = now;
                server.Weight = weight;
                server.Reason = up || run.Settings.Retry == 0
                    ? $"{run.Name}: {result.Message}"
                    : string.Create(CultureInfo.InvariantCulture, $"{run.Name}: {result.Message} ({run.Settings.Retry + 1} consecutive failures)");
                if (up)
                {
                    server.TimesUp++;
                }
                else
                {
                    server.TimesDown++;
                }

                change = new ServerHealthChange(server.Key, state, server.Reason, run.Name, now, weight, null);
            }
            else if (weight != server.Weight)
            {
                server.Weight = weight;
                change = new ServerHealthChange(server.Key, state, $"{run.Name}: {result.Message}", run.Name, now, weight, null, WeightOnly: true);
            }
        }

        LoadSignal.Record(server.Key, result);
        if (result.Feedback is { } reply && _agents is not null)
        {
            _agents.Record(server.Key, "misc", reply);
        }
        if (!result.Success && step.UseRetryDelay)
        {
            Log.CheckFailedRetrying(_logger, server.Key.Service.ToString(), server.Key.ServerText, run.Name, result.Message, pendingFailures, run.Settings.Retry);
        }
        else if (!result.Success && change is null)
        {
            Log.CheckFailed(_logger, server.Key.Service.ToString(), server.Key.ServerText, run.Name, result.Message);
        }

        if (change is not null)
        {
            Publish(server, change);
        }

        Arm(run, step.UseRetryDelay ? run.Settings.DelayBeforeRetry : Jittered(run.Settings.DelayLoop));
    }
}
