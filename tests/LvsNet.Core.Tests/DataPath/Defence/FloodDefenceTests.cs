using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;

namespace LvsNet.Core.Tests.DataPath.Defence;

/// <summary>
/// IPVS's flood defences with the kernel's semantics (ip_vs_ctl.c update_defense_level,
/// ip_vs_conn.c ip_vs_random_dropentry/todrop_entry, ip_vs_todrop, tcp_states_dos), driven by
/// the table's free entries; and the eviction of half-open entries when the table is full.
/// </summary>
public class FloodDefenceTests
{
    [Fact]
    public void DropPacket3_RefusesOneNewConnectionInAmDropRate()
    {
        var h = Harness(c => c with { DropPacket = 3, AmDropRate = 2 });
        h.Advance(TimeSpan.FromSeconds(1.1));

        for (var i = 0; i < 10; i++)
        {
            h.Feed(h.ClientTcp((ushort)(1000 + i), TcpFlags.Syn));
        }

        // ip_vs_todrop counts down from 0: the first is dropped, then every second one.
        Assert.Equal(5, h.Processor.Counters[DropReason.DefenceDropPacket]);
        Assert.Equal(5, h.Processor.Table.Count);
        Assert.Equal(5, h.Device.Sent.Count);
    }

    [Fact]
    public void DropPacket3_LeavesEstablishedConnectionsAlone()
    {
        var h = Harness(c => c with { DropPacket = 3, AmDropRate = 1 });
        h.Feed(h.ClientTcp(1000, TcpFlags.Syn));
        h.Advance(TimeSpan.FromSeconds(1.1));
        h.Device.Sent.Clear();

        h.Feed(h.ClientTcp(1000, TcpFlags.Ack));
        h.Feed(h.ClientTcp(1001, TcpFlags.Syn));

        Assert.Single(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[DropReason.DefenceDropPacket]);
    }

    [Fact]
    public void DropPacket1_ActsOnlyWhileFewerEntriesThanAmemthreshAreFree_AtTheKernelsRate()
    {
        // 1024 entries, threshold 512: with 600 in use, 424 are free, so the rate is 512 / (512 − 424) = 5.
        var h = Harness(c => c with { MaxEntries = 1024, DropPacket = 1, AmemThreshold = 512 });
        for (var i = 0; i < 600; i++)
        {
            h.Feed(h.ClientTcp((ushort)(1000 + i), TcpFlags.Syn));
        }

        Assert.Equal(0, h.Processor.Counters[DropReason.DefenceDropPacket]);
        h.Advance(TimeSpan.FromSeconds(1.1));
        for (var i = 0; i < 10; i++)
        {
            h.Feed(h.ClientTcp((ushort)(5000 + i), TcpFlags.Syn));
        }

        Assert.Equal(2, h.Processor.Counters[DropReason.DefenceDropPacket]);
    }

    [Fact]
    public void DropPacket1_WithRoomInTheTable_DropsNothing()
    {
        var h = Harness(c => c with { MaxEntries = 1024, DropPacket = 1, AmemThreshold = 512 });
        for (var i = 0; i < 100; i++)
        {
            h.Feed(h.ClientTcp((ushort)(1000 + i), TcpFlags.Syn));
        }

        h.Advance(TimeSpan.FromSeconds(1.1));
        for (var i = 0; i < 100; i++)
        {
            h.Feed(h.ClientTcp((ushort)(5000 + i), TcpFlags.Syn));
        }

        Assert.Equal(0, h.Processor.Counters[DropReason.DefenceDropPacket]);
        Assert.Equal(200, h.Processor.Table.Count);
    }

    [Fact]
    public void DropEntry3_FreesHalfOpenEntriesBeforeTheirTimeout()
    {
        var h = Harness(c => c with { DropEntry = 3 });
        for (var i = 0; i < 300; i++)
        {
            h.Feed(h.ClientTcp((ushort)(1000 + i), TcpFlags.Syn));
        }

        // 30 s: well inside SYN_RECV's 60 s, so only the defence can have freed them.
        for (var s = 0; s < 30; s++)
        {
            h.Advance(TimeSpan.FromSeconds(1.01));
        }

        Assert.True(h.Processor.Table.Count < 300, $"{h.Processor.Table.Count} left");
        Assert.Equal(300 - h.Processor.Table.Count, h.Processor.Table.DefenceDropped);
    }

    [Fact]
    public void DropEntry3_KeepsEstablishedEntriesIdleLessThan60Seconds()
    {
        var h = Harness(c => c with { DropEntry = 3 });
        for (var i = 0; i < 300; i++)
        {
            h.Feed(h.ClientTcp((ushort)(1000 + i), TcpFlags.Syn));
            h.Feed(h.ClientTcp((ushort)(1000 + i), TcpFlags.Ack));
        }

        for (var s = 0; s < 50; s++)
        {
            h.Advance(TimeSpan.FromSeconds(1.01));
        }

        Assert.Equal(300, h.Processor.Table.Count);
        Assert.Equal(0, h.Processor.Table.DefenceDropped);
    }

