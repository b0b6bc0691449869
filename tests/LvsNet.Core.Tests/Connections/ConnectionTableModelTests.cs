using CsCheck;
using LvsNet.Core.Connections;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests.Connections;

/// <summary>
/// Model-based test of the connection table: random sequences of inserts, state transitions (timer
/// re-arms), removals, lookups and clock advances run against the table and against a plain
/// dictionary of key → (server, expiry); after every step both must hold the same connections.
/// CsCheck shrinks a failing sequence to a short one.
/// </summary>
public class ConnectionTableModelTests
{
    private enum Op
    {
        Insert,
        Transition,
        Remove,
        Find,
        Advance,
    }

    // A small key pool so that keys are reused, chains collide and the table fills.
    private static readonly ConnectionKey[] Keys = [.. from protocol in new[] { IpProtocol.Tcp, IpProtocol.Udp }
                                                      from client in new[] { 0x0A000001u, 0x0A000002u, 0xC0A80101u }
                                                      from port in new ushort[] { 1024, 40000, 65535 }
                                                      from vport in new ushort[] { 80, 443 }
                                                      select new ConnectionKey(protocol, client, port, 0x0A0000FEu, vport)];

    private static readonly Gen<(Op Op, int Key, int Arg)> Step =
        Gen.Select(Gen.Enum<Op>(), Gen.Int[0, Keys.Length - 1], Gen.Int[0, 6000], (op, key, arg) => (op, key, arg));

    [Fact]
    public void RandomOperationSequences_AgreeWithADictionaryModel()
    {
        Gen.Select(Gen.Int[1, 40], Gen.UInt, Step.Array[1, 150], (capacity, seed, steps) => (capacity, seed, steps))
            .Sample((capacity, seed, steps) => Run(capacity, seed, steps), iter: 400);
    }

    private static void Run(int capacity, uint seed, (Op Op, int Key, int Arg)[] steps)
    {
        var table = new ConnectionTable(capacity, seed);
        var model = new Dictionary<ConnectionKey, (int Server, uint ExpiresAt)>();
        RealServerState?[] servers = [];
        uint now = 0;
        foreach (var (op, keyIndex, arg) in steps)
        {
            var key = Keys[keyIndex];
            var present = model.TryGetValue(key, out var modelled);
            switch (op)
            {
                case Op.Insert when !present:
                    var inserted = table.Insert(key, keyIndex, ConnectionFlags.None, now);
                    if (model.Count == capacity)
                    {
                        Assert.Equal(-1, inserted);
                    }
                    else
                    {
                        Assert.True(inserted >= 0, "insert failed below capacity");
                        model[key] = (keyIndex, now + ConnectionTimeouts.InitialTicks);
                    }

                    break;
                case Op.Transition when present:
                    var timeout = (uint)Math.Max(1, arg);
                    table.Transition(table.Find(key), ConnectionState.Established, timeout, now, null);
                    model[key] = (modelled.Server, now + timeout);
                    break;
                case Op.Remove when present:
                    table.Remove(table.Find(key), servers);
                    model.Remove(key);
                    break;
                case Op.Advance:
                    now += (uint)(arg / 3);
                    var due = model.Where(e => (int)(e.Value.ExpiresAt - now) <= 0).Select(e => e.Key).ToList();
                    Assert.Equal(due.Count, table.Advance(now, servers));
                    due.ForEach(k => model.Remove(k));
                    break;
                default:
                    break;
            }

            AssertAgree(table, model);
        }
    }

    private static void AssertAgree(ConnectionTable table, Dictionary<ConnectionKey, (int Server, uint ExpiresAt)> model)
    {
        Assert.Equal(model.Count, table.Count);
        foreach (var key in Keys)
        {
            var index = table.Find(key);
            if (model.TryGetValue(key, out var expected))
            {
                Assert.True(index >= 0, $"{key} is missing");
                ref readonly var entry = ref table[index];
                Assert.Equal(key, new ConnectionKey(entry.Protocol, entry.ClientAddress, entry.ClientPort, entry.VirtualAddress, entry.VirtualPort));
                Assert.Equal(expected.Server, entry.RealServerId);
                Assert.Equal(expected.ExpiresAt, entry.ExpiresAt);
            }
            else
            {
                Assert.Equal(-1, index);
            }
        }

        var visited = new List<int>();
        table.ForEach(visited.Add);
        Assert.Equal(model.Count, visited.Distinct().Count());
        Assert.Equal(visited.Count, visited.Distinct().Count());
    }
}
