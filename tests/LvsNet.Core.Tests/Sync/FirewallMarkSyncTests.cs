using LvsNet.Core.Configuration;
using LvsNet.Core.DataPath;
using LvsNet.Core.Ha;
using LvsNet.Core.Runtime;
using LvsNet.Core.Sync;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;

namespace LvsNet.Core.Tests.Sync;

/// <summary>
/// An IPv4 firewall-mark service (ipvsadm <c>-A -f 5 -p</c>) on two directors with the sync wire in
/// between: the master's records carry the mark, the template has protocol IP and the mark as its
/// virtual address (ip_vs_sched_persist), and the backup finds the service by the mark
/// (ip_vs_proc_conn), so the connection and the persistence survive the takeover.
/// </summary>
public class FirewallMarkSyncTests
{
    [Fact]
    public void FirewallMarkConnectionAndTemplate_AreSyncedByTheirMark_AndPinTheClientOnTheNewMaster()
    {
        var master = new Node(DirectorRole.Master);
        var backup = new Node(DirectorRole.Backup);
        master.Hub.Master = new SyncMasterSettings(Version: 1, Threshold: 3, Period: 50);
        master.Advance(TimeSpan.FromMilliseconds(1));

        // SYN, then two ACKs: the third client packet of an ESTABLISHED connection is synced, its template after it.
        master.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, 40010, Vip, 443, TcpFlags.Syn));
        master.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, 40010, Vip, 443, TcpFlags.Ack));
        master.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, 40010, Vip, 443, TcpFlags.Ack, 10));
        var records = new List<SyncConnection>();
        while (master.Hub.Outbound[0].TryDequeue(out var record))
        {
            records.Add(record);
        }

        Assert.All(records, r => Assert.Equal(5u, r.Fwmark));
        var template = records.Last(r => r.IsTemplate);
        Assert.Equal(((IpProtocol)0, 5u, (ushort)0), (template.Protocol, template.VirtualAddress, template.VirtualPort));
        Assert.Contains(records, r => !r.IsTemplate && r.Protocol == IpProtocol.Tcp && r.VirtualAddress == Vip && r.VirtualPort == 443);

        // The wire in between: encoded as the master's sync thread does, decoded as the backup's does.
        var writer = new SyncMessageWriter(1, 1472, 0);
        foreach (var record in records)
        {
            Assert.True(writer.TryAdd(record));
        }

        var received = new SyncConnection[255];
        Assert.Equal(SyncMessageStatus.Accepted, new SyncMessageReader().Read(writer.Message, 0, received, out var count));
        Assert.Equal(records.Count, count);
        for (var i = 0; i < count; i++)
        {
            Assert.True(backup.Hub.Deliver(received[i], 0));
        }

        backup.Advance(TimeSpan.FromMilliseconds(1));
        var index = backup.Processor.Table.Find(new LvsNet.Core.Connections.ConnectionKey(IpProtocol.Tcp, Client, 40010, Vip, 443));
        Assert.True(index >= 0);
        var templateIndex = backup.Processor.Table.FindTemplate(0, Client, 5, 0);
        Assert.True(templateIndex >= 0);
        var server = backup.Runtime.Current!.ServersById[backup.Processor.Table[templateIndex].RealServerId]!;
        Assert.Equal(server.Id, backup.Processor.Table[index].RealServerId);

        // Once master: the synced connection's next segment, and the same client's new connection
        // to the other marked port (http beside https, the reason for one mark), go to that server.
        backup.Role.Set(DirectorRole.Master);
        backup.Advance(TimeSpan.FromMilliseconds(1));
        backup.Device.Sent.Clear();
        backup.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, 40010, Vip, 443, TcpFlags.Ack, 10));
        backup.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, 40011, Vip, 80, TcpFlags.Syn));
        Assert.Equal(2, backup.Device.Sent.Count);
        Assert.All(backup.Device.Sent, f => Assert.Equal(server.Address == Rs1 ? Rs1Mac : Rs2Mac, MacAddress.Read(f)));
    }

    private sealed class Node
    {
        public Node(DirectorRole role)
        {
            Role = new DirectorRoleState(role, Time);
            Hub = new SyncHub(1, 64);
            Runtime.Apply(LvsConfigReader.Parse($"""
                director:
                  interface: fake0
                  address: 10.77.0.2/24
                firewall_marks:
                  - mark: 5
                    destinations: [{Ipv4Address.Format(Vip)}]
                    ports: [80, 443]
                virtual_services:
                  - fwmark: 5
                    scheduler: rr
                    persistence_timeout: 300
                    real_servers:
                      - address: {Ipv4Address.Format(Rs1)}
                      - address: {Ipv4Address.Format(Rs2)}
                """));
            Processor = new PacketProcessor(Runtime, new FrameTransmitter(Device), new DataPathOptions
            {
                Mac = DirectorMac,
                Address = Dip,
                TableCapacity = 1024,
                Role = Role,
                Sync = Hub,
            }, Time);
            Processor.BeginBatch();
            Feed(FrameBuilder.Arp(ArpOperation.Reply, Rs1Mac, Rs1, DirectorMac, Dip));
            Feed(FrameBuilder.Arp(ArpOperation.Reply, Rs2Mac, Rs2, DirectorMac, Dip));
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
