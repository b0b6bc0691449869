using LvsNet.Core.Connections;
using LvsNet.Core.Sync;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests.Sync;

/// <summary>
/// The master's triggers, as ip_vs_sync_conn_needed decides them (shared/reference §6.1): the
/// packet counts at which a connection is synced, the TCP states that are synced at all, and the
/// immediate sync of a change to a closing state.
/// </summary>
public class SyncProducerTests
{
    private static readonly SyncMasterSettings Default = new(Version: 1, Threshold: 3, Period: 50);

    [Fact]
    public void Udp_IsSyncedAtPackets3_53_103()
    {
        var entry = new ConnectionEntry { Protocol = IpProtocol.Udp, State = ConnectionState.Udp, Flags = ConnectionFlags.InUse };
        var synced = new List<uint>();
        for (uint packets = 1; packets <= 120; packets++)
        {
            if (SyncProducer.Needed(ref entry, packets, Default))
            {
                synced.Add(packets);
            }
        }

        Assert.Equal([3u, 53u, 103u], synced);
    }

    [Fact]
    public void PeriodZero_SyncsOnceAtTheThreshold()
    {
        var entry = new ConnectionEntry { Protocol = IpProtocol.Udp, State = ConnectionState.Udp, Flags = ConnectionFlags.InUse };
        var synced = Enumerable.Range(1, 200).Where(p => SyncProducer.Needed(ref entry, (uint)p, Default with { Period = 0 })).ToList();
        Assert.Equal([3], synced);
    }

    [Theory]
    [InlineData(ConnectionState.SynRecv)]
    [InlineData(ConnectionState.SynSent)]
    [InlineData(ConnectionState.None)]
    [InlineData(ConnectionState.SynAck)]
    public void Tcp_InAnOpeningState_IsNeverSynced(ConnectionState state)
    {
        var entry = new ConnectionEntry { Protocol = IpProtocol.Tcp, State = state, Flags = ConnectionFlags.InUse };
        Assert.DoesNotContain(Enumerable.Range(1, 200), p => SyncProducer.Needed(ref entry, (uint)p, Default));
    }

    [Fact]
    public void Tcp_ChangeToAClosingState_IsSyncedAtOnce_ThenByCount()
    {
        var entry = new ConnectionEntry { Protocol = IpProtocol.Tcp, State = ConnectionState.Established, Flags = ConnectionFlags.InUse };
        Assert.False(SyncProducer.Needed(ref entry, 2, Default));
        Assert.True(SyncProducer.Needed(ref entry, 3, Default));

        // ESTABLISHED -> FIN_WAIT on packet 10: sent at once, not at 53.
        entry.State = ConnectionState.FinWait;
        Assert.True(SyncProducer.Needed(ref entry, 10, Default));
        Assert.False(SyncProducer.Needed(ref entry, 11, Default));
        Assert.True(SyncProducer.Needed(ref entry, 53, Default));
    }

    [Fact]
    public void Template_IsSyncedWithEveryPacketWhenAPeriodIsSet()
    {
        var template = new ConnectionEntry { Protocol = IpProtocol.Tcp, State = ConnectionState.None, Flags = ConnectionFlags.InUse | ConnectionFlags.Template };
        Assert.All(Enumerable.Range(1, 10), p => Assert.True(SyncProducer.Needed(ref template, (uint)p, Default)));
    }

    [Fact]
    public void Ring_IsBoundedAndDropsWhenFull()
    {
        var ring = new SpscRing<SyncConnection>(4);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(ring.TryEnqueue(new SyncConnection { ClientPort = (ushort)i }));
        }

        Assert.False(ring.TryEnqueue(default));
        Assert.True(ring.TryDequeue(out var first));
        Assert.Equal(0, first.ClientPort);
        Assert.True(ring.TryEnqueue(default));
        Assert.Equal(4, ring.Count);
    }

    [Fact]
    public void Ring_AcrossTwoThreads_DeliversEveryItemInOrder()
    {
        const int Items = 200_000;
        var ring = new SpscRing<SyncConnection>(64);
        var producer = new Thread(() =>
        {
            for (var i = 0; i < Items;)
            {
                if (ring.TryEnqueue(new SyncConnection { ClientAddress = (uint)i }))
                {
                    i++;
                }
            }
        });
        producer.Start();
        var expected = 0u;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (expected < Items && DateTime.UtcNow < deadline)
        {
            if (ring.TryDequeue(out var item))
            {
                Assert.Equal(expected, item.ClientAddress);
                expected++;
            }
        }

        producer.Join();
        Assert.Equal((uint)Items, expected);
    }
}