    [Fact]
    public void DropEntry3_SamplesEstablishedEntriesIdle60SecondsWithFewPackets()
    {
        var h = Harness(c => c with { DropEntry = 3 });
        for (var i = 0; i < 300; i++)
        {
            h.Feed(h.ClientTcp((ushort)(1000 + i), TcpFlags.Syn));
            h.Feed(h.ClientTcp((ushort)(1000 + i), TcpFlags.Ack));
        }

        h.Advance(TimeSpan.FromSeconds(61));
        for (var s = 0; s < 40; s++)
        {
            h.Advance(TimeSpan.FromSeconds(1.01));
        }

        Assert.InRange(h.Processor.Table.DefenceDropped, 1, 299);
    }

    [Fact]
    public void DropEntry0_DropsNothing()
    {
        var h = Harness(c => c);
        for (var i = 0; i < 300; i++)
        {
            h.Feed(h.ClientTcp((ushort)(1000 + i), TcpFlags.Syn));
        }

        for (var s = 0; s < 30; s++)
        {
            h.Advance(TimeSpan.FromSeconds(1.01));
        }

        Assert.Equal(300, h.Processor.Table.Count);
    }

    [Fact]
    public void FullTable_WithDropEntry_EvictsAHalfOpenEntryForANewSyn()
    {
        var h = new DataPathHarness(c => c with { Connections = c.Connections with { DropEntry = 1 } }, tableCapacity: 16);
        h.ResolveRealServers();
        for (var i = 0; i < 16; i++)
        {
            h.Feed(h.ClientTcp((ushort)(1000 + i), TcpFlags.Syn));
        }

        h.Device.Sent.Clear();
        h.Feed(h.ClientTcp(2000, TcpFlags.Syn));

        Assert.Single(h.Device.Sent);
        Assert.Equal(16, h.Processor.Table.Count);
        Assert.Equal(1, h.Processor.Table.HalfOpenEvicted);
        Assert.Equal(0, h.Processor.Counters[DropReason.TableFull]);
        Assert.True(h.Processor.Table.Find(new ConnectionKey(IpProtocol.Tcp, Client, 2000, Vip, 80)) >= 0);
    }

    [Fact]
    public void FullTableOfEstablishedConnections_RefusesTheNewSyn_AndKeepsThem()
    {
        var h = new DataPathHarness(c => c with { Connections = c.Connections with { DropEntry = 1 } }, tableCapacity: 16);
        h.ResolveRealServers();
        for (var i = 0; i < 16; i++)
        {
            h.Feed(h.ClientTcp((ushort)(1000 + i), TcpFlags.Syn));
            h.Feed(h.ClientTcp((ushort)(1000 + i), TcpFlags.Ack));
        }

        h.Feed(h.ClientTcp(2000, TcpFlags.Syn));

        Assert.Equal(1, h.Processor.Counters[DropReason.TableFull]);
        Assert.Equal(0, h.Processor.Table.HalfOpenEvicted);
        Assert.Equal(16, h.Processor.Table.Count);
    }

    [Fact]
    public void SecureTcp3_DirectRoutingSynWaitsInSynAckUntilTheAck()
    {
        var h = Harness(c => c with { SecureTcp = 3 });
        h.Advance(TimeSpan.FromSeconds(1.1));
        h.Feed(h.ClientTcp(1000, TcpFlags.Syn));
        var index = h.Processor.Table.Find(new ConnectionKey(IpProtocol.Tcp, Client, 1000, Vip, 80));

        // tcp_states_dos, INPUT-ONLY: syn on NONE → SYNACK, ack on SYNACK → ESTABLISHED.
        Assert.Equal(ConnectionState.SynAck, h.Processor.Table[index].State);
        h.Feed(h.ClientTcp(1000, TcpFlags.Ack));
        Assert.Equal(ConnectionState.Established, h.Processor.Table[index].State);
    }

    [Fact]
    public void SecureTcp1_IsInactiveWithRoomInTheTable()
    {
        var h = Harness(c => c with { SecureTcp = 1 });
        h.Advance(TimeSpan.FromSeconds(1.1));
        h.Feed(h.ClientTcp(1000, TcpFlags.Syn));
        var index = h.Processor.Table.Find(new ConnectionKey(IpProtocol.Tcp, Client, 1000, Vip, 80));
        Assert.Equal(ConnectionState.SynRecv, h.Processor.Table[index].State);
    }

