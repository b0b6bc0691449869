using System.Buffers.Binary;
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
/// The IPv6 connections whose sync needs more than <c>struct ip_vs_sync_v6</c>: IPv6 FULLNAT (LvsNet's
/// optional IPv6 local option), NAT64 (the IPv4 server in LvsNet's mandatory other-family option and
/// the IPv4 local option) and mixed-family tunnels. The expected bytes are written out by hand from
/// the kernel's record layout (net/netfilter/ipvs/ip_vs_sync.c) and the option table in
/// docs/high-availability.md; two directors with the wire in between show the new master forwarding
/// the connection, both directions, without a handshake.
/// </summary>
public class Ipv6SyncBindingTests
{
    private const int Eth = 14;
    private static readonly Ipv6Address Local6 = Ipv6Address.Parse("2001:db8::50");
    private static readonly uint Dip = Ipv4Address.Parse("10.77.0.2");
    private static readonly uint Local4 = Ipv4Address.Parse("10.77.0.50");
    private static readonly uint Rs1v4 = Ipv4Address.Parse("10.77.0.11");
    private static readonly uint Rs2v4 = Ipv4Address.Parse("10.77.0.12");
    private static readonly uint Vip4 = Ipv4Address.Parse("10.77.0.100");
    private static readonly uint Client4 = Ipv4Address.Parse("10.77.0.10");

    // 2001:db8::10 port 50000 -> [2001:db8::100]:80 -> [2001:db8::11]:8080, FULLNAT from [2001:db8::50]:4321.
    private const string FullNat6Message =
        "00" + "00" + "0066" + "01" + "01" + "0000" +   // header: size 8 + 94 = 102, one record
        "01" + "06" + "005e" +                          // STYPE_F_INET6, TCP, version 0, size 72 + 22 = 94
        "00000005" +                                    // flags: FULLNAT (5)
        "0001" + "c350" + "0050" + "1f90" +             // ESTABLISHED, cport 50000, vport 80, dport 8080
        "00000000" + "00000384" +                       // fwmark 0, timeout 900 s
        "20010db8000000000000000000000010" +            // caddr
        "20010db8000000000000000000000100" +            // vaddr
        "20010db8000000000000000000000011" +            // daddr
        "51" + "14" +                                   // option 0x11 | IPVS_OPT_F_PARAM (0x40), length 20
        "20010db8000000000000000000000050" + "10e1" +   // local address, local port 4321
        "01" + "00";                                    // TOA sent, zero

    // NAT64: the same client and VIP to 10.77.0.11:8080 from 10.77.0.50:4322.
    private const string Nat64Message =
        "00" + "00" + "0060" + "01" + "01" + "0000" +   // header: size 8 + 88 = 96
        "01" + "06" + "0058" +                          // STYPE_F_INET6, TCP, size 72 + 6 + 10 = 88
        "00000005" + "0001" + "c350" + "0050" + "1f90" + "00000000" + "00000384" +
        "20010db8000000000000000000000010" +
        "20010db8000000000000000000000100" +
        "00000000000000000000000000000000" +            // daddr zero: the server is IPv4
        "12" + "04" + "0a4d000b" +                      // mandatory option 0x12, length 4: server 10.77.0.11
        "50" + "08" + "0a4d0032" + "10e2" + "00" + "00"; // option 0x10 | 0x40, length 8: 10.77.0.50, port 4322, no TOA

    // A tunnel from the IPv4 VIP 10.77.0.100:80 (client 10.77.0.10:40000) to the IPv6 server [2001:db8::11]:80.
    private const string Tunnel4To6Message =
        "00" + "00" + "003e" + "01" + "01" + "0000" +   // header: size 8 + 54 = 62
        "00" + "06" + "0036" +                          // IPv4 record, TCP, size 36 + 18 = 54
        "00000082" + "0001" + "9c40" + "0050" + "0050" + "00000000" + "00000384" + // TUNNEL | NOOUTPUT
        "0a4d000a" + "0a4d0064" + "00000000" +          // caddr, vaddr, daddr zero
        "12" + "10" + "20010db8000000000000000000000011"; // mandatory option 0x12, length 16: the IPv6 server

