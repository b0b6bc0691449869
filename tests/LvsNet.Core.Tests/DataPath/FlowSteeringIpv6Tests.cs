using System.Buffers.Binary;
using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath;
using LvsNet.Core.Runtime;
using LvsNet.PacketIo.Bpf;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.Ipv6.Ipv6Harness;

namespace LvsNet.Core.Tests.DataPath;

/// <summary>
/// Several capture workers with IPv6 services: the steering program (run by the classic BPF
/// interpreter, as the kernel's fanout runs it) must deliver every frame of an IPv6 connection —
/// the client's, a NAT reply to the client, a FULLNAT reply to LIP:lport, ICMPv6 errors about it
/// — to the worker whose table holds it, and neighbour discovery to worker 0.
/// </summary>
public class FlowSteeringIpv6Tests
{
    private static readonly Ipv6Address Local = Ipv6Address.Parse("2001:db8::50");
    private static readonly Ipv6Address Vip2 = Ipv6Address.Parse("2001:db8::101");
    private static readonly Ipv6Address Director6 = Ipv6Address.Parse("2001:db8::2");

    private sealed class Workers
    {
        public Workers(int count)
        {
            Runtime.Apply(LvsConfigReader.Parse($"""
                director:
                  interface: fake0
                  address: 10.77.0.2/24
                  address6: {Director6}/64
                virtual_services:
                  - protocol: tcp
                    address: {Vip}
                    port: 80
                    scheduler: rr
                    local_addresses: [{Local}]
                    real_servers:
                      - address: {Rs1}
                        port: 8080
                        method: nat
                      - address: {Rs2}
                        port: 8080
                        method: fullnat
                  - protocol: tcp
                    address: {Vip2}
                    port: 80
                    scheduler: rr
                    persistence_timeout: 300
                    persistence_netmask: /64
                    real_servers:
                      - address: {Rs1}
                """));
            Processors = [.. Enumerable.Range(0, count).Select(i => new PacketProcessor(Runtime, new FrameTransmitter(Devices[i] = new FakeInjectionDevice()), new DataPathOptions { Mac = DirectorMac, Address = Ipv4Address.Parse("10.77.0.2"), Address6 = Director6, PrefixLength6 = 64, TableCapacity = 4096, WorkerIndex = i, WorkerCount = count }, Time))];
            foreach (var p in Processors)
            {
                p.BeginBatch();
                p.Neighbours6.TryResolve(Client, p.Now, out _);
                foreach (var (ip, mac) in new[] { (Rs1, Rs1Mac), (Rs2, Rs2Mac) })
                {
                    var advertisement = Advertisement(ip, mac, solicited: true);
                    p.OnFrame(advertisement, advertisement.Length);
                }

                p.NeighborAdvertisementSeen += Seen.Add;
            }

            Program = FlowSteering.BuildProgram(Runtime.Current!, count);
        }

        public LvsRuntime Runtime { get; } = new();

        public TestTimeProvider Time { get; } = new();

        public FakeInjectionDevice[] Devices { get; } = new FakeInjectionDevice[8];

        public PacketProcessor[] Processors { get; }

        public ClassicBpfInstruction[] Program { get; }

        public List<NeighborDiscoveryMessage> Seen { get; } = [];

