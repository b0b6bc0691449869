using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath;
using LvsNet.Core.Ha;
using LvsNet.Core.Runtime;
using LvsNet.Core.Sync;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.Ipv6.Ipv6Harness;

namespace LvsNet.Core.Tests.Sync;

/// <summary>
/// IPv6 connections over the sync protocol version 1: the record against bytes written out by hand
/// from the kernel's <c>struct ip_vs_sync_v6</c> (net/netfilter/ipvs/ip_vs_sync.c: type with
/// STYPE_F_INET6, protocol, ver_size, flags, state, cport, vport, dport, fwmark, timeout, then caddr,
/// vaddr and daddr as in6_addr: 72 bytes), and two IPv6 directors with the wire in between.
/// </summary>
public class Ipv6SyncTests
{
    private static readonly SyncConnection Established6 = new(
        IpProtocol.Tcp, IpvsConnectionFlags.DirectRoute | IpvsConnectionFlags.NoOutput, 1, 0, 50000, 0, 80, 0, 80, 0, 900)
    {
        IsIpv6 = true,
        ClientAddress6 = Ipv6Address.Parse("2001:db8::10"),
        VirtualAddress6 = Ipv6Address.Parse("2001:db8::100"),
        ServerAddress6 = Ipv6Address.Parse("2001:db8::11"),
    };

    // struct ip_vs_sync_mesg (8 bytes) + struct ip_vs_sync_v6 (72 bytes).
    private const string V1Ipv6Message =
        "00" + "07" + "0050" + "01" + "01" + "0000" +   // reserved, syncid 7, size 80, nr_conns 1, version 1, spare
        "01" + "06" + "0048" +                          // type STYPE_F_INET6, TCP, ver_size: version 0, size 72
        "00000083" +                                    // flags: DROUTE | NOOUTPUT
        "0001" + "c350" + "0050" + "0050" +             // ESTABLISHED, cport 50000, vport 80, dport 80
        "00000000" + "00000384" +                       // fwmark 0, timeout 900 s
        "20010db8000000000000000000000010" +            // caddr 2001:db8::10
        "20010db8000000000000000000000100" +            // vaddr 2001:db8::100
        "20010db8000000000000000000000011";             // daddr 2001:db8::11

    // An IPv4 record (struct ip_vs_sync_v4) then the IPv6 one, in one message.
    private const string MixedMessage =
        "00" + "00" + "0074" + "02" + "01" + "0000" +   // size 8 + 36 + 72 = 116
        "00" + "11" + "0024" + "00000000" + "0000" + "1388" + "0035" + "14e9" + "00000000" + "0000012c" +
        "0a4d000a" + "0a4d0064" + "0a4d000b" +          // UDP 10.77.0.10:5000 -> 10.77.0.100:53 -> 10.77.0.11:5353 (NAT), 300 s
        "01" + "06" + "0048" + "00000083" + "0001" + "c350" + "0050" + "0050" + "00000000" + "00000384" +
        "20010db8000000000000000000000010" + "20010db8000000000000000000000100" + "20010db8000000000000000000000011";

    [Fact]
    public void Writer_Ipv6Record_MatchesTheKernelLayout()
    {
        var writer = new SyncMessageWriter(version: 1, maxLength: 1472, syncId: 7);
        Assert.True(writer.TryAdd(Established6));
        Assert.Equal(Convert.FromHexString(V1Ipv6Message), writer.Message.ToArray());
    }

    [Fact]
    public void Reader_ReadsTheKernelIpv6Layout_AndAMixedMessage()
    {
        var reader = new SyncMessageReader();
        var output = new SyncConnection[255];
        Assert.Equal(SyncMessageStatus.Accepted, reader.Read(Convert.FromHexString(V1Ipv6Message), 0, output, out var count));
        Assert.Equal(1, count);
        Assert.Equal(Established6 with { Flags = Established6.Flags | IpvsConnectionFlags.Sync }, output[0]);

        Assert.Equal(SyncMessageStatus.Accepted, reader.Read(Convert.FromHexString(MixedMessage), 0, output, out count));
        Assert.Equal(2, count);
        Assert.Equal(0, reader.Skipped);
        Assert.False(output[0].IsIpv6);
        Assert.Equal((IpProtocol.Udp, 0x0A4D000Au, (ushort)5353, 300u), (output[0].Protocol, output[0].ClientAddress, output[0].ServerPort, output[0].TimeoutSeconds));
        Assert.True(output[1].IsIpv6);
        Assert.Equal(Established6.ServerAddress6, output[1].ServerAddress6);
    }

