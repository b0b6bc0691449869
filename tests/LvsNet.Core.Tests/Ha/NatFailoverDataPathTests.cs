using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath;
using LvsNet.Core.Ha;
using LvsNet.Core.Runtime;
using LvsNet.Core.Sync;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;

namespace LvsNet.Core.Tests.Ha;

/// <summary>
/// What NAT and FULLNAT need to survive a takeover, through the data path of two directors with
/// the sync wire in between: a floating gateway address that only the master answers and
/// announces, NAT replies un-NATed by the new master, and FULLNAT connections carrying their local
/// address, local port and TOA state, the port reserved on the backup.
/// </summary>
public class NatFailoverDataPathTests
{
    private static readonly uint Gateway = Ipv4Address.Parse("10.77.0.254");
    private static readonly uint Local = Ipv4Address.Parse("10.77.0.50");

    [Fact]
    public void FloatingAddress_IsAnsweredAndAnnouncedOnlyByTheMaster()
    {
        var backup = new Node(DirectorRole.Backup, ForwardingMethod.Nat);
        backup.Feed(FrameBuilder.Arp(ArpOperation.Request, Rs1Mac, Rs1, MacAddress.Zero, Gateway));
        Assert.DoesNotContain(backup.Device.Sent, f => IsArp(f, ArpOperation.Reply, Gateway));
        Assert.DoesNotContain(backup.Device.Sent, f => IsArp(f, ArpOperation.Request, Gateway));

        backup.Role.Set(DirectorRole.Master);
        backup.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(5, backup.Device.Sent.Count(f => IsArp(f, ArpOperation.Request, Gateway)));
        backup.Feed(FrameBuilder.Arp(ArpOperation.Request, Rs1Mac, Rs1, MacAddress.Zero, Gateway));
        var reply = backup.Device.Sent.Last(f => IsArp(f, ArpOperation.Reply, Gateway));
        Assert.True(EthernetHeader.TryParse(reply, out var eth));
        Assert.True(ArpPacket.TryParse(eth.Payload, out var arp));
        Assert.Equal(DirectorMac, arp.SenderMac);
        Assert.Equal(Rs1, arp.TargetIp);
    }

