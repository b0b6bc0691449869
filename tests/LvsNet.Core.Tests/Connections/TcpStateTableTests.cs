using LvsNet.Core.Connections;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests.Connections;

/// <summary>
/// Every cell of the IPVS TCP transition table (secure_tcp off), transcribed row by row from the
/// reference's text table rather than from the product's byte table.
/// </summary>
public class TcpStateTableTests
{
    private static readonly string[] Columns = ["NO", "ES", "SS", "SR", "FW", "TW", "CL", "CW", "LA", "LI", "SA"];

    private static readonly (TcpDirection Direction, TcpFlags Flags, string Row)[] Rows =
    [
        (TcpDirection.Input, TcpFlags.Syn, "SR ES ES SR SR SR SR SR SR SR SR"),
        (TcpDirection.Input, TcpFlags.Fin, "CL CW SS TW TW TW CL CW LA LI TW"),
        (TcpDirection.Input, TcpFlags.Ack, "ES ES SS ES FW TW CL CW CL LI ES"),
        (TcpDirection.Input, TcpFlags.Rst, "CL CL CL SR CL CL CL CL LA LI SR"),
        (TcpDirection.Output, TcpFlags.Syn, "SS ES SS SR SS SS SS SS SS LI SR"),
        (TcpDirection.Output, TcpFlags.Fin, "TW FW SS TW FW TW CL TW LA LI TW"),
        (TcpDirection.Output, TcpFlags.Ack, "ES ES SS ES FW TW CL CW LA ES ES"),
        (TcpDirection.Output, TcpFlags.Rst, "CL CL SS CL CL TW CL CL CL CL CL"),
        (TcpDirection.InputOnly, TcpFlags.Syn, "SR ES ES SR SR SR SR SR SR SR SR"),
        (TcpDirection.InputOnly, TcpFlags.Fin, "CL FW SS TW FW TW CL CW LA LI TW"),
        (TcpDirection.InputOnly, TcpFlags.Ack, "ES ES SS ES FW TW CL CW CL LI ES"),
        (TcpDirection.InputOnly, TcpFlags.Rst, "CL CL CL SR CL CL CL CL LA LI CL"),
    ];

    private static ConnectionState Parse(string abbreviation) => abbreviation switch
    {
        "NO" => ConnectionState.None,
        "ES" => ConnectionState.Established,
        "SS" => ConnectionState.SynSent,
        "SR" => ConnectionState.SynRecv,
        "FW" => ConnectionState.FinWait,
        "TW" => ConnectionState.TimeWait,
        "CL" => ConnectionState.Close,
        "CW" => ConnectionState.CloseWait,
        "LA" => ConnectionState.LastAck,
        "LI" => ConnectionState.Listen,
        "SA" => ConnectionState.SynAck,
        _ => throw new ArgumentException(abbreviation),
    };

    public static TheoryData<TcpDirection, TcpFlags, string, string> Cells()
    {
        var data = new TheoryData<TcpDirection, TcpFlags, string, string>();
        foreach (var (direction, flags, row) in Rows)
        {
            var cells = row.Split(' ');
            for (var i = 0; i < Columns.Length; i++)
            {
                data.Add(direction, flags, Columns[i], cells[i]);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Next_MatchesReferenceTable(TcpDirection direction, TcpFlags flags, string from, string to) =>
        Assert.Equal(Parse(to), TcpStateMachine.Next(Parse(from), direction, flags));

    [Fact]
    public void Timeouts_AreTheKernelDefaults()
    {
        var t = new ConnectionTimeouts(new Configuration.ConnectionTableConfig());
        uint S(int seconds) => (uint)(seconds * ConnectionClock.TicksPerSecond);
        Assert.Equal(S(2), t[ConnectionState.None]);
        Assert.Equal(S(900), t[ConnectionState.Established]);
        Assert.Equal(S(120), t[ConnectionState.SynSent]);
        Assert.Equal(S(60), t[ConnectionState.SynRecv]);
        Assert.Equal(S(120), t[ConnectionState.FinWait]);
        Assert.Equal(S(120), t[ConnectionState.TimeWait]);
        Assert.Equal(S(10), t[ConnectionState.Close]);
        Assert.Equal(S(60), t[ConnectionState.CloseWait]);
        Assert.Equal(S(30), t[ConnectionState.LastAck]);
        Assert.Equal(S(120), t[ConnectionState.Listen]);
        Assert.Equal(S(120), t[ConnectionState.SynAck]);
        Assert.Equal(S(300), t[ConnectionState.Udp]);
        Assert.Equal(S(3), ConnectionTimeouts.InitialTicks);
    }

    [Theory]
    [InlineData(ConnectionState.SynRecv, 60)]
    [InlineData(ConnectionState.Established, 900)]
    [InlineData(ConnectionState.FinWait, 120)]
    [InlineData(ConnectionState.TimeWait, 120)]
    [InlineData(ConnectionState.Close, 10)]
    [InlineData(ConnectionState.CloseWait, 60)]
    [InlineData(ConnectionState.LastAck, 30)]
    public void EntryInState_ExpiresExactlyAtItsTimeout(ConnectionState state, int seconds)
    {
        var timeouts = new ConnectionTimeouts(new Configuration.ConnectionTableConfig());
        var table = new ConnectionTable(16, seed: 3, startTick: 100);
        var index = table.Insert(new ConnectionKey(IpProtocol.Tcp, 1, 1, 2, 80), 0, ConnectionFlags.None, 100);
        table.Transition(index, state, timeouts[state], 100, null);
        var due = 100 + (uint)(seconds * ConnectionClock.TicksPerSecond);
        table.Advance(due - 1, []);
        Assert.Equal(1, table.Count);
        table.Advance(due, []);
        Assert.Equal(0, table.Count);
    }
}
