using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath;
using LvsNet.Core.Ha;
using LvsNet.Core.Runtime;
using LvsNet.Core.Sync;
using LvsNet.Core.Tests.DataPath;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Core.Tests.Ha;

/// <summary>
/// The data path follows the director's HA role: a backup answers no ARP for the VIP and forwards
/// nothing; a new master announces with keepalived's burst and delay and forwards at once, also
/// the connections its backup sync received.
/// </summary>
public class DirectorRoleDataPathTests
{
    private static readonly uint Vip = DataPathHarness.Vip;

    [Fact]
    public void Backup_DoesNotAnswerArpForTheVip_NorForward()
    {
        var node = new Node(DirectorRole.Backup);
        node.Feed(FrameBuilder.Arp(ArpOperation.Request, DataPathHarness.ClientMac, DataPathHarness.Client, MacAddress.Zero, Vip));
        node.Feed(node.ClientTcp(40000, TcpFlags.Syn));

        Assert.DoesNotContain(node.Device.Sent, IsArpReplyForVip);
        Assert.DoesNotContain(node.Device.Sent, IsGratuitousForVip);
        Assert.Equal(2, node.Processor.Counters.DropsByReason()[DropReason.Standby]);
        Assert.Equal(0, node.Processor.Counters.Forwarded);
    }

    [Fact]
    public void Master_AnswersArp_AndForwards()
    {
        var node = new Node(DirectorRole.Master);
        node.Device.Sent.Clear();
        node.Feed(FrameBuilder.Arp(ArpOperation.Request, DataPathHarness.ClientMac, DataPathHarness.Client, MacAddress.Zero, Vip));
        Assert.Contains(node.Device.Sent, IsArpReplyForVip);
        node.Feed(node.ClientTcp(40000, TcpFlags.Syn));
        Assert.Equal(1, node.Processor.Counters.Forwarded);
    }

    [Fact]
    public void BecomingMaster_SendsTheGarpBurst_ThenTheSecondBurstAfterTheDelay()
    {
        var node = new Node(DirectorRole.Backup, ha => ha with { GarpMasterRepeat = 3, GarpMasterDelay = TimeSpan.FromSeconds(5) });
        node.Device.Sent.Clear();
        node.Role.Set(DirectorRole.Master);
        node.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(3, node.Device.Sent.Count(IsGratuitousForVip));

        node.Advance(TimeSpan.FromSeconds(4.5));
        Assert.Equal(3, node.Device.Sent.Count(IsGratuitousForVip));
        node.Advance(TimeSpan.FromSeconds(0.75));
        Assert.Equal(6, node.Device.Sent.Count(IsGratuitousForVip));

        // No refresh configured: nothing more.
        node.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(6, node.Device.Sent.Count(IsGratuitousForVip));

        // The new master answers ARP and forwards from its next frame.
        node.Feed(node.ClientTcp(40001, TcpFlags.Syn));
        Assert.Equal(1, node.Processor.Counters.Forwarded);
    }

    [Fact]
    public void MasterToBackup_StopsAnsweringAtTheNextBatch()
    {
        var node = new Node(DirectorRole.Master);
        node.Role.Set(DirectorRole.Fault);
        node.Advance(TimeSpan.FromMilliseconds(1));
        node.Device.Sent.Clear();
        node.Feed(FrameBuilder.Arp(ArpOperation.Request, DataPathHarness.ClientMac, DataPathHarness.Client, MacAddress.Zero, Vip));
        Assert.Empty(node.Device.Sent);
    }

