using System.Runtime.CompilerServices;
using LvsNet.Core.Connections;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests.Connections;

/// <summary>The compact entry layout: what was folded into the entry or moved beside it still behaves as before.</summary>
public class ConnectionTableLayoutTests
{
    private const uint Vip = 0x0A4D0064;

    private static ConnectionKey Key(uint client, ushort port) => new(IpProtocol.Tcp, client, port, Vip, 80);

    [Fact]
    public void Entry_Is56Bytes()
    {
        // The memory budget of docs/connection-table.md (10 M connections in under 640 MB) rests on it.
        Assert.Equal(56, Unsafe.SizeOf<ConnectionEntry>());
    }

    [Fact]
    public void FindBatch_AgreesWithFind_OnHitsMissesTemplatesAndLongChains()
    {
        // 3,000 entries in 4,096 buckets plus keys that share (protocol, client, port) with a
        // template: chains of several entries, hits at every depth, and misses.
        var table = new ConnectionTable(3000, seed: 9);
        for (var i = 0; i < 2900; i++)
        {
            Assert.True(table.Insert(Key((uint)(i % 700), (ushort)(1000 + (i / 700))), i, ConnectionFlags.None, 0) >= 0);
        }

        var server = new RealServerState(0, ServerSets.Key, new ServiceCounters(), ServerSets.Config(0, 1));
        Assert.True(table.InsertTemplate(IpProtocol.Tcp, 5, Vip, 80, server, 100, 0) >= 0);
        var keys = new List<ConnectionKey>();
        for (var i = 0; i < 2900; i += 7)
        {
            keys.Add(Key((uint)(i % 700), (ushort)(1000 + (i / 700))));
            keys.Add(Key((uint)(i % 700), (ushort)(2000 + i)));
        }

        keys.Add(new ConnectionKey(IpProtocol.Tcp, 5, 0, Vip, 80));
        keys.Add(new ConnectionKey(IpProtocol.Udp, 1, 1000, Vip, 80));
        var results = new int[ConnectionTable.MaxBatch];
        var hits = 0;
        foreach (var size in new[] { 1, 5, ConnectionTable.MaxBatch })
        {
            for (var start = 0; start < keys.Count; start += size)
            {
                var batch = keys.GetRange(start, Math.Min(size, keys.Count - start)).ToArray();
                table.FindBatch(batch, results);
                for (var j = 0; j < batch.Length; j++)
                {
                    Assert.Equal(table.Find(batch[j]), results[j]);
                    hits += results[j] >= 0 ? 1 : 0;
                }
            }
        }

        Assert.Equal(3 * 415, hits);
        Assert.Throws<ArgumentOutOfRangeException>(() => table.FindBatch(new ConnectionKey[ConnectionTable.MaxBatch + 1], new int[ConnectionTable.MaxBatch + 1]));
    }