    [Fact]
    public void Reader_TruncatedIpv6Record_IsMalformed_NeverThrows()
    {
        var bytes = Convert.FromHexString(V1Ipv6Message);
        var output = new SyncConnection[255];
        for (var cut = 8; cut < bytes.Length; cut++)
        {
            var truncated = bytes[..cut];
            truncated[2] = (byte)(cut >> 8);
            truncated[3] = (byte)cut;
            Assert.NotEqual(SyncMessageStatus.Accepted, new SyncMessageReader().Read(truncated, 0, output, out _));
        }

        // A record that claims to be IPv6 but is only as long as an IPv4 one.
        var shortRecord = Convert.FromHexString("00000030010100000106002400000083" + "0001c35000500050" + "0000000000000384" + "20010db8000000000000000000000010");
        Assert.Equal(SyncMessageStatus.Malformed, new SyncMessageReader().Read(shortRecord, 0, output, out _));
    }

    [Fact]
    public void Version0_LeavesIpv6Out_AsTheKernelDoes()
    {
        var writer = new SyncMessageWriter(version: 0, maxLength: 1472, syncId: 0);
        Assert.True(writer.TryAdd(Established6));
        Assert.Equal(0, writer.Count);
        Assert.Equal(SyncWire.HeaderV0Length, writer.Message.Length);
    }

    [Theory]
    [InlineData(ForwardingMethod.DirectRouting)]
    [InlineData(ForwardingMethod.Nat)]
    public void SyncedIpv6Connection_IsForwardedByTheNewMaster_WithoutAHandshake(ForwardingMethod method)
    {
        var (master, backup) = Pair(method);
        Handshake(master, 40010);
        var record = master.Peek();
        Assert.True(record.IsIpv6);
        Assert.Equal((1, 900u), (record.State, record.TimeoutSeconds));
        Transfer(master, backup);

        var index = backup.Processor.Table6.Find(new Ipv6ConnectionKey(IpProtocol.Tcp, Client, 40010, Vip, 80));
        Assert.True(index >= 0);
        var entry = backup.Processor.Table6[index];
        Assert.Equal(ConnectionState.Established, entry.State);
        Assert.Equal(Rs1, backup.Runtime.Current!.ServersById[entry.RealServerId]!.Address6);

        // The backup forwards nothing; once master, the client's next segment goes to Rs1 without a SYN.
        var ack = Tcp(Client, 40010, TcpFlags.Ack, payload: 10);
        backup.Feed(ack);
        Assert.Empty(backup.Device.Sent);
        backup.Role.Set(DirectorRole.Master);
        backup.Advance(TimeSpan.FromMilliseconds(1));
        backup.Device.Sent.Clear();
        backup.Feed(ack);
        var sent = Assert.Single(backup.Device.Sent);
        Assert.Equal(Rs1Mac, MacAddress.Read(sent));
        Assert.Equal(method == ForwardingMethod.Nat ? Rs1 : Vip, Ipv6Address.Read(sent.AsSpan(14 + 24)));
        if (method == ForwardingMethod.Nat)
        {
            // The real server's reply is un-NATed by the new master.
            backup.Processor.Neighbours6.TryResolve(Client, backup.Processor.Now, out _);
            backup.Feed(Advertisement(Client, ClientMac, solicited: true));
            backup.Device.Sent.Clear();
            backup.Feed(TcpReply(Rs1, Rs1Mac, Client, 40010, TcpFlags.Ack, payload: 5));
            var reply = Assert.Single(backup.Device.Sent);
            Assert.Equal(Vip, Ipv6Address.Read(reply.AsSpan(14 + 8)));
        }
    }