    [Fact]
    public void SyncedConnection_IsForwardedByTheBackupAfterTakeover_WithoutASyn()
    {
        var master = new Node(DirectorRole.Master, sync: true);
        var backup = new Node(DirectorRole.Backup, sync: true);
        master.Hub.Master = new SyncMasterSettings(Version: 1, Threshold: 3, Period: 50);
        master.Advance(TimeSpan.FromMilliseconds(1));

        // SYN, then two ACKs: the third client packet of an ESTABLISHED connection is synced (3 % 50 == 3).
        master.Feed(master.ClientTcp(40002, TcpFlags.Syn));
        master.Feed(master.ClientTcp(40002, TcpFlags.Ack));
        Assert.Equal(0, master.Hub.Outbound[0].Count);
        master.Feed(master.ClientTcp(40002, TcpFlags.Ack));
        Assert.Equal(1, master.Hub.Outbound[0].Count);

        // The wire in between: encode as the sync thread does, decode as the backup thread does.
        var writer = new SyncMessageWriter(1, 1472, 0);
        while (master.Hub.Outbound[0].TryDequeue(out var record))
        {
            Assert.True(writer.TryAdd(record));
        }

        var received = new SyncConnection[255];
        Assert.Equal(SyncMessageStatus.Accepted, new SyncMessageReader().Read(writer.Message, 0, received, out var count));
        Assert.Equal(1, count);
        Assert.True(backup.Hub.Deliver(received[0], 0));
        backup.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, backup.Hub.Counters.ConnectionsApplied);
        Assert.Equal(1, backup.Processor.Table.Count);
        var entry = backup.Processor.ListConnections().Single();
        Assert.Equal(LvsNet.Core.Connections.ConnectionState.Established, entry.State);
        Assert.InRange(entry.Expires, TimeSpan.FromSeconds(899), TimeSpan.FromSeconds(900));