        public int Deliver(byte[] frame)
        {
            var worker = (int)(ClassicBpfInstruction.Run(Program, frame) % (uint)Processors.Length);
            Processors[worker].OnFrame(frame, frame.Length);
            return worker;
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void EveryFrameOfAnIpv6Connection_ReachesTheWorkerHoldingIt(int count)
    {
        var w = new Workers(count);
        ResolveClientEverywhere(w);
        var used = new HashSet<int>();
        for (var i = 0; i < 200; i++)
        {
            var client = new Ipv6Address(Ipv6Address.Parse("2001:db8:1::").Value + (UInt128)(uint)(i * 0x10001) + ((UInt128)(uint)i << 64));
            var port = (ushort)(20000 + i);
            var owner = w.Deliver(TcpTo(client, port, Vip));
            used.Add(owner);
            var table = w.Processors[owner].Table6;
            var index = table.Find(new Ipv6ConnectionKey(IpProtocol.Tcp, client, port, Vip, 80));
            Assert.True(index >= 0, $"client {client} on worker {owner}");
            var entry = table[index];
            var server = w.Runtime.Current!.ServersById[entry.RealServerId]!;
            var fullNat = server.Method == ForwardingMethod.FullNat;

            // The reply: NAT to the client, FULLNAT to LIP:lport (the ports of worker k are k mod N).
            var reply = fullNat
                ? TcpReply(Rs2, Rs2Mac, Local, entry.LocalPort, TcpFlags.Syn | TcpFlags.Ack, serverPort: 8080)
                : TcpReply(Rs1, Rs1Mac, client, port, TcpFlags.Syn | TcpFlags.Ack, serverPort: 8080);
            if (fullNat)
            {
                Assert.Equal(owner, entry.LocalPort % count);
            }

            Assert.Equal(owner, w.Deliver(reply));
            Assert.Equal(ConnectionState.SynRecv, table[index].State);

            // ICMPv6 errors: from the server about what the director sent it, from the client about a reply.
            var (from, to) = fullNat ? (Local, Rs2) : (client, Rs1);
            var sentToServer = Quoted(from, fullNat ? entry.LocalPort : port, to, 8080);
            Assert.Equal(owner, Route(w, Icmpv6Error(server.Address6, fullNat ? Local : client, sentToServer)));
            Assert.Equal(owner, Route(w, Icmpv6Error(client, Vip, Quoted(Vip, 80, client, port))));
        }

        Assert.Equal(count, used.Count);
        Assert.Equal(0, w.Processors.Sum(p => p.Counters[DropReason.NoConnection]));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void ExtensionHeadersAndFirstFragments_AreSteeredLikePlainPackets_LaterFragmentsFollowTheirDatagram(int count)
    {
        var w = new Workers(count);
        ResolveClientEverywhere(w);
        var prefix = FlowSteering.KeyPrefixLength6(w.Runtime.Current!);
        byte[] destinationOptions = [0, 0, 1, 4, 0, 0, 0, 0];
        byte[] hopByHop = [0, 0, 1, 4, 0, 0, 0, 0];
        byte[] routingDone = [0, 0, 0, 0, 0, 0, 0, 0]; // type 0, segments left 0: this node is the destination
        var fullNatSeen = 0;
        for (var i = 0; i < 120; i++)
        {
            var client = new Ipv6Address(Ipv6Address.Parse("2001:db8:2::").Value + (UInt128)(uint)(i * 0x10003) + ((UInt128)(uint)i << 64));
            var port = (ushort)(21000 + i);

            // The client's SYN behind destination options: steered by the client as a plain one.
            var plainOwner = FlowSteering.Owner(TcpTo(client, port, Vip), w.Runtime.Current!, count);
            var owner = w.Deliver(WithExtensionHeader(TcpTo(client, port, Vip), 60, destinationOptions));
            Assert.Equal(plainOwner, owner);
            var table = w.Processors[owner].Table6;
            var index = table.Find(new Ipv6ConnectionKey(IpProtocol.Tcp, client, port, Vip, 80));
            Assert.True(index >= 0, $"client {client} on worker {owner}");
            var entry = table[index];

            // A later fragment of a client datagram: steered by the client too.
            var datagram = UdpBetween(client, port, Vip, 53, new byte[2000]);
            Assert.Equal(owner, (int)(ClassicBpfInstruction.Run(w.Program, Fragments.Ipv6Fragmenter.Fragment(datagram, 7, 1400, 608, more: false)) % (uint)count));

            // An ICMPv6 error from the client behind a hop-by-hop header: by the quoted client.
            var error = WithExtensionHeader(Icmpv6Error(client, Vip, Quoted(Vip, 80, client, port)), 0, hopByHop);
            Assert.Equal(owner, (int)(ClassicBpfInstruction.Run(w.Program, error) % (uint)count));

            if (w.Runtime.Current!.ServersById[entry.RealServerId]!.Method != ForwardingMethod.FullNat)
            {
                continue;
            }

            fullNatSeen++;
            var reply = TcpReply(Rs2, Rs2Mac, Local, entry.LocalPort, TcpFlags.Syn | TcpFlags.Ack, serverPort: 8080);

            // The FULLNAT reply to LIP:lport behind one, two and three extension headers, and as a first fragment.
            var one = WithExtensionHeader(reply, 60, destinationOptions);
            var two = WithExtensionHeader(one, 43, routingDone);
            var three = WithExtensionHeader(two, 0, hopByHop);
            var first = Fragments.Ipv6Fragmenter.Fragment(WithExtensionHeader(TcpReply(Rs2, Rs2Mac, Local, entry.LocalPort, TcpFlags.Ack, payload: 2000, serverPort: 8080), 60, destinationOptions), 9, 0, 1400, more: true);
            foreach (var frame in new[] { one, two, three, first })
            {
                Assert.Equal(entry.LocalPort % count, (int)(ClassicBpfInstruction.Run(w.Program, frame) % (uint)count));
            }

            Assert.Equal(owner, w.Deliver(three));
            Assert.Equal(ConnectionState.SynRecv, table[index].State);

            // A later fragment to LIP carries no port: it is steered by its source, the real server.
            var later = Fragments.Ipv6Fragmenter.Fragment(TcpReply(Rs2, Rs2Mac, Local, entry.LocalPort, TcpFlags.Ack, payload: 2000, serverPort: 8080), 9, 1400, 620, more: false);
            Assert.Equal(FlowSteering.Owner(FlowSteering.Key6(Rs2, prefix), count), (int)(ClassicBpfInstruction.Run(w.Program, later) % (uint)count));
        }

        Assert.InRange(fullNatSeen, 30, 90);
        Assert.Equal(0, w.Processors.Sum(p => p.Counters[DropReason.NoConnection]));
    }

    [Fact]
    public void ChainLongerThanTheBound_ToALocalAddress_GoesToWorkerZero()
    {
        var w = new Workers(3);
        var reply = TcpReply(Rs2, Rs2Mac, Local, 1027, TcpFlags.Ack, serverPort: 8080);
        byte[] options = [0, 0, 1, 4, 0, 0, 0, 0];
        var frame = reply;
        for (var i = 0; i < Ipv6ExtensionHeaders.MaxHeaders; i++)
        {
            frame = WithExtensionHeader(frame, 60, options);
        }

        // Eight headers are walked: port 1027 names worker 1027 mod 3 = 1; a ninth ends the walk on an extension header.
        Assert.Equal(1u, ClassicBpfInstruction.Run(w.Program, frame) % 3);
        Assert.Equal(0u, ClassicBpfInstruction.Run(w.Program, WithExtensionHeader(frame, 60, options)));
    }

    [Fact]
    public void PersistentIpv6Clients_InOneSlash64_ShareAWorker_OthersSpread()
    {
        var w = new Workers(2);
        var network = Ipv6Address.Parse("2001:db8:7:7::").Value;
        var owners = Enumerable.Range(1, 100).Select(i => w.Deliver(TcpTo(new Ipv6Address(network + ((UInt128)(uint)i * 0x1_0000_0001UL)), (ushort)(30000 + i), Vip2))).Distinct();
        Assert.Single(owners);
        Assert.Equal(64, FlowSteering.KeyPrefixLength6(w.Runtime.Current!));

        // Different /64s spread over both workers.
        var spread = Enumerable.Range(1, 100).Select(i => w.Deliver(TcpTo(new Ipv6Address(network + ((UInt128)(uint)i << 64)), 40000, Vip2))).Distinct();
        Assert.Equal(2, spread.Count());
    }

    [Fact]
    public void NeighbourDiscovery_GoesToWorkerZero_AndAdvertisementsReachTheOthers()
    {
        var w = new Workers(3);
        Assert.Equal(0u, ClassicBpfInstruction.Run(w.Program, Solicitation(Vip, Client, ClientMac)));
        Assert.Equal(0u, ClassicBpfInstruction.Run(w.Program, Solicitation(Local, Client, ClientMac, multicast: false)));
        var advertisement = Advertisement(Client, ClientMac, solicited: true);
        Assert.Equal(0u, ClassicBpfInstruction.Run(w.Program, advertisement));

        // Every worker asks for the client; the answer reaches worker 0 only, which passes it on.
        foreach (var p in w.Processors)
        {
            Assert.False(p.Neighbours6.TryResolve(Client, p.Now, out _));
        }

        w.Processors[0].OnFrame(advertisement, advertisement.Length);
        var seen = Assert.Single(w.Seen);
        foreach (var p in w.Processors.Skip(1))
        {
            Assert.False(p.Neighbours6.TryResolve(Client, p.Now, out _));
            p.LearnNeighbour6(seen);
        }

        Assert.All(w.Processors, p => Assert.True(p.Neighbours6.TryResolve(Client, p.Now, out var mac) && mac == ClientMac));
    }

    [Fact]
    public void Interpreter_AgreesWithTheCSharpKey()
    {
        var w = new Workers(3);
        var prefix = FlowSteering.KeyPrefixLength6(w.Runtime.Current!);
        var random = new Random(7);
        var counts = new int[3];
        for (var i = 0; i < 500; i++)
        {
            var client = new Ipv6Address(((UInt128)(ulong)random.NextInt64() << 64) | (ulong)random.NextInt64());
            var owner = FlowSteering.Owner(FlowSteering.Key6(client, prefix), 3);
            counts[owner]++;
            Assert.Equal(owner, FlowSteering.Owner(TcpTo(client, (ushort)(1024 + i), Vip), w.Runtime.Current!, 3));

            // A NAT reply to that client: steered by its destination, the same key.
            Assert.Equal(owner, FlowSteering.Owner(TcpReply(Rs1, Rs1Mac, client, 1024, TcpFlags.Ack, serverPort: 8080), w.Runtime.Current!, 3));
        }

        Assert.All(counts, c => Assert.InRange(c, 120, 215));
    }

    private static void ResolveClientEverywhere(Workers w)
    {
        foreach (var p in w.Processors)
        {
            var advertisement = Advertisement(Client, ClientMac, solicited: true);
            p.OnFrame(advertisement, advertisement.Length);
        }
    }

    // Every NAT reply goes to a client the test resolves lazily: the steering decision is what is checked.
    private static int Route(Workers w, byte[] frame)
    {
        var worker = (int)(ClassicBpfInstruction.Run(w.Program, frame) % (uint)w.Processors.Length);
        w.Processors[worker].OnFrame(frame, frame.Length);
        return worker;
    }

    private static byte[] TcpTo(Ipv6Address client, ushort port, Ipv6Address vip)
    {
        var frame = Tcp(client, port, TcpFlags.Syn);
        if (vip != Vip)
        {
            // Same segment to the second VIP: the destination and the checksum (RFC 1624) follow.
            var old = Ipv6Address.Read(frame.AsSpan(14 + 24));
            vip.WriteTo(frame.AsSpan(14 + 24));
            var checksum = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(14 + 40 + 16));
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14 + 40 + 16), Ipv6NatRewriter.UpdateAddress(checksum, old, vip));
        }

