using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.Sync;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;
using Node = LvsNet.Core.Tests.Ha.NatFailoverDataPathTests.Node;

namespace LvsNet.Core.Tests.Ha;

/// <summary>
/// The master's periodic full resync: every established connection (and template) is queued once
/// per period, idle ones too, at a bounded rate; a backup that starts empty learns them all.
/// </summary>
public class FullResyncTests
{
    private const int Connections = 300;

    private static Node MasterWithConnections(SyncMasterSettings settings)
    {
        var master = new Node(DirectorRole.Master, ForwardingMethod.Nat);
        master.Hub.Master = settings;
        master.Advance(TimeSpan.FromMilliseconds(1));
        for (var i = 0; i < Connections; i++)
        {
            var port = (ushort)(30000 + i);
            master.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, port, Vip, 80, TcpFlags.Syn));
            master.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, port, Vip, 80, TcpFlags.Ack));
        }

        // Two packets each: none reached the packet trigger (the 3rd), so nothing is queued yet.
        Assert.Equal(0, master.Hub.Outbound[0].Count);
        return master;
    }

    private static List<SyncConnection> Drain(Node node)
    {
        var records = new List<SyncConnection>();
        while (node.Hub.Outbound[0].TryDequeue(out var record))
        {
            records.Add(record);
        }

        return records;
    }

    [Fact]
    public void EveryEstablishedConnection_IsQueuedOncePerPeriod()
    {
        var settings = new SyncMasterSettings(1, 3, 50) { ResyncPeriodTicks = ConnectionClock.ToTicks(TimeSpan.FromSeconds(2)), ResyncRate = 100_000 };
        var master = MasterWithConnections(settings);
        var seen = new List<SyncConnection>();
        for (var step = 0; step < 8; step++)
        {
            master.Advance(TimeSpan.FromMilliseconds(250));
            seen.AddRange(Drain(master));
        }

        // 2 s: each of the 300 connections once (the walk may overlap the next period's start by a slice).
        var ports = seen.Select(r => r.ClientPort).ToList();
        Assert.Equal(Enumerable.Range(30000, Connections).Select(p => (ushort)p), ports.Distinct().Order());
        Assert.InRange(ports.Count, Connections, Connections + (Connections / 8) + 1);
        Assert.All(seen, r => Assert.Equal((ushort)ConnectionState.Established, r.State));
        Assert.Equal(seen.Count, master.Hub.Counters.ResyncRecords);
    }

    [Fact]
    public void Rate_BoundsTheRecordsPerSecond()
    {
        var settings = new SyncMasterSettings(1, 3, 50) { ResyncPeriodTicks = ConnectionClock.ToTicks(TimeSpan.FromSeconds(1)), ResyncRate = 100 };
        var master = MasterWithConnections(settings);
        var count = 0;
        for (var step = 0; step < 8; step++)
        {
            master.Advance(TimeSpan.FromMilliseconds(250));
            count += Drain(master).Count;
        }

        // 2 s at 100 records a second, however large the table.
        Assert.InRange(count, 150, 200);
    }

    [Fact]
    public void BackupStartedLate_LearnsEveryIdleConnection()
    {
        var settings = new SyncMasterSettings(1, 3, 50) { ResyncPeriodTicks = ConnectionClock.ToTicks(TimeSpan.FromSeconds(2)), ResyncRate = 100_000 };
        var master = MasterWithConnections(settings);
        var backup = new Node(DirectorRole.Backup, ForwardingMethod.Nat);
        var writer = new SyncMessageWriter(1, 1472, 0);
        var received = new SyncConnection[255];
        var reader = new SyncMessageReader();
        for (var step = 0; step < 8; step++)
        {
            master.Advance(TimeSpan.FromMilliseconds(250));
            foreach (var record in Drain(master))
            {
                if (!writer.TryAdd(record))
                {
                    Deliver(writer, reader, received, backup);
                    writer.Reset();
                    writer.TryAdd(record);
                }
            }

            if (writer.Count > 0)
            {
                Deliver(writer, reader, received, backup);
                writer.Reset();
            }

            backup.Advance(TimeSpan.FromMilliseconds(250));
        }

        Assert.Equal(Connections, backup.Processor.Table.Count);
    }

    [Fact]
    public void Off_QueuesNothing()
    {
        var master = MasterWithConnections(new SyncMasterSettings(1, 3, 50));
        master.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(Drain(master));
    }

    private static void Deliver(SyncMessageWriter writer, SyncMessageReader reader, SyncConnection[] received, Node backup)
    {
        Assert.Equal(SyncMessageStatus.Accepted, reader.Read(writer.Message, 0, received, out var count));
        for (var i = 0; i < count; i++)
        {
            Assert.True(backup.Hub.Deliver(received[i], 0));
        }
    }
}