        // While backup: dropped. After takeover: the next ACK (no SYN) goes to the same real server.
        backup.Feed(backup.ClientTcp(40002, TcpFlags.Ack));
        Assert.Equal(0, backup.Processor.Counters.Forwarded);
        backup.Role.Set(DirectorRole.Master);
        backup.Advance(TimeSpan.FromMilliseconds(1));
        backup.Device.Sent.Clear();
        backup.Feed(backup.ClientTcp(40002, TcpFlags.Ack));
        Assert.Equal(1, backup.Processor.Counters.Forwarded);
        Assert.Equal(MacAddress.Read(master.Device.Sent[^1]), MacAddress.Read(backup.Device.Sent[^1]));
    }

    [Fact]
    public void SyncedRecord_ForAServerThisDirectorLacks_IsCountedNotCreated()
    {
        var backup = new Node(DirectorRole.Backup, sync: true);
        var record = new SyncConnection(IpProtocol.Tcp, IpvsConnectionFlags.DirectRoute | IpvsConnectionFlags.Sync, 1,
            DataPathHarness.Client, 40003, Vip, 80, Ipv4Address.Parse("10.77.0.99"), 80, 0, 900);
        backup.Hub.Deliver(record, 0);
        backup.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, backup.Processor.Table.Count);
        Assert.Equal(1, backup.Hub.Counters.ConnectionsWithoutServer);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    public void SyncOnBothSides_AllocatesNothingPerPacket(int refreshSeconds)
    {
        var master = new Node(DirectorRole.Master, sync: true);
        var backup = new Node(DirectorRole.Backup, sync: true);
        master.Hub.Master = new SyncMasterSettings(Version: 1, Threshold: 3, Period: 50)
        {
            RefreshPeriodTicks = (uint)(refreshSeconds * ConnectionClock.TicksPerSecond),
            Retries = refreshSeconds > 0 ? 3 : 0,
        };
        master.Advance(TimeSpan.FromMilliseconds(1));
        master.Device.Record = false;
        backup.Device.Record = false;
        const int Flows = 500;
        var frames = new List<byte[]>(Flows);
        for (var i = 0; i < Flows; i++)
        {
            var port = (ushort)(20000 + i);
            master.Feed(master.ClientTcp(port, TcpFlags.Syn));
            frames.Add(master.ClientTcp(port, TcpFlags.Ack));
        }

        void Round(int count)
        {
            for (var i = 0; i < count; i++)
            {
                if (i % 64 == 0)
                {
                    master.Processor.BeginBatch();
                    backup.Processor.BeginBatch();
                }

                var frame = frames[i % frames.Count];
                master.Processor.OnFrame(frame, frame.Length);

                // What the sync threads do in between: take the master's records, hand them to the backup.
                while (master.Hub.Outbound[0].TryDequeue(out var record))
                {
                    backup.Hub.Deliver(record, 0);
                }
            }
        }

        Round(20_000);
        var sent = master.Hub.Counters.QueueDropped;
        var before = AllocationMeter.Start();
        Round(100_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(sent, master.Hub.Counters.QueueDropped);
        Assert.Equal(Flows, backup.Processor.Table.Count);
        // Packets 3 and 53 of each flow; with a refresh period the clock stands still here, so 53 is too soon after 3.
        var expected = refreshSeconds > 0 ? Flows : 2 * Flows;
        Assert.True(backup.Hub.Counters.ConnectionsApplied >= expected, $"{backup.Hub.Counters.ConnectionsApplied} applied");
    }

    private static bool IsArpReplyForVip(byte[] frame) =>
        EthernetHeader.TryParse(frame, out var eth) && eth.EtherType == EtherType.Arp && ArpPacket.TryParse(eth.Payload, out var arp)
        && arp.Operation == ArpOperation.Reply && arp.SenderIp == Vip;

    private static bool IsGratuitousForVip(byte[] frame) =>
        EthernetHeader.TryParse(frame, out var eth) && eth.EtherType == EtherType.Arp && ArpPacket.TryParse(eth.Payload, out var arp)
        && arp.Operation == ArpOperation.Request && arp.SenderIp == Vip && arp.TargetIp == Vip;

    /// <summary>One director: a processor with a role (and a sync hub), its fake device and clock.</summary>
    private sealed class Node
    {
        public Node(DirectorRole role, Func<HighAvailabilityConfig, HighAvailabilityConfig>? ha = null, bool sync = false)
        {
            Role = new DirectorRoleState(role, Time);
            Hub = new SyncHub(1, 64);
            var config = DataPathHarness.Config("rr", (DataPathHarness.Rs1, 1), (DataPathHarness.Rs2, 1));
            config = config with { HighAvailability = ha?.Invoke(new HighAvailabilityConfig()) ?? new HighAvailabilityConfig() };
            Runtime.Apply(config);
            Processor = new PacketProcessor(Runtime, new FrameTransmitter(Device), new DataPathOptions
            {
                Mac = DataPathHarness.DirectorMac,
                Address = DataPathHarness.Dip,
                TableCapacity = 1024,
                Role = Role,
                Sync = sync ? Hub : null,
            }, Time);
            Processor.BeginBatch();
            Feed(FrameBuilder.Arp(ArpOperation.Reply, DataPathHarness.Rs1Mac, DataPathHarness.Rs1, DataPathHarness.DirectorMac, DataPathHarness.Dip));
            Feed(FrameBuilder.Arp(ArpOperation.Reply, DataPathHarness.Rs2Mac, DataPathHarness.Rs2, DataPathHarness.DirectorMac, DataPathHarness.Dip));
        }

        public LvsRuntime Runtime { get; } = new();

        public FakeInjectionDevice Device { get; } = new();

        public TestTimeProvider Time { get; } = new();

        public DirectorRoleState Role { get; }

        public SyncHub Hub { get; }

        public PacketProcessor Processor { get; }

        public void Feed(byte[] frame)
        {
            Processor.OnFrame(frame, frame.Length);
        }

        public void Advance(TimeSpan delta)
        {
            Time.Advance(delta);
            Processor.BeginBatch();
        }

        public byte[] ClientTcp(ushort port, TcpFlags flags) =>
            FrameBuilder.Tcp(DataPathHarness.DirectorMac, DataPathHarness.ClientMac, DataPathHarness.Client, port, Vip, 80, flags);
    }
}