    private static readonly SyncConnection FullNat6 = new(IpProtocol.Tcp, IpvsConnectionFlags.FullNat, 1, 0, 50000, 0, 80, 0, 8080, 0, 900)
    {
        IsIpv6 = true,
        ClientAddress6 = Client,
        VirtualAddress6 = Vip,
        ServerAddress6 = Rs1,
        LocalAddress6 = Local6,
        LocalPort = 4321,
        ToaDone = true,
    };

    private static readonly SyncConnection Nat64Record = new(IpProtocol.Tcp, IpvsConnectionFlags.FullNat, 1, 0, 50000, 0, 80, Rs1v4, 8080, 0, 900)
    {
        IsIpv6 = true,
        ClientAddress6 = Client,
        VirtualAddress6 = Vip,
        MixedFamily = true,
        LocalAddress = Local4,
        LocalPort = 4322,
    };

    private static readonly SyncConnection Tunnel4To6 = new(IpProtocol.Tcp, IpvsConnectionFlags.Tunnel | IpvsConnectionFlags.NoOutput, 1, Client4, 40000, Vip4, 80, 0, 80, 0, 900)
    {
        ServerAddress6 = Rs1,
        MixedFamily = true,
    };

    [Theory]
    [InlineData("fullnat6", FullNat6Message)]
    [InlineData("nat64", Nat64Message)]
    [InlineData("tun4to6", Tunnel4To6Message)]
    public void Writer_MatchesTheHandWrittenBytes_AndReaderReadsThemBack(string name, string hex)
    {
        var record = name switch { "fullnat6" => FullNat6, "nat64" => Nat64Record, _ => Tunnel4To6 };
        var writer = new SyncMessageWriter(version: 1, maxLength: 1472, syncId: 0);
        Assert.True(writer.TryAdd(record));
        Assert.Equal(hex.ToUpperInvariant(), Convert.ToHexString(writer.Message));

        var output = new SyncConnection[255];
        var reader = new SyncMessageReader();
        Assert.Equal(SyncMessageStatus.Accepted, reader.Read(Convert.FromHexString(hex), 0, output, out var count));
        Assert.Equal(1, count);
        Assert.Equal(record with { Flags = record.Flags | IpvsConnectionFlags.Sync }, output[0]);
    }

    [Fact]
    public void KernelRules_SkipTheOptionalLocalOptions_AndOnlyTheMixedFamilyRecords()
    {
        // One message: the IPv6 FULLNAT record, the NAT64 record, the 4-to-6 tunnel, then a plain IPv6 DR record.
        var dr = FullNat6 with { Flags = IpvsConnectionFlags.DirectRoute, LocalAddress6 = default, LocalPort = 0, ToaDone = false, ClientPort = 50001 };
        var writer = new SyncMessageWriter(1, 1472, 0);
        foreach (var record in new[] { FullNat6, Nat64Record, Tunnel4To6, dr })
        {
            Assert.True(writer.TryAdd(record));
        }

        // ip_vs_process_message and ip_vs_proc_sync_conn's option loop, as the kernel reads them.
        var results = KernelView(writer.Message);
        Assert.Equal(["accepted", "skipped: mandatory option 18", "skipped: mandatory option 18", "accepted"], results);

        // LvsNet reads all four.
        var output = new SyncConnection[255];
        Assert.Equal(SyncMessageStatus.Accepted, new SyncMessageReader().Read(writer.Message, 0, output, out var count));
        Assert.Equal(4, count);
    }

