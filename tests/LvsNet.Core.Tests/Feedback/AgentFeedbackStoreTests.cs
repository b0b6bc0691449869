using LvsNet.Core.Feedback;
using LvsNet.Packets;
using LvsNet.Testing;
using Microsoft.Extensions.Logging;
using Xunit;

namespace LvsNet.Core.Tests.Feedback;

/// <summary>
/// The agents' state per server: a reply changes only what it names (HAProxy: "drain" stays until
/// "ready"), a refused reply or a silent agent leaves the state, and each change is one event.
/// </summary>
public class AgentFeedbackStoreTests
{
    private static readonly RealServerKey Server = new(new ServiceKey(IpProtocol.Tcp, Ipv4Address.Parse("10.77.0.100"), 80, 0), Ipv4Address.Parse("10.77.0.11"), 80);

    private readonly TestTimeProvider _time = new();
    private readonly ListLogger _log = new();

    [Fact]
    public void Replies_ChangeOnlyWhatTheyName()
    {
        var store = new AgentFeedbackStore(_log, _time);
        Assert.Equal(0.5, store.Record(Server, "agent", "50%").WeightFactor);
        Assert.Equal(0, store.Record(Server, "agent", "drain").WeightFactor);

        // A percentage does not undo a drain; "ready" does, and the percentage stays.
        var drained = store.Record(Server, "agent", "80%");
        Assert.Equal(AgentAdminState.Drain, drained.Admin);
        Assert.Equal(0, drained.WeightFactor);
        var ready = store.Record(Server, "agent", "ready");
        Assert.Equal(0.8, ready.WeightFactor);

        Assert.Equal(0, store.Record(Server, "agent", "down#maintenance window").WeightFactor);
        Assert.Equal(0.8, store.Record(Server, "agent", "up").WeightFactor);
        Assert.Equal(0, store.Record(Server, "agent", "maint").WeightFactor);
    }

    [Fact]
    public void RefusedReply_KeepsTheStateAndLogsOncePerError()
    {
        var store = new AgentFeedbackStore(_log, _time);
        store.Record(Server, "agent", "40%");
        store.Record(Server, "agent", "garbage");
        store.Record(Server, "agent", "garbage");
        Assert.True(store.TryGet(Server, out var status));
        Assert.Equal(40, status.WeightPercent);
        Assert.Equal(1, _log.Count(752));
    }

    [Fact]
    public void Unreachable_KeepsTheStateAndLogsOnce()
    {
        var store = new AgentFeedbackStore(_log, _time);
        store.Record(Server, "agent", "drain");
        store.RecordUnreachable(Server, "agent", "connection refused");
        store.RecordUnreachable(Server, "agent", "connection refused");
        Assert.True(store.TryGet(Server, out var status));
        Assert.Equal(AgentAdminState.Drain, status.Admin);
        Assert.False(status.Reachable);
        Assert.Equal(1, _log.Count(753));

        // Answering again makes it reachable.
        Assert.True(store.Record(Server, "agent", "drain").Reachable);
    }

    [Fact]
    public void StateChanges_AreEvents_SameStateIsNot()
    {
        var store = new AgentFeedbackStore(_log, _time);
        store.Record(Server, "agent", "100% ready up");
        store.Record(Server, "agent", "60%");
        store.Record(Server, "agent", "60%");
        store.Record(Server, "agent", "drain");
        Assert.Equal(2, _log.Count(751));
        Assert.Contains(_log.Messages, m => m.Contains("ready up 60%", StringComparison.Ordinal) && m.Contains("drain up 60%", StringComparison.Ordinal));
    }

    [Fact]
    public void Forget_RemovesTheServer()
    {
        var store = new AgentFeedbackStore(_log, _time);
        store.Record(Server, "misc", "70%");
        store.Forget(Server);
        Assert.False(store.TryGet(Server, out _));
    }

    /// <summary>Collects events by id.</summary>
    internal sealed class ListLogger : ILogger<AgentFeedbackStore>
    {
        public List<(int Id, string Message)> Events { get; } = [];

        public IEnumerable<string> Messages => Events.Select(e => e.Message);

        public int Count(int id) => Events.Count(e => e.Id == id);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Events.Add((eventId.Id, formatter(state, exception)));
    }
}
