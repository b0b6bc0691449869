using LvsNet.Core.Connections;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests.Connections;

public class ConnectionTableTests
{
    private static ConnectionKey Key(uint client, ushort port) => new(IpProtocol.Tcp, client, port, 0x0A4D0064, 80);

    [Fact]
    public void InsertFind_ManyFlowsInTinyBucketSpace_NoFlowIsMoved()
    {
        // 16 buckets for 5,000 flows: long chains, every flow must still find its own entry.
        var table = new ConnectionTable(5000, seed: 42);
        for (var i = 0; i < 5000; i++)
        {
            Assert.True(table.Insert(Key((uint)i, (ushort)(i * 7)), i, ConnectionFlags.None, 0) >= 0);
        }

        for (var i = 0; i < 5000; i++)
        {
            var index = table.Find(Key((uint)i, (ushort)(i * 7)));
            Assert.True(index >= 0);
            Assert.Equal(i, table[index].RealServerId);
        }

        Assert.Equal(-1, table.Find(Key(99999, 1)));
        Assert.Equal(5000, table.Count);
        Assert.Equal(-1, table.Insert(Key(99999, 1), 0, ConnectionFlags.None, 0));
    }

    [Fact]
    public void Remove_UnlinksOnlyThatEntry()
    {
        var table = new ConnectionTable(64, seed: 1);
        var a = table.Insert(Key(1, 1), 1, ConnectionFlags.None, 0);
        var b = table.Insert(Key(1, 2), 2, ConnectionFlags.None, 0);
        table.Remove(a, []);
        Assert.Equal(-1, table.Find(Key(1, 1)));
        Assert.Equal(b, table.Find(Key(1, 2)));
        Assert.Equal(1, table.Count);
        var c = table.Insert(Key(1, 3), 3, ConnectionFlags.None, 0);
        Assert.Equal(a, c);
    }

    [Fact]
    public void Advance_ExpiresAtTimeoutAndHonoursRefresh()
    {
        var table = new ConnectionTable(64, seed: 1);
        var index = table.Insert(Key(1, 1), 0, ConnectionFlags.None, 0);
        table.Transition(index, ConnectionState.Established, 40, 0, null);
        table.Advance(30, []);
        table.Transition(index, ConnectionState.Established, 40, 30, null);
        table.Advance(69, []);
        Assert.Equal(1, table.Count);
        table.Advance(70, []);
        Assert.Equal(0, table.Count);
        Assert.Equal(1, table.ExpiredTotal);
    }

    [Fact]
    public void Advance_LongTimeoutsBeyondWheelHorizon()
    {
        var table = new ConnectionTable(64, seed: 1);
        var index = table.Insert(Key(1, 1), 0, ConnectionFlags.None, 0);
        var timeout = (uint)(ConnectionTable.WheelSize * 3 + 17);
        table.Transition(index, ConnectionState.Established, timeout, 0, null);
        table.Advance(timeout - 1, []);
        Assert.Equal(1, table.Count);
        table.Advance(timeout, []);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Transition_KeepsActiveInactiveCountsExact()
    {
        var servers = SchedulerTests.Servers(1);
        var table = new ConnectionTable(64, seed: 1);
        var index = table.Insert(Key(1, 1), 0, ConnectionFlags.None, 0);
        servers[0].OnConnectionCreated();
        Assert.Equal((0, 1), (servers[0].ActiveConnections, servers[0].InactiveConnections));
        table.Transition(index, ConnectionState.SynRecv, 10, 0, servers[0]);
        Assert.Equal((1, 0), (servers[0].ActiveConnections, servers[0].InactiveConnections));
        table.Transition(index, ConnectionState.Established, 10, 0, servers[0]);
        Assert.Equal((1, 0), (servers[0].ActiveConnections, servers[0].InactiveConnections));
        table.Transition(index, ConnectionState.FinWait, 10, 0, servers[0]);
        Assert.Equal((0, 1), (servers[0].ActiveConnections, servers[0].InactiveConnections));
        table.Advance(20, servers!);
        Assert.Equal((0, 0), (servers[0].ActiveConnections, servers[0].InactiveConnections));
    }
}