    [Theory]
    [InlineData(ConnectionState.SynAck, TcpDirection.Input, TcpFlags.Syn, ConnectionState.SynAck)]
    [InlineData(ConnectionState.SynAck, TcpDirection.Input, TcpFlags.Fin, ConnectionState.SynAck)]
    [InlineData(ConnectionState.SynRecv, TcpDirection.Input, TcpFlags.Ack, ConnectionState.SynRecv)]
    [InlineData(ConnectionState.SynAck, TcpDirection.Input, TcpFlags.Ack, ConnectionState.SynAck)]
    [InlineData(ConnectionState.SynRecv, TcpDirection.Output, TcpFlags.Syn, ConnectionState.SynAck)]
    [InlineData(ConnectionState.SynAck, TcpDirection.Output, TcpFlags.Syn, ConnectionState.SynAck)]
    [InlineData(ConnectionState.SynAck, TcpDirection.Input, TcpFlags.Rst, ConnectionState.Close)]
    [InlineData(ConnectionState.None, TcpDirection.InputOnly, TcpFlags.Syn, ConnectionState.SynAck)]
    [InlineData(ConnectionState.TimeWait, TcpDirection.InputOnly, TcpFlags.Syn, ConnectionState.SynAck)]
    [InlineData(ConnectionState.SynSent, TcpDirection.InputOnly, TcpFlags.Syn, ConnectionState.Established)]
    [InlineData(ConnectionState.SynRecv, TcpDirection.InputOnly, TcpFlags.Syn, ConnectionState.SynRecv)]
    [InlineData(ConnectionState.None, TcpDirection.Input, TcpFlags.Syn, ConnectionState.SynRecv)]
    [InlineData(ConnectionState.SynAck, TcpDirection.Output, TcpFlags.Ack, ConnectionState.Established)]
    public void SecureTable_DiffersFromTheNormalOneWhereIpvsSaysSo(ConnectionState from, TcpDirection direction, TcpFlags flags, ConnectionState expected)
    {
        Assert.Equal(expected, TcpStateMachine.Next(from, direction, flags, secure: true));
    }

    [Fact]
    public void SecureTable_EqualsTheNormalOneElsewhere()
    {
        var differing = new HashSet<(ConnectionState, TcpDirection, TcpFlags)>
        {
            (ConnectionState.SynAck, TcpDirection.Input, TcpFlags.Syn),
            (ConnectionState.SynAck, TcpDirection.Input, TcpFlags.Fin),
            (ConnectionState.SynRecv, TcpDirection.Input, TcpFlags.Ack),
            (ConnectionState.SynAck, TcpDirection.Input, TcpFlags.Ack),
            (ConnectionState.SynRecv, TcpDirection.Output, TcpFlags.Syn),
            (ConnectionState.SynAck, TcpDirection.Output, TcpFlags.Syn),
            (ConnectionState.SynAck, TcpDirection.Input, TcpFlags.Rst),
        };
        foreach (var s in new[] { ConnectionState.None, ConnectionState.FinWait, ConnectionState.TimeWait, ConnectionState.Close, ConnectionState.CloseWait, ConnectionState.LastAck, ConnectionState.Listen, ConnectionState.SynAck })
        {
            differing.Add((s, TcpDirection.InputOnly, TcpFlags.Syn));
        }

        for (var state = ConnectionState.None; state <= ConnectionState.SynAck; state++)
        {
            foreach (var direction in new[] { TcpDirection.Input, TcpDirection.Output, TcpDirection.InputOnly })
            {
                foreach (var flags in new[] { TcpFlags.Syn, TcpFlags.Fin, TcpFlags.Ack, TcpFlags.Rst })
                {
                    if (!differing.Contains((state, direction, flags)))
                    {
                        Assert.Equal(TcpStateMachine.Next(state, direction, flags), TcpStateMachine.Next(state, direction, flags, secure: true));
                    }
                }
            }
        }
    }

    [Fact]
    public void DefenceKeys_AreReadWithTheKernelsNames()
    {
        var config = LvsConfigReader.Parse("director:\n  interface: eth0\n  address: 10.0.0.2/24\nconnections:\n  drop_entry: 1\n  drop_packet: 3\n  secure_tcp: 2\n  am_droprate: 7\n  amemthresh: 2048\n").Connections;
        Assert.Equal(1, config.DropEntry);
        Assert.Equal(3, config.DropPacket);
        Assert.Equal(2, config.SecureTcp);
        Assert.Equal(7, config.AmDropRate);
        Assert.Equal(2048, config.AmemThreshold);
        var defaults = LvsConfigReader.Parse("director:\n  interface: eth0\n  address: 10.0.0.2/24\n").Connections;
        Assert.Equal((0, 0, 0, 10, (int?)null), (defaults.DropEntry, defaults.DropPacket, defaults.SecureTcp, defaults.AmDropRate, defaults.AmemThreshold));
    }

    [Fact]
    public void DefenceKeysOutOfRange_AreAllRejectedWithTheirPaths()
    {
        var ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse("director:\n  interface: eth0\n  address: 10.0.0.2/24\nconnections:\n  drop_entry: 4\n  drop_packet: -1\n  secure_tcp: 9\n  am_droprate: 0\n"));
        Assert.Contains(ex.Errors, e => e.Path == "connections.drop_entry");
        Assert.Contains(ex.Errors, e => e.Path == "connections.drop_packet");
        Assert.Contains(ex.Errors, e => e.Path == "connections.secure_tcp");
        Assert.Contains(ex.Errors, e => e.Path == "connections.am_droprate");
    }

    private static DataPathHarness Harness(Func<ConnectionTableConfig, ConnectionTableConfig> edit)
    {
        var h = new DataPathHarness(c => c with { Connections = edit(c.Connections) });
        h.ResolveRealServers();
        return h;
    }
}
