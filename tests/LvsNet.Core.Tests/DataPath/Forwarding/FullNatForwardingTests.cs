using System.Buffers.Binary;
using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Packets.Checksums;
using LvsNet.Packets.Writing;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;

namespace LvsNet.Core.Tests.DataPath.Forwarding;

public class FullNatForwardingTests
{
    private static readonly uint Local1 = Ipv4Address.Parse("10.77.0.50");
    private static readonly uint Local2 = Ipv4Address.Parse("10.77.0.51");

    private static DataPathHarness FullNat(bool toa = false, ushort realPort = 8080, IpProtocol protocol = IpProtocol.Tcp, params uint[] locals)
    {
        var h = new DataPathHarness(c => EditService(c, s => s with
        {
            Protocol = protocol,
            LocalAddresses = [.. locals.Length == 0 ? [Local1] : locals],
            Toa = toa,
            RealServers = [.. s.RealServers.Select(r => r with { Method = ForwardingMethod.FullNat, Port = realPort })],
        }));
        h.ResolveRealServers();
        ResolveClient(h);
        return h;
    }

    /// <summary>Makes the director resolve the client (replies go to it), then answers.</summary>
    internal static void ResolveClient(DataPathHarness h)
    {
        h.Processor.Neighbours.TryResolve(Client, h.Processor.Now, out _);
        h.Feed(FrameBuilder.Arp(ArpOperation.Reply, ClientMac, Client, DirectorMac, Dip));
        h.Device.Sent.Clear();
    }

    private static Ipv4Header Ip(byte[] frame)
    {
        Assert.True(EthernetHeader.TryParse(frame, out var eth));
        Assert.True(Ipv4Header.TryParse(eth.Payload, out var ip));
        return ip;
    }

    private static void AssertChecksumsValid(Ipv4Header ip)
    {
        Assert.True(ip.IsChecksumValid);
        Assert.Equal(0, InternetChecksum.Fold(InternetChecksum.Sum(ip.Payload, TransportChecksum.PseudoHeaderSum(ip.Source, ip.Destination, ip.Protocol, ip.Payload.Length))));
    }

    private static ref readonly ConnectionEntry Entry(DataPathHarness h, ushort clientPort, IpProtocol protocol = IpProtocol.Tcp)
    {
        var index = h.Processor.Table.Find(new ConnectionKey(protocol, Client, clientPort, Vip, 80));
        Assert.True(index >= 0);
        return ref h.Processor.Table[index];
    }

    [Fact]
    public void Inbound_IsRewrittenBothWays_FromAPoolAddressAndPort()
    {
        var h = FullNat();
        h.Feed(h.ClientTcp(40000, TcpFlags.Syn, 100));
        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(Rs1Mac, MacAddress.Read(sent));
        var ip = Ip(sent);
        Assert.Equal(Local1, ip.Source);
        Assert.Equal(Rs1, ip.Destination);
        Assert.Equal(63, ip.Ttl);
        Assert.True(TcpHeader.TryParse(ip.Payload, out var tcp));
        Assert.Equal(8080, tcp.DestinationPort);
        Assert.InRange(tcp.SourcePort, LocalPortAllocator.DefaultFirstPort, LocalPortAllocator.DefaultLastPort);
        AssertChecksumsValid(ip);
        ref readonly var entry = ref Entry(h, 40000);
        Assert.Equal(Local1, entry.LocalAddress);
        Assert.Equal(tcp.SourcePort, entry.LocalPort);
        Assert.Equal(0, (int)(entry.Flags & ConnectionFlags.NoOutput));
    }