    [Fact]
    public void Reader_RefusesInconsistentBindings_WithoutThrowing()
    {
        var output = new SyncConnection[255];

        // An IPv6 local option in an IPv4 record, and an IPv4 local option in a plain IPv6 record: skipped.
        var v4WithLocal6 = Tunnel4To6 with { MixedFamily = false, ServerAddress = Rs1v4, ServerAddress6 = default, LocalAddress6 = Local6, LocalPort = 5000 };
        var v6WithLocal4 = FullNat6 with { LocalAddress6 = default, LocalAddress = Local4 };
        foreach (var record in new[] { v4WithLocal6, v6WithLocal4 })
        {
            var writer = new SyncMessageWriter(1, 1472, 0);
            Assert.True(writer.TryAdd(record));
            var reader = new SyncMessageReader();
            Assert.Equal(SyncMessageStatus.Accepted, reader.Read(writer.Message, 0, output, out var count));
            Assert.Equal((0, 1), (count, reader.Skipped));
        }

        // The other-family option with the wrong length for its record, and every truncation: malformed.
        var bytes = Convert.FromHexString(Nat64Message);
        bytes[8 + 72 + 1] = 16;
        Assert.Equal(SyncMessageStatus.Malformed, new SyncMessageReader().Read(bytes, 0, output, out _));
        foreach (var hex in new[] { FullNat6Message, Nat64Message, Tunnel4To6Message })
        {
            var whole = Convert.FromHexString(hex);
            for (var cut = 8; cut < whole.Length; cut++)
            {
                var truncated = whole[..cut];
                BinaryPrimitives.WriteUInt16BigEndian(truncated.AsSpan(2), (ushort)cut);
                Assert.NotEqual(SyncMessageStatus.Accepted, new SyncMessageReader().Read(truncated, 0, output, out _));
            }
        }
    }