    [Fact]
    public void Ipv6Template_IsSynced_AndPinsTheClientPrefixOnTheNewMaster()
    {
        var (master, backup) = Pair(ForwardingMethod.DirectRouting, persistent: true);
        Handshake(master, 40020);
        var records = master.Drain();
        // With a period, the kernel sends the template with every packet it counts (three here; it
        // turns ASSURED once its connection is established), always the same client prefix and server.
        var templates = records.Where(r => r.IsTemplate).ToList();
        Assert.Equal(3, templates.Count);
        Assert.Single(templates.Select(t => (t.ClientAddress6, t.VirtualAddress6, t.VirtualPort, t.ServerAddress6)).Distinct());
        var template = templates[^1];
        Assert.Equal(1, template.State);
        Assert.Equal(Client.Mask(64), template.ClientAddress6);
        Assert.Equal(0, template.ClientPort);
        Transfer(records, backup);

        // On the new master, another client of the same /64 goes to the template's server.
        var templateIndex = backup.Processor.Table6.FindTemplate(IpProtocol.Tcp, Client.Mask(64), Vip, 80);
        Assert.True(templateIndex >= 0);
        var server = backup.Runtime.Current!.ServersById[backup.Processor.Table6[templateIndex].RealServerId]!;
        backup.Role.Set(DirectorRole.Master);
        backup.Advance(TimeSpan.FromMilliseconds(1));
        backup.Device.Sent.Clear();
        var neighbour = new Ipv6Address(Client.Value + 0x1234);
        for (ushort port = 41000; port < 41006; port++)
        {
            backup.Feed(Tcp(neighbour, port, TcpFlags.Syn));
        }

        Assert.Equal(6, backup.Device.Sent.Count);
        Assert.All(backup.Device.Sent, f => Assert.Equal(server.Address6 == Rs1 ? Rs1Mac : Rs2Mac, MacAddress.Read(f)));
    }

    [Fact]
    public void Ipv6FirewallMarkConnectionAndTemplate_AreSyncedByTheirMark_AndPinTheClientOnTheNewMaster()
    {
        var (master, backup) = Pair(ForwardingMethod.DirectRouting, persistent: true, fwmark: true);
        Handshake(master, 40030);
        var records = master.Drain();

        // As the kernel sends them: every record names the mark; the template has protocol IP (0),
        // the client's /64, port 0 and the mark in the virtual address (ip_vs_sched_persist).
        Assert.All(records, r => Assert.Equal(5u, r.Fwmark));
        var template = records.Last(r => r.IsTemplate);
        Assert.Equal((IpProtocol)0, template.Protocol);
        Assert.Equal(new Ipv6Address((UInt128)5 << 96), template.VirtualAddress6);
        Assert.Equal(0, template.VirtualPort);
        Assert.Contains(records, r => !r.IsTemplate && r.Protocol == IpProtocol.Tcp && r.VirtualAddress6 == Vip && r.VirtualPort == 80);
        Transfer(records, backup);

        // The backup holds both, bound to the mark service's server.
        var index = backup.Processor.Table6.Find(new Ipv6ConnectionKey(IpProtocol.Tcp, Client, 40030, Vip, 80));
        Assert.True(index >= 0);
        var templateIndex = backup.Processor.Table6.FindTemplate(0, Client.Mask(64), new Ipv6Address((UInt128)5 << 96), 0);
        Assert.True(templateIndex >= 0);
        var server = backup.Runtime.Current!.ServersById[backup.Processor.Table6[templateIndex].RealServerId]!;
        Assert.Equal(server.Id, backup.Processor.Table6[index].RealServerId);

        // Once master: the synced connection's next segment and new clients of the same /64 go there.
        backup.Role.Set(DirectorRole.Master);
        backup.Advance(TimeSpan.FromMilliseconds(1));
        backup.Device.Sent.Clear();
        backup.Feed(Tcp(Client, 40030, TcpFlags.Ack, payload: 10));
        var neighbour = new Ipv6Address(Client.Value + 0x1234);
        for (ushort port = 41000; port < 41004; port++)
        {
            backup.Feed(Tcp(neighbour, port, TcpFlags.Syn));
        }

        Assert.Equal(5, backup.Device.Sent.Count);
        Assert.All(backup.Device.Sent, f => Assert.Equal(server.Address6 == Rs1 ? Rs1Mac : Rs2Mac, MacAddress.Read(f)));
    }

    [Fact]
    public void Ipv6FullNatConnection_IsSynced_WithItsLocalBinding()
    {
        var (master, _) = Pair(ForwardingMethod.FullNat);
        master.Feed(Tcp(Client, 40030, TcpFlags.Syn));
        master.Feed(Tcp(Client, 40030, TcpFlags.Ack));
        master.Feed(Tcp(Client, 40030, TcpFlags.Ack, payload: 10));
        Assert.Equal(1, master.Processor.Table6.Count);
        var record = master.Peek();
        var entry = master.Processor.Table6[master.Processor.Table6.Find(new Ipv6ConnectionKey(IpProtocol.Tcp, Client, 40030, Vip, 80))];
        Assert.Equal((entry.LocalAddress, entry.LocalPort), (record.LocalAddress6, record.LocalPort));
    }