    [Fact]
    public void Reply_ToTheLocalAddress_GoesBackToTheClientFromTheVip()
    {
        var h = FullNat();
        h.Feed(h.ClientTcp(40000, TcpFlags.Syn));
        var localPort = Entry(h, 40000).LocalPort;
        h.Device.Sent.Clear();
        h.Feed(FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, 8080, Local1, localPort, TcpFlags.Syn | TcpFlags.Ack, 20));
        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(ClientMac, MacAddress.Read(sent));
        var ip = Ip(sent);
        Assert.Equal((Vip, Client), (ip.Source, ip.Destination));
        Assert.True(TcpHeader.TryParse(ip.Payload, out var tcp));
        Assert.Equal((80, 40000), (tcp.SourcePort, tcp.DestinationPort));
        AssertChecksumsValid(ip);
        Assert.Equal(ConnectionState.SynRecv, Entry(h, 40000).State);
        Assert.Equal(1, h.Runtime.Current!.Services[0].Servers[0].OutPackets);
    }

    [Fact]
    public void Reply_FromAnotherServerOrPort_IsDropped()
    {
        var h = FullNat();
        h.Feed(h.ClientTcp(40000, TcpFlags.Syn));
        var localPort = Entry(h, 40000).LocalPort;
        h.Device.Sent.Clear();
        h.Feed(FrameBuilder.Tcp(DirectorMac, Rs2Mac, Rs2, 8080, Local1, localPort, TcpFlags.Ack));
        h.Feed(FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, 9090, Local1, localPort, TcpFlags.Ack));
        h.Feed(FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, 8080, Local1, (ushort)(localPort + 1), TcpFlags.Ack));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(3, h.Processor.Counters[DropReason.NoConnection]);
    }

    [Fact]
    public void Connections_GetDistinctLocalPorts_WhichReturnToThePoolOnExpiry()
    {
        var h = FullNat();
        var ports = new HashSet<(uint, ushort)>();
        for (ushort p = 1; p <= 200; p++)
        {
            h.Feed(h.ClientTcp((ushort)(30000 + p), TcpFlags.Syn));
            ref readonly var entry = ref Entry(h, (ushort)(30000 + p));
            Assert.True(ports.Add((entry.LocalAddress, entry.LocalPort)));
        }

        Assert.Equal(200, h.Processor.Table.LocalPorts.InUse);

        // SYN_RECV lasts 60 s; an idle NONE/SYN_RECV connection is then freed with its port.
        h.Advance(TimeSpan.FromSeconds(61));
        h.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, h.Processor.Table.Count);
        Assert.Equal(0, h.Processor.Table.LocalPorts.InUse);
        Assert.Equal(-1, h.Processor.Table.FindLocal(IpProtocol.Tcp, Local1, ports.First().Item2));
    }

    [Fact]
    public void Pool_SpreadsClientsOverItsAddresses()
    {
        var h = FullNat(locals: [Local1, Local2]);
        var used = new HashSet<uint>();
        for (ushort p = 1; p <= 64; p++)
        {
            h.Feed(h.ClientTcp((ushort)(20000 + p), TcpFlags.Syn));
            used.Add(Entry(h, (ushort)(20000 + p)).LocalAddress);
        }

        Assert.Equal([Local1, Local2], used.Order());
    }

    [Fact]
    public void Toa_IsInsertedIntoTheFirstAckOnly_WithValidChecksums()
    {
        var h = FullNat(toa: true);
        h.Feed(h.ClientTcp(40000, TcpFlags.Syn));
        var syn = Ip(Assert.Single(h.Device.Sent));
        Assert.True(TcpHeader.TryParse(syn.Payload, out var synTcp));
        Assert.Equal(TcpHeader.MinLength, synTcp.HeaderLength);
        h.Device.Sent.Clear();

        h.Feed(h.ClientTcp(40000, TcpFlags.Ack, 10));
        var ack = Ip(Assert.Single(h.Device.Sent));
        Assert.Equal(20 + 20 + 8 + 10, ack.TotalLength);
        Assert.True(TcpHeader.TryParse(ack.Payload, out var tcp));
        Assert.Equal(28, tcp.HeaderLength);
        var option = ack.Payload.Slice(TcpHeader.MinLength, 8);
        Assert.Equal(TcpOptionWriter.ToaKind, option[0]);
        Assert.Equal(8, option[1]);
        Assert.Equal(40000, BinaryPrimitives.ReadUInt16BigEndian(option.Slice(2)));
        Assert.Equal(Client, BinaryPrimitives.ReadUInt32BigEndian(option.Slice(4)));
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal((byte)i, ack.Payload[28 + i]);
        }

        AssertChecksumsValid(ack);
        Assert.Equal(1, h.Processor.Counters.ToaInserted);
        h.Device.Sent.Clear();

        h.Feed(h.ClientTcp(40000, TcpFlags.Ack, 10));
        var next = Ip(Assert.Single(h.Device.Sent));
        Assert.Equal(20 + 20 + 10, next.TotalLength);
        AssertChecksumsValid(next);
    }

    [Fact]
    public void Toa_WithoutRoomUnderTheMtu_IsSkipped()
    {
        var h = FullNat(toa: true);
        h.Feed(h.ClientTcp(40000, TcpFlags.Syn));
        h.Device.Sent.Clear();
        h.Feed(h.ClientTcp(40000, TcpFlags.Ack, 1500 - 40));
        var ack = Ip(Assert.Single(h.Device.Sent));
        Assert.Equal(1500, ack.TotalLength);
        AssertChecksumsValid(ack);
        Assert.Equal(0, h.Processor.Counters.ToaInserted);
    }

    [Fact]
    public void Udp_IsTranslatedBothWays()
    {
        var h = FullNat(protocol: IpProtocol.Udp, realPort: 5353);
        h.Feed(FrameBuilder.Udp(DirectorMac, ClientMac, Client, 40000, Vip, 80, 12));
        var request = Ip(Assert.Single(h.Device.Sent));
        Assert.Equal((Local1, Rs1), (request.Source, request.Destination));
        AssertChecksumsValid(request);
        var localPort = Entry(h, 40000, IpProtocol.Udp).LocalPort;
        h.Device.Sent.Clear();
        h.Feed(FrameBuilder.Udp(DirectorMac, Rs1Mac, Rs1, 5353, Local1, localPort, 12));
        var reply = Ip(Assert.Single(h.Device.Sent));
        Assert.Equal((Vip, Client), (reply.Source, reply.Destination));
        Assert.True(UdpHeader.TryParse(reply.Payload, out var udp));
        Assert.Equal((80, 40000), (udp.SourcePort, udp.DestinationPort));
        AssertChecksumsValid(reply);
    }

    [Fact]
    public void ArpForALocalAddress_IsAnswered()
    {
        var h = FullNat();
        h.Feed(FrameBuilder.Arp(ArpOperation.Request, Rs1Mac, Rs1, MacAddress.Zero, Local1));
        var reply = Assert.Single(h.Device.Sent);
        Assert.True(EthernetHeader.TryParse(reply, out var eth));
        Assert.True(ArpPacket.TryParse(eth.Payload, out var arp));
        Assert.Equal((ArpOperation.Reply, Local1, DirectorMac), (arp.Operation, arp.SenderIp, arp.SenderMac));
    }

    [Fact]
    public void IcmpErrors_AreTranslatedBothWays()
    {
        var h = FullNat();
        h.Feed(h.ClientTcp(40000, TcpFlags.Syn));
        var localPort = Entry(h, 40000).LocalPort;

        // From the real server about LIP:lport → RIP:8080: to the client, about client:40000 → VIP:80, from the VIP.
        h.Device.Sent.Clear();
        var toServer = FrameBuilder.Tcp(Rs1Mac, DirectorMac, Local1, localPort, Rs1, 8080, TcpFlags.Ack);
        h.Feed(IcmpError(DirectorMac, Rs1Mac, Rs1, toServer, 3, 3));
        var toClient = Ip(Assert.Single(h.Device.Sent));
        Assert.Equal((Vip, Client), (toClient.Source, toClient.Destination));
        AssertQuoted(toClient, Client, 40000, Vip, 80);

        // From the client about VIP:80 → client:40000: to the real server, about RIP:8080 → LIP:lport, from the LIP.
        h.Device.Sent.Clear();
        var fromService = FrameBuilder.Tcp(ClientMac, DirectorMac, Vip, 80, Client, 40000, TcpFlags.Ack);
        var error = IcmpError(DirectorMac, ClientMac, Client, fromService, 3, 4);
        BinaryPrimitives.WriteUInt32BigEndian(error.AsSpan(14 + 16), Vip);
        Ipv4Writer.UpdateChecksum(error.AsSpan(14, 20));
        h.Feed(error);
        var toRealServer = Ip(Assert.Single(h.Device.Sent));
        Assert.Equal((Local1, Rs1), (toRealServer.Source, toRealServer.Destination));
        AssertQuoted(toRealServer, Rs1, 8080, Local1, localPort);
    }

    [Fact]
    public void PoolWithoutFreePorts_DropsTheNewConnection()
    {
        var allocator = new LocalPortAllocator(40000, 40001);
        Assert.True(allocator.TryAllocate(IpProtocol.Tcp, Local1, out var a));
        Assert.True(allocator.TryAllocate(IpProtocol.Tcp, Local1, out var b));
        Assert.NotEqual(a, b);
        Assert.False(allocator.HasFreePort(IpProtocol.Tcp, Local1));
        Assert.False(allocator.TryAllocate(IpProtocol.Tcp, Local1, out _));
        Assert.True(allocator.TryAllocate(IpProtocol.Udp, Local1, out _));
        allocator.Release(IpProtocol.Tcp, Local1, a);
        Assert.True(allocator.TryAllocate(IpProtocol.Tcp, Local1, out var c));
        Assert.Equal(a, c);
    }

    [Fact]
    public void Allocator_NeverHandsOutAPortInUse_AndReusesFreedPortsLast()
    {
        var allocator = new LocalPortAllocator(1024, 1024 + 299);
        var model = new HashSet<ushort>();
        var random = new Random(7);
        for (var step = 0; step < 20_000; step++)
        {
            if (model.Count > 0 && (model.Count == 300 || random.Next(3) == 0))
            {
                var victim = model.ElementAt(random.Next(model.Count));
                allocator.Release(IpProtocol.Tcp, Local1, victim);
                model.Remove(victim);
            }
            else
            {
                Assert.True(allocator.TryAllocate(IpProtocol.Tcp, Local1, out var port));
                Assert.InRange(port, 1024, 1323);
                Assert.True(model.Add(port), $"port {port} handed out while in use");
            }

            Assert.Equal(model.Count, allocator.InUse);
        }

        // The cursor moves on: a port freed now is not the next one handed out.
        var fresh = new LocalPortAllocator(2000, 2009);
        Assert.True(fresh.TryAllocate(IpProtocol.Tcp, Local1, out var first));
        fresh.Release(IpProtocol.Tcp, Local1, first);
        Assert.True(fresh.TryAllocate(IpProtocol.Tcp, Local1, out var second));
        Assert.NotEqual(first, second);
    }

    private static void AssertQuoted(Ipv4Header outer, uint source, ushort sourcePort, uint destination, ushort destinationPort)
    {
        AssertChecksumsValidIcmp(outer);
        Assert.True(IcmpHeader.TryParse(outer.Payload, out var icmp));
        Assert.True(Ipv4Header.TryParseQuoted(icmp.Payload, out var quoted));
        Assert.True(quoted.IsChecksumValid);
        Assert.Equal((source, destination), (quoted.Source, quoted.Destination));
        Assert.Equal(sourcePort, BinaryPrimitives.ReadUInt16BigEndian(quoted.Payload));
        Assert.Equal(destinationPort, BinaryPrimitives.ReadUInt16BigEndian(quoted.Payload.Slice(2)));
    }

    private static void AssertChecksumsValidIcmp(Ipv4Header ip)
    {
        Assert.True(ip.IsChecksumValid);
        Assert.Equal(0, InternetChecksum.Compute(ip.Payload));
    }

    private static byte[] IcmpError(MacAddress to, MacAddress fromMac, uint from, byte[] offending, byte type, byte code)
    {
        var frame = new byte[IcmpWriter.MaxErrorFrameLength];
        var length = IcmpWriter.WriteErrorFrame(frame, to, fromMac, from, offending.AsSpan(14), type, code);
        Array.Resize(ref frame, length);
        return frame;
    }
}
