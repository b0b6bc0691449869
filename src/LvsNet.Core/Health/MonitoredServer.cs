namespace LvsNet.Core.Health;

/// <summary>The monitor's state of one checked real server: its checkers and the combined verdict. Guarded by <see cref="Gate"/>.</summary>
internal sealed class MonitoredServer
{
    public MonitoredServer(HealthCheckSettings settings, HealthState state, DateTimeOffset since, string reason)
    {
        Settings = settings;
        State = state;
        Since = since;
        Reason = reason;
    }

    public Lock Gate { get; } = new();

    public HealthCheckSettings Settings { get; }

    public RealServerKey Key => Settings.Key;

    public CheckerRun[] Checkers { get; set; } = [];

    public HealthState State { get; set; }

    public DateTimeOffset Since { get; set; }

    public string Reason { get; set; }

    public int? Weight { get; set; }

    public long TimesUp { get; set; }

    public long TimesDown { get; set; }

    public bool Stopped { get; set; }

    public ServerHealthReport Report() => new(State, Since, Reason, Weight);

    public ServerHealthDetail Describe()
    {
        lock (Gate)
        {
            return new ServerHealthDetail
            {
                Server = Key,
                State = State,
                Since = Since,
                Reason = Reason,
                Weight = Weight,
                TimesUp = TimesUp,
                TimesDown = TimesDown,
                Checkers = [.. Checkers.Select(c => c.Describe())],
            };
        }
    }
}