    [Fact]
    public void Ipv6FullNat_SyncedConnection_ForwardedBothWays_ByTheNewMaster_PortReserved()
    {
        var (master, backup) = Pair(FullNat6Services);
        ResolveClient(master);
        ResolveClient(backup);
        master.Feed(Tcp(Client, 40030, TcpFlags.Syn));
        var localPort = BinaryPrimitives.ReadUInt16BigEndian(master.Device.Sent[^1].AsSpan(Eth + 40));
        master.Feed(Tcp(Client, 40030, TcpFlags.Ack));
        master.Feed(Tcp(Client, 40030, TcpFlags.Ack, payload: 10));
        var record = Assert.Single(master.Drain());
        Assert.Equal((Local6, localPort, Rs1, false), (record.LocalAddress6, record.LocalPort, record.ServerAddress6, record.MixedFamily));
        Transfer([record], backup);

        var index = backup.Processor.Table6.Find(new Ipv6ConnectionKey(IpProtocol.Tcp, Client, 40030, Vip, 80));
        Assert.True(index >= 0);
        Assert.Equal((Local6, localPort), (backup.Processor.Table6[index].LocalAddress, backup.Processor.Table6[index].LocalPort));
        Assert.True(backup.Processor.Table.LocalPorts.IsInUse(IpProtocol.Tcp, Local6, localPort));

        backup.BecomeMaster();
        backup.Feed(Tcp(Client, 40030, TcpFlags.Ack, payload: 10));
        var sent = Assert.Single(backup.Device.Sent);
        Assert.Equal(Rs1Mac, MacAddress.Read(sent));
        Assert.Equal(Local6, Ipv6Address.Read(sent.AsSpan(Eth + 8)));
        Assert.Equal(Rs1, Ipv6Address.Read(sent.AsSpan(Eth + 24)));
        Assert.Equal((localPort, NatTcpPort), (BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(Eth + 40)), BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(Eth + 42))));
        Assert.True(ValidTcp6(sent));

        backup.Device.Sent.Clear();
        backup.Feed(TcpReply(Rs1, Rs1Mac, Local6, localPort, TcpFlags.Ack, payload: 5, serverPort: NatTcpPort));
        var reply = Assert.Single(backup.Device.Sent);
        Assert.Equal(ClientMac, MacAddress.Read(reply));
        Assert.Equal((Vip, Client), (Ipv6Address.Read(reply.AsSpan(Eth + 8)), Ipv6Address.Read(reply.AsSpan(Eth + 24))));
        Assert.Equal((80, 40030), ((int)BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(Eth + 40)), (int)BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(Eth + 42))));
        Assert.True(ValidTcp6(reply));

        // The reserved port is never handed to a new connection of the new master.
        for (ushort port = 41000; port < 41100; port++)
        {
            backup.Device.Sent.Clear();
            backup.Feed(Tcp(Client, port, TcpFlags.Syn));
            Assert.NotEqual(localPort, BinaryPrimitives.ReadUInt16BigEndian(Assert.Single(backup.Device.Sent).AsSpan(Eth + 40)));
        }
    }

    [Fact]
    public void Nat64_SyncedConnection_ForwardedBothWays_ByTheNewMaster_PortReservedInTheIpv4Pool()
    {
        var (master, backup) = Pair(Nat64Services);
        foreach (var node in new[] { master, backup })
        {
            ResolveClient(node);
            node.Feed(FrameBuilder.Arp(ArpOperation.Reply, Rs1Mac, Rs1v4, DirectorMac, Dip));
            node.Feed(FrameBuilder.Arp(ArpOperation.Reply, Rs2Mac, Rs2v4, DirectorMac, Dip));
            node.Device.Sent.Clear();
        }

        master.Feed(Tcp(Client, 40040, TcpFlags.Syn));
        var localPort = BinaryPrimitives.ReadUInt16BigEndian(master.Device.Sent[^1].AsSpan(Eth + 20));
        master.Feed(Tcp(Client, 40040, TcpFlags.Ack));
        master.Feed(Tcp(Client, 40040, TcpFlags.Ack, payload: 10));
        var record = Assert.Single(master.Drain());
        Assert.Equal((true, true, Rs1v4, Local4, localPort), (record.IsIpv6, record.MixedFamily, record.ServerAddress, record.LocalAddress, record.LocalPort));
        Transfer([record], backup);
        Assert.True(backup.Processor.Table.LocalPorts.IsInUse(IpProtocol.Tcp, Local4, localPort));

        backup.BecomeMaster();
        backup.Feed(Tcp(Client, 40040, TcpFlags.Ack, payload: 10));
        var sent = Assert.Single(backup.Device.Sent);
        Assert.Equal(Rs1Mac, MacAddress.Read(sent));
        Assert.Equal((Local4, Rs1v4), (BinaryPrimitives.ReadUInt32BigEndian(sent.AsSpan(Eth + 12)), BinaryPrimitives.ReadUInt32BigEndian(sent.AsSpan(Eth + 16))));
        Assert.Equal(localPort, BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(Eth + 20)));
        Assert.True(IndependentDecoder.Tcp(sent).ValidTcpChecksum);

        backup.Device.Sent.Clear();
        var segment = DataPath.Ipv6.Nat64Bytes.TcpSegment(NatTcpPort, localPort, 5000, 1000, 0x10, [], 5);
        backup.Feed(DataPath.Ipv6.Nat64Bytes.Ipv4Frame(DirectorMac, Rs1Mac, 0, 1, dontFragment: true, ttl: 64, IpProtocol.Tcp, Rs1v4, Local4, segment));
        var reply = Assert.Single(backup.Device.Sent);
        Assert.Equal(ClientMac, MacAddress.Read(reply));
        Assert.Equal((Vip, Client), (Ipv6Address.Read(reply.AsSpan(Eth + 8)), Ipv6Address.Read(reply.AsSpan(Eth + 24))));
        Assert.Equal(40040, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(Eth + 42)));
        Assert.True(ValidTcp6(reply));
    }

    [Fact]
    public void MixedFamilyTunnels_AreSynced_AndForwardedByTheNewMaster()
    {
        var (master, backup) = Pair(MixedTunnelServices);
        foreach (var node in new[] { master, backup })
        {
            node.Feed(FrameBuilder.Arp(ArpOperation.Reply, Rs1Mac, Rs1v4, DirectorMac, Dip));
            node.Device.Sent.Clear();
        }

        // IPv6 VIP -> IPv4 server, and IPv4 VIP -> IPv6 server.
        master.Feed(Tcp(Client, 40050, TcpFlags.Syn));
        master.Feed(Tcp(Client, 40050, TcpFlags.Ack));
        master.Feed(Tcp(Client, 40050, TcpFlags.Ack, payload: 10));
        foreach (var flags in new[] { TcpFlags.Syn, TcpFlags.Ack, TcpFlags.Ack })
        {
            master.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client4, 40051, Vip4, 80, flags, flags == TcpFlags.Syn ? 0 : 10));
        }

        var records = master.Drain();
        Assert.Equal(2, records.Count);
        Assert.Contains(records, r => r.IsIpv6 && r.MixedFamily && r.ServerAddress == Rs1v4);
        Assert.Contains(records, r => !r.IsIpv6 && r.MixedFamily && r.ServerAddress6 == Rs1 && r.ServerAddress == 0);
        Transfer(records, backup);

        backup.BecomeMaster();
        backup.Feed(Tcp(Client, 40050, TcpFlags.Ack, payload: 10));
        var toIpv4 = Assert.Single(backup.Device.Sent);
        Assert.Equal(EtherType.Ipv4, (EtherType)BinaryPrimitives.ReadUInt16BigEndian(toIpv4.AsSpan(12)));
        Assert.Equal(Rs1v4, BinaryPrimitives.ReadUInt32BigEndian(toIpv4.AsSpan(Eth + 16)));
        Assert.Equal(41, toIpv4[Eth + 9]); // IPv6 in IPv4

        backup.Device.Sent.Clear();
        backup.Feed(Advertisement(Rs1, Rs1Mac, solicited: true));
        backup.Device.Sent.Clear();
        backup.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client4, 40051, Vip4, 80, TcpFlags.Ack, 10));
        var toIpv6 = Assert.Single(backup.Device.Sent);
        Assert.Equal(EtherType.Ipv6, (EtherType)BinaryPrimitives.ReadUInt16BigEndian(toIpv6.AsSpan(12)));
        Assert.Equal(Rs1, Ipv6Address.Read(toIpv6.AsSpan(Eth + 24)));
        Assert.Equal(4, toIpv6[Eth + 6]); // IPv4 in IPv6
    }

    [Fact]
    public void Backup_RefusesABindingToALocalAddressItDoesNotHave()
    {
        var (_, backup) = Pair(FullNat6Services);
        var stranger = FullNat6 with { LocalAddress6 = Ipv6Address.Parse("2001:db8::99"), LocalPort = 4321 };
        Assert.True(backup.Hub.Deliver(stranger, 0));
        backup.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, backup.Hub.Counters.LocalPortNotOurs);
        Assert.Equal(0, backup.Processor.Table6.Count);
    }

    [Fact]
    public void Nat64Record_FreesAStaleIpv4FullNatConnection_HoldingItsPortInTheSharedPool()
    {
        // This director was master once and still holds an IPv4 FULLNAT connection from 10.77.0.50:p;
        // the master that followed gave p to a NAT64 connection (the IPv4 pool is shared).
        var (_, node) = Pair(Nat64Services + "\n" + Ipv4FullNatService);
        node.Feed(FrameBuilder.Arp(ArpOperation.Reply, Rs1Mac, Rs1v4, DirectorMac, Dip));
        node.Feed(FrameBuilder.Arp(ArpOperation.Reply, Rs2Mac, Rs2v4, DirectorMac, Dip));
        node.BecomeMaster();
        node.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client4, 40060, Vip4, 80, TcpFlags.Syn));
        var port = BinaryPrimitives.ReadUInt16BigEndian(Assert.Single(node.Device.Sent).AsSpan(Eth + 20));
        Assert.Equal(1, node.Processor.Table.Count);
        node.Role.Set(DirectorRole.Backup);
        node.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(node.Hub.Deliver(Nat64Record with { LocalPort = port }, 0));
        node.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal((0, 1, 0L), (node.Processor.Table.Count, node.Processor.Table6.Count, node.Hub.Counters.LocalPortNotOurs));
        var entry = node.Processor.Table6[node.Processor.Table6.Find(new Ipv6ConnectionKey(IpProtocol.Tcp, Client, 50000, Vip, 80))];
        Assert.Equal((Nat64Translator.MapIpv4(Local4), port), (entry.LocalAddress, entry.LocalPort));
        Assert.True(node.Processor.Table.LocalPorts.IsInUse(IpProtocol.Tcp, Local4, port));
    }

    [Fact]
    public void Resync_WalksTheIpv6Table_OncePerPeriod_WithinTheRate()
    {
        var (master, _) = Pair(FullNat6Services);
        ResolveClient(master);
        const int Connections = 40;
        for (var i = 0; i < Connections; i++)
        {
            var port = (ushort)(42000 + i);
            master.Feed(Tcp(Client, port, TcpFlags.Syn));
            master.Feed(Tcp(Client, port, TcpFlags.Ack));
        }

        // Established but before their third packet: no packet-triggered record yet.
        Assert.Empty(master.Drain());
        master.Hub.Master = master.Hub.Master! with { ResyncPeriodTicks = ConnectionClock.ToTicks(TimeSpan.FromSeconds(2)), ResyncRate = 20_000 };
        master.Advance(TimeSpan.FromMilliseconds(250));
        var seen = new HashSet<ushort>();
        for (var tick = 0; tick < 8; tick++)
        {
            master.Advance(TimeSpan.FromMilliseconds(250));
            foreach (var record in master.Drain())
            {
                Assert.True(record.IsIpv6);
                Assert.Equal(Local6, record.LocalAddress6);
                seen.Add(record.ClientPort);
            }
        }

        Assert.Equal(Connections, seen.Count);
        Assert.Equal(Connections, master.Hub.Counters.ResyncRecords);

        // A rate of 8 records a second: 2 per 250 ms tick, whatever the table holds.
        master.Hub.Master = master.Hub.Master with { ResyncRate = 8 };
        master.Advance(TimeSpan.FromMilliseconds(250));
        master.Drain();
        master.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(2, master.Drain().Count);
    }

    [Fact]
    public void SyncingIpv6FullNatFlows_AllocatesNothingPerPacket()
    {
        var (master, _) = Pair(FullNat6Services, tableCapacity: 4096);
        ResolveClient(master);
        const int Flows = 500;
        var frames = new List<byte[]>(Flows);
        for (var i = 0; i < Flows; i++)
        {
            var port = (ushort)(20000 + i);
            master.Feed(Tcp(Client, port, TcpFlags.Syn));
            master.Feed(Tcp(Client, port, TcpFlags.Ack));
            frames.Add(Tcp(Client, port, TcpFlags.Ack | TcpFlags.Psh, 100));
        }

        // Every packet runs the sync decision; with period 5 every fifth packet of a flow queues a record.
        master.Hub.Master = new SyncMasterSettings(Version: 1, Threshold: 3, Period: 5) { ResyncPeriodTicks = ConnectionClock.ToTicks(TimeSpan.FromSeconds(1)) };
        master.Device.Record = false;
        for (var i = 0; i < 10_000; i++)
        {
            master.Processor.OnFrame(frames[i % Flows], frames[i % Flows].Length);
        }

        master.Drain();
        var queuedBefore = master.Hub.Counters.QueueDropped;
        var before = AllocationMeter.Start();
        var drained = 0;
        for (var i = 0; i < 50_000; i++)
        {
            var frame = frames[i % Flows];
            master.Processor.OnFrame(frame, frame.Length);
            if ((i & 255) == 255)
            {
                master.Time.Advance(TimeSpan.FromMilliseconds(50));
                master.Processor.BeginBatch();
                while (master.Hub.Outbound[0].TryDequeue(out _))
                {
                    drained++;
                }
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(drained >= 50_000 / 5 - Flows, $"only {drained} records were queued");
        Assert.Equal(queuedBefore, master.Hub.Counters.QueueDropped);
        Assert.Equal(0, allocated);
    }

    private static readonly string FullNat6Services = $$"""
          - protocol: tcp
            address: 2001:db8::100
            port: 80
            scheduler: rr
            local_addresses: [2001:db8::50]
            real_servers:
              - address: 2001:db8::11
                port: {{NatTcpPort}}
                method: fullnat
              - address: 2001:db8::12
                port: {{NatTcpPort}}
                method: fullnat
        """;

    private static readonly string Nat64Services = $$"""
          - protocol: tcp
            address: 2001:db8::100
            port: 80
            scheduler: rr
            local_addresses: [10.77.0.50]
            real_servers:
              - address: 10.77.0.11
                port: {{NatTcpPort}}
                method: fullnat
              - address: 10.77.0.12
                port: {{NatTcpPort}}
                method: fullnat
        """;

    private const string Ipv4FullNatService = """
          - protocol: tcp
            address: 10.77.0.100
            port: 80
            local_addresses: [10.77.0.50]
            real_servers:
              - address: 10.77.0.11
                port: 8080
                method: fullnat
        """;

    private const string MixedTunnelServices = """
          - protocol: tcp
            address: 2001:db8::100
            port: 80
            real_servers:
              - address: 10.77.0.11
                method: tun
          - protocol: tcp
            address: 10.77.0.100
            port: 80
            real_servers:
              - address: 2001:db8::11
                method: tun
        """;

    // PacketDotNet's view of an IPv6 TCP frame's checksum.
    private static bool ValidTcp6(byte[] frame) =>
        PacketDotNet.Packet.ParsePacket(PacketDotNet.LinkLayers.Ethernet, frame).Extract<PacketDotNet.TcpPacket>().ValidTcpChecksum;

    private static void ResolveClient(Node node)
    {
        node.Processor.Neighbours6.TryResolve(Client, node.Processor.Now, out _);
        node.Feed(Advertisement(Client, ClientMac, solicited: true));
        node.Device.Sent.Clear();
    }

    private static (Node Master, Node Backup) Pair(string services, int tableCapacity = 1024)
    {
        var master = new Node(DirectorRole.Master, services, tableCapacity);
        var backup = new Node(DirectorRole.Backup, services, tableCapacity);
        master.Hub.Master = new SyncMasterSettings(Version: 1, Threshold: 3, Period: 50);
        master.Advance(TimeSpan.FromMilliseconds(1));
        return (master, backup);
    }

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

    // What a kernel backup does with each record of a version 1 message (ip_vs_process_message, then
    // the option loop of ip_vs_proc_sync_conn): a negative result drops the rest of the message, a
    // positive one (an unknown mandatory option: retc 20) drops that record only.
    private static List<string> KernelView(ReadOnlySpan<byte> message)
    {
        var results = new List<string>();
        var p = 8;
        for (var i = 0; i < message[4]; i++)
        {
            var size = BinaryPrimitives.ReadUInt16BigEndian(message.Slice(p + 2)) & 0x0FFF;
            var record = message.Slice(p, size);
            var q = (record[0] & 1) != 0 ? 72 : record[0] == 0 ? 36 : -1;
            Assert.True(q > 0 && q <= size);
            var result = "accepted";
            while (q < size)
            {
                var type = record[q];
                var length = record[q + 1];
                Assert.True(length > 0 && q + 2 + length <= size, "the kernel would drop the whole message");
                if ((type & ~0x40) is not (1 or 2 or 3) && (type & 0x40) == 0)
                {
                    result = $"skipped: mandatory option {type & ~0x40}";
                    break;
                }

                q += 2 + length;
            }

            results.Add(result);
            p += (size + 3) & ~3;
        }

        Assert.Equal(message.Length, Math.Min(p, message.Length));
        return results;
    }

    /// <summary>One director of a pair, as in <see cref="Ipv6SyncTests"/>, with the given services.</summary>
    private sealed class Node
    {
        public Node(DirectorRole role, string services, int tableCapacity)
        {
            Role = new DirectorRoleState(role, Time);
            Hub = new SyncHub(1, 1 << 14);
            Runtime.Apply(LvsConfigReader.Parse($"""
                director:
                  interface: fake0
                  address: 10.77.0.2/24
                  address6: 2001:db8::2/64
                virtual_services:
                {services}
                """));
            Processor = new PacketProcessor(Runtime, new FrameTransmitter(Device), new DataPathOptions
            {
                Mac = DirectorMac,
                Address = Dip,
                Address6 = Ipv6Address.Parse("2001:db8::2"),
                PrefixLength6 = 64,
                TableCapacity = tableCapacity,
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

        public void BecomeMaster()
        {
            Role.Set(DirectorRole.Master);
            Advance(TimeSpan.FromMilliseconds(1));
            Device.Sent.Clear();
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