    private static (Node Master, Node Backup) Pair(ForwardingMethod method, bool persistent = false, bool fwmark = false)
    {
        var master = new Node(DirectorRole.Master, method, persistent, fwmark);
        var backup = new Node(DirectorRole.Backup, method, persistent, fwmark);
        master.Hub.Master = new SyncMasterSettings(Version: 1, Threshold: 3, Period: 50);
        master.Advance(TimeSpan.FromMilliseconds(1));
        return (master, backup);
    }

    // SYN, then two ACKs: the third client packet of an ESTABLISHED connection is synced.
    private static void Handshake(Node master, ushort port)
    {
        master.Feed(Tcp(Client, port, TcpFlags.Syn));
        master.Feed(Tcp(Client, port, TcpFlags.Ack));
        master.Feed(Tcp(Client, port, TcpFlags.Ack, payload: 10));
        Assert.True(master.Hub.Outbound[0].Count >= 1);
    }

    private static void Transfer(Node master, Node backup) => Transfer(master.Drain(), backup);

    // The wire in between: encoded as the master's sync thread does, decoded as the backup's does.
    private static void Transfer(List<SyncConnection> records, Node backup)
    {
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
        Assert.Equal(count, backup.Hub.Counters.ConnectionsApplied);
    }

    /// <summary>One IPv6 director of a pair: a processor with a role and a sync hub.</summary>
    private sealed class Node
    {
        public Node(DirectorRole role, ForwardingMethod method, bool persistent, bool fwmark = false)
        {
            Role = new DirectorRoleState(role, Time);
            Hub = new SyncHub(1, 64);
            var name = method switch
            {
                ForwardingMethod.Nat => "nat",
                ForwardingMethod.FullNat => "fullnat",
                _ => "dr",
            };
            var port = method == ForwardingMethod.DirectRouting ? 80 : 8080;
            var extra = (persistent ? "\n    persistence_timeout: 300\n    persistence_netmask: /64" : string.Empty)
                + (method == ForwardingMethod.FullNat ? "\n    local_addresses: [2001:db8::50]" : string.Empty);
            // With fwmark the service is `ipvsadm -A -f 5 -6`, its mark given to the VIP's port 80.
            var marks = fwmark ? $"firewall_marks:\n  - mark: 5\n    destinations: [{Vip}]\n    ports: [80]\n" : string.Empty;
            var service = fwmark ? "- fwmark: 5\n    family: inet6" : $"- protocol: tcp\n    address: {Vip}\n    port: 80";
            Runtime.Apply(LvsConfigReader.Parse($"""
                director:
                  interface: fake0
                  address: 10.77.0.2/24
                  address6: 2001:db8::2/64
                {marks}virtual_services:
                  {service}
                    scheduler: rr{extra}
                    real_servers:
                      - address: {Rs1}
                        port: {port}
                        method: {name}
                      - address: {Rs2}
                        port: {port}
                        method: {name}
                """));
            Processor = new PacketProcessor(Runtime, new FrameTransmitter(Device), new DataPathOptions
            {
                Mac = DirectorMac,
                Address = Ipv4Address.Parse("10.77.0.2"),
                Address6 = Ipv6Address.Parse("2001:db8::2"),
                PrefixLength6 = 64,
                TableCapacity = 1024,
                Role = Role,
                Sync = Hub,
            }, Time);
            Processor.BeginBatch();
            Feed(Advertisement(Rs1, Rs1Mac, solicited: true));
            Feed(Advertisement(Rs2, Rs2Mac, solicited: true));
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

        public SyncConnection Peek()
        {
            var records = Drain();
            foreach (var record in records)
            {
                Assert.True(Hub.Outbound[0].TryEnqueue(record));
            }

            return records[0];
        }

        public List<SyncConnection> Drain()
        {
            var records = new List<SyncConnection>();
            while (Hub.Outbound[0].TryDequeue(out var record))
            {
                records.Add(record);
            }

            return records;
        }
    }
}