    [Fact]
    public void Wheel_RemovingFirstMiddleAndLastOfASlot_KeepsTheOthersExpiring()
    {
        // Five entries expiring at the same tick share one wheel slot; the slot's first entry keeps
        // the slot in its previous-link, which the next one inherits when the first leaves.
        var table = new ConnectionTable(64, seed: 3);
        var indices = new int[5];
        for (var i = 0; i < 5; i++)
        {
            indices[i] = table.Insert(Key(7, (ushort)(100 + i)), 0, ConnectionFlags.None, 0);
            table.Transition(indices[i], ConnectionState.Established, 40, 0, null);
        }

        // The last inserted is the slot's first; remove it, then a middle one, then the oldest (last in the list).
        table.Remove(indices[4], []);
        table.Remove(indices[2], []);
        table.Remove(indices[0], []);
        Assert.Equal(2, table.Count);

        // Moving one to an earlier slot (a shorter timeout) takes it out of the shared slot too.
        table.Transition(indices[3], ConnectionState.Close, 8, 0, null);
        Assert.Equal(1, table.Advance(8, []));
        Assert.Equal(-1, table.Find(Key(7, 103)));
        Assert.Equal(indices[1], table.Find(Key(7, 101)));
        Assert.Equal(0, table.Advance(39, []));
        Assert.Equal(1, table.Advance(40, []));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void ControlAndControlled_ShareAField_ButReadAsBefore()
    {
        var table = new ConnectionTable(64, seed: 3);
        var server = new RealServerState(0, ServerSets.Key, new ServiceCounters(), ServerSets.Config(0, 1));
        var template = table.InsertTemplate(IpProtocol.Tcp, 0x0B000000, Vip, 80, server, 100, 0);
        var connection = table.Insert(Key(0x0B000001, 5000), 0, ConnectionFlags.None, 0);
        Assert.Equal(-1, table[connection].Control);
        Assert.Equal(0, table[connection].Controlled);
        Assert.Equal(0, table[template].Controlled);
        Assert.Equal(-1, table[template].Control);

        table.Attach(connection, template, 0);
        Assert.Equal(template, table[connection].Control);
        Assert.Equal(0, table[connection].Controlled);
        Assert.Equal(1, table[template].Controlled);
        Assert.Equal(-1, table[template].Control);

        table.Remove(connection, [server]);
        Assert.Equal(0, table[template].Controlled);
    }

    [Fact]
    public void HandshakeMarks_AreTakenOnce_AndNeverByALaterOccupant()
    {
        var table = new ConnectionTable(64, seed: 3);
        var a = table.Insert(Key(1, 1), 0, ConnectionFlags.None, 0);
        table.MarkHandshakeStart(a, 1000);
        Assert.True(table.TakeHandshakeStart(a, out var at));
        Assert.Equal(1001u, at);
        Assert.False(table.TakeHandshakeStart(a, out _));

        // Marked, then freed before ESTABLISHED: the entry that reuses the index is not timed from it.
        table.MarkHandshakeStart(a, 2000);
        table.Remove(a, []);
        var b = table.Insert(Key(1, 2), 0, ConnectionFlags.None, 0);
        Assert.Equal(a, b);
        Assert.False(table.TakeHandshakeStart(b, out _));
    }

    [Fact]
    public void HandshakeMarks_TwoIndicesOnOneSlot_TheLaterWinsAndTheEarlierGoesUntimed()
    {
        var capacity = ConnectionTable.HandshakeSlots + 1;
        var table = new ConnectionTable(capacity, seed: 3);
        for (var i = 0; i < capacity; i++)
        {
            table.Insert(Key((uint)i, 1), 0, ConnectionFlags.None, 0);
        }

        table.MarkHandshakeStart(0, 10);
        table.MarkHandshakeStart(ConnectionTable.HandshakeSlots, 20);
        Assert.False(table.TakeHandshakeStart(0, out _));
        Assert.True(table.TakeHandshakeStart(ConnectionTable.HandshakeSlots, out var at));
        Assert.Equal(21u, at);
    }

    [Fact]
    public void LocalAddressBook_GivesEachAddressOneIdForGood()
    {
        Assert.True(LocalAddressBook.TryGetId(0xC0A8F001, out var first));
        Assert.True(LocalAddressBook.TryGetId(0xC0A8F002, out var second));
        Assert.True(LocalAddressBook.TryGetId(0xC0A8F001, out var again));
        Assert.NotEqual(0, first);
        Assert.NotEqual(first, second);
        Assert.Equal(first, again);
        Assert.Equal(0xC0A8F001u, LocalAddressBook.AddressOf(first));
        Assert.Equal(0xC0A8F002u, LocalAddressBook.AddressOf(second));
        Assert.Equal(0u, LocalAddressBook.AddressOf(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LocalAddressBook.TryGetId(0, out _));
    }

    [Fact]
    public void LocalPortMap_FindsTheHolderUntilItIsFreed()
    {
        const uint Local = 0xC0A8F101;
        var table = new ConnectionTable(64, seed: 3);
        var a = table.Insert(Key(1, 1), 0, ConnectionFlags.None, 0);
        var b = table.Insert(new ConnectionKey(IpProtocol.Udp, 1, 1, Vip, 53), 0, ConnectionFlags.None, 0);
        Assert.True(table.TryBindLocal(a, Local));
        Assert.True(table.TryBindLocal(b, Local));
        Assert.Equal(Local, table[a].LocalAddress);
        Assert.Equal(a, table.FindLocal(IpProtocol.Tcp, Local, table[a].LocalPort));
        Assert.Equal(b, table.FindLocal(IpProtocol.Udp, Local, table[b].LocalPort));

        // Another protocol, address or port is not the connection's.
        Assert.Equal(-1, table.FindLocal(IpProtocol.Udp, Local, table[a].LocalPort == table[b].LocalPort ? (ushort)1 : table[a].LocalPort));
        Assert.Equal(-1, table.FindLocal(IpProtocol.Tcp, Local + 1, table[a].LocalPort));
        var port = table[a].LocalPort;
        table.Remove(a, []);
        Assert.Equal(-1, table.FindLocal(IpProtocol.Tcp, Local, port));
        Assert.Equal(1, table.LocalPorts.InUse);
    }
}