        return frame;
    }

    // The first 48 bytes of a TCP packet source:sport -> destination:dport, as an ICMPv6 error quotes it.
    private static byte[] Quoted(Ipv6Address source, ushort sourcePort, Ipv6Address destination, ushort destinationPort)
    {
        var packet = new byte[48];
        Ipv6Writer.WriteHeader(packet, 20, 6, 64, source, destination);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(40), sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(42), destinationPort);
        return packet;
    }

    // Destination unreachable (type 1, code 4) from `from` to `to`, quoting `quoted`.
    private static byte[] Icmpv6Error(Ipv6Address from, Ipv6Address to, byte[] quoted)
    {
        var frame = new byte[14 + 40 + 8 + quoted.Length];
        DirectorMac.WriteTo(frame);
        ClientMac.WriteTo(frame.AsSpan(6));
        frame[12] = 0x86;
        frame[13] = 0xDD;
        Ipv6Writer.WriteHeader(frame.AsSpan(14), 8 + quoted.Length, 58, 64, from, to);
        var icmp = frame.AsSpan(14 + 40);
        icmp[0] = 1;
        icmp[1] = 4;
        quoted.CopyTo(icmp.Slice(8));
        BinaryPrimitives.WriteUInt16BigEndian(icmp.Slice(2), Icmpv6.Checksum(from, to, 58, icmp));
        return frame;
    }
}