    [Fact]
    public void Nat_SyncedConnection_ItsRepliesAreUnNatedByTheNewMaster()
    {
        var (master, backup) = Pair(ForwardingMethod.Nat);
        Handshake(master, 40010);
        Transfer(master, backup);
        Assert.Equal(1, backup.Processor.Table.Count);

        // A reply while backup: dropped. After takeover: un-NATed to VIP:80 → client.
        var reply = FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, 8080, Client, 40010, TcpFlags.Ack, 100);
        backup.Device.Sent.Clear();
        backup.Feed(reply);
        Assert.Empty(backup.Device.Sent);
        backup.Role.Set(DirectorRole.Master);
        backup.Advance(TimeSpan.FromMilliseconds(1));
        backup.Device.Sent.Clear();
        backup.Feed(reply);
        var sent = Assert.Single(backup.Device.Sent);
        var ip = Ip(sent);
        Assert.Equal((Vip, Client), (ip.Source, ip.Destination));
        Assert.True(TcpHeader.TryParse(ip.Payload, out var tcp));
        Assert.Equal((80, 40010), (tcp.SourcePort, tcp.DestinationPort));
    }

    [Fact]
    public void FullNat_SyncedConnection_KeepsItsLocalPortAndToa_AndThePortIsReserved()
    {
        var (master, backup) = Pair(ForwardingMethod.FullNat);
        Handshake(master, 40020);
        var index = master.Processor.Table.Find(new ConnectionKey(IpProtocol.Tcp, Client, 40020, Vip, 80));
        var masterEntry = master.Processor.Table[index];
        Assert.Equal(Local, masterEntry.LocalAddress);
        Assert.NotEqual(0, (int)(masterEntry.Flags & ConnectionFlags.ToaDone));
        Transfer(master, backup);

        var synced = backup.Processor.Table[backup.Processor.Table.Find(new ConnectionKey(IpProtocol.Tcp, Client, 40020, Vip, 80))];
        Assert.Equal((masterEntry.LocalAddress, masterEntry.LocalPort), (synced.LocalAddress, synced.LocalPort));
        Assert.NotEqual(0, (int)(synced.Flags & ConnectionFlags.ToaDone));
        Assert.True(backup.Processor.Table.LocalPorts.IsInUse(IpProtocol.Tcp, Local, masterEntry.LocalPort));

        backup.Role.Set(DirectorRole.Master);
        backup.Advance(TimeSpan.FromMilliseconds(1));
        backup.Device.Sent.Clear();

        // The real server's reply to LIP:lport goes back to the client from VIP:80.
        backup.Feed(FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, 8080, Local, masterEntry.LocalPort, TcpFlags.Ack, 100));
        var reply = Ip(Assert.Single(backup.Device.Sent));
        Assert.Equal((Vip, Client), (reply.Source, reply.Destination));
        backup.Device.Sent.Clear();

        // The client's next segment goes to the real server from the same LIP:lport, without a second TOA option.
        backup.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, 40020, Vip, 80, TcpFlags.Ack, 10));
        var request = Ip(Assert.Single(backup.Device.Sent));
        Assert.Equal((Local, Rs1), (request.Source, request.Destination));
        Assert.True(TcpHeader.TryParse(request.Payload, out var tcp));
        Assert.Equal(masterEntry.LocalPort, tcp.SourcePort);
        Assert.Equal(TcpHeader.MinLength, tcp.HeaderLength);
        Assert.Equal(0, backup.Processor.Counters.ToaInserted);

        // New connections on the new master never get the synced port.
        for (var port = 41000; port < 41200; port++)
        {
            backup.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, (ushort)port, Vip, 80, TcpFlags.Syn));
            var entry = backup.Processor.Table[backup.Processor.Table.Find(new ConnectionKey(IpProtocol.Tcp, Client, (ushort)port, Vip, 80))];
            Assert.NotEqual(masterEntry.LocalPort, entry.LocalPort);
        }
    }

    [Fact]
    public void FullNat_SyncedPortHeldByAStaleConnection_FreesTheStaleOne()
    {
        var (master, backup) = Pair(ForwardingMethod.FullNat);

        // The backup was master once: it holds a connection of its own on the port the master will hand out next.
        backup.Role.Set(DirectorRole.Master);
        backup.Advance(TimeSpan.FromMilliseconds(1));
        backup.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, 39999, Vip, 80, TcpFlags.Syn));
        backup.Role.Set(DirectorRole.Backup);
        backup.Advance(TimeSpan.FromMilliseconds(1));
        var stale = backup.Processor.Table[backup.Processor.Table.Find(new ConnectionKey(IpProtocol.Tcp, Client, 39999, Vip, 80))];

        Handshake(master, 40030);
        var port = master.Processor.Table[master.Processor.Table.Find(new ConnectionKey(IpProtocol.Tcp, Client, 40030, Vip, 80))].LocalPort;
        Assert.Equal(stale.LocalPort, port);
        Transfer(master, backup);
        Assert.Equal(-1, backup.Processor.Table.Find(new ConnectionKey(IpProtocol.Tcp, Client, 39999, Vip, 80)));
        Assert.Equal(port, backup.Processor.Table[backup.Processor.Table.Find(new ConnectionKey(IpProtocol.Tcp, Client, 40030, Vip, 80))].LocalPort);
    }

    [Fact]
    public void FullNat_SyncedPortOfAnotherWorker_IsCountedAndNotKept()
    {
        var backup = new Node(DirectorRole.Backup, ForwardingMethod.FullNat, workers: 2, workerIndex: 0);

        // Worker 0 of 2 hands out even ports only: port 40001 would be steered to worker 1.
        var record = new SyncConnection(IpProtocol.Tcp, IpvsConnectionFlags.FullNat | IpvsConnectionFlags.Sync, 1, Client, 40040, Vip, 80, Rs1, 8080, 0, 900)
        {
            LocalAddress = Local,
            LocalPort = 40001,
        };
        backup.Hub.Deliver(record, 0);
        backup.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, backup.Processor.Table.Count);
        Assert.Equal(1, backup.Hub.Counters.LocalPortNotOurs);
        Assert.False(backup.Processor.Table.LocalPorts.IsInUse(IpProtocol.Tcp, Local, 40001));
    }

    private static (Node Master, Node Backup) Pair(ForwardingMethod method)
    {
        var master = new Node(DirectorRole.Master, method);
        var backup = new Node(DirectorRole.Backup, method);
        master.Hub.Master = new SyncMasterSettings(Version: 1, Threshold: 3, Period: 50);
        master.Advance(TimeSpan.FromMilliseconds(1));
        return (master, backup);
    }

    // SYN, then two ACKs: the third client packet of an ESTABLISHED connection is synced.
    private static void Handshake(Node master, ushort port)
    {
        master.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, port, Vip, 80, TcpFlags.Syn));
        master.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, port, Vip, 80, TcpFlags.Ack));
        master.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, port, Vip, 80, TcpFlags.Ack, 10));
        Assert.Equal(1, master.Hub.Outbound[0].Count);
    }

    // The wire in between: encoded as the master's sync thread does, decoded as the backup's does.
    private static void Transfer(Node master, Node backup)
    {
        var writer = new SyncMessageWriter(1, 1472, 0);
        while (master.Hub.Outbound[0].TryDequeue(out var record))
        {
            Assert.True(writer.TryAdd(record));
        }

        var received = new SyncConnection[255];
        Assert.Equal(SyncMessageStatus.Accepted, new SyncMessageReader().Read(writer.Message, 0, received, out var count));
        for (var i = 0; i < count; i++)
        {
            Assert.True(backup.Hub.Deliver(received[i], 0));
        }

        backup.Advance(TimeSpan.FromMilliseconds(1));
    }

    private static Ipv4Header Ip(byte[] frame)
    {
        Assert.True(EthernetHeader.TryParse(frame, out var eth));
        Assert.True(Ipv4Header.TryParse(eth.Payload, out var ip));
        return ip;
    }

    private static bool IsArp(byte[] frame, ArpOperation operation, uint sender) =>
        EthernetHeader.TryParse(frame, out var eth) && eth.EtherType == EtherType.Arp && ArpPacket.TryParse(eth.Payload, out var arp)
        && arp.Operation == operation && arp.SenderIp == sender;

    /// <summary>One director of a NAT or FULLNAT pair: a processor with a role and a sync hub, its fake device and clock.</summary>
    internal sealed class Node
    {
        public Node(DirectorRole role, ForwardingMethod method, int workers = 1, int workerIndex = 0)
        {
            Role = new DirectorRoleState(role, Time);
            Hub = new SyncHub(1, 64);
            var config = EditService(Config("rr", (Rs1, 1), (Rs2, 1)), s => s with
            {
                LocalAddresses = method == ForwardingMethod.FullNat ? [Local] : [],
                Toa = method == ForwardingMethod.FullNat,
                RealServers = [.. s.RealServers.Select(r => r with { Method = method, Port = 8080 })],
            });
            config = config with { HighAvailability = new HighAvailabilityConfig { FloatingAddresses = [Gateway] } };
            Runtime.Apply(config);
            Processor = new PacketProcessor(Runtime, new FrameTransmitter(Device), new DataPathOptions
            {
                Mac = DirectorMac,
                Address = Dip,
                TableCapacity = 1024,
                Role = Role,
                Sync = Hub,
                WorkerIndex = workerIndex,
                WorkerCount = workers,
            }, Time);
            Processor.BeginBatch();
            Feed(FrameBuilder.Arp(ArpOperation.Reply, Rs1Mac, Rs1, DirectorMac, Dip));
            Feed(FrameBuilder.Arp(ArpOperation.Reply, Rs2Mac, Rs2, DirectorMac, Dip));
            Processor.Neighbours.TryResolve(Client, Processor.Now, out _);
            Feed(FrameBuilder.Arp(ArpOperation.Reply, ClientMac, Client, DirectorMac, Dip));
            Device.Sent.Clear();
        }

        public LvsRuntime Runtime { get; } = new();

        public FakeInjectionDevice Device { get; } = new();

        public TestTimeProvider Time { get; } = new();

        public DirectorRoleState Role { get; }

        public SyncHub Hub { get; }

        public PacketProcessor Processor { get; }

        public void Feed(byte[] frame) => Processor.OnFrame(frame, frame.Length);

        public void Advance(TimeSpan delta)
        {
            Time.Advance(delta);
            Processor.BeginBatch();
        }
    }
}
