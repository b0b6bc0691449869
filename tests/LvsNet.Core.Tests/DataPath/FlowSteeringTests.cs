using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath;
using LvsNet.Core.Runtime;
using LvsNet.PacketIo;
using LvsNet.PacketIo.Bpf;
using LvsNet.Packets;
using LvsNet.Packets.Writing;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;

namespace LvsNet.Core.Tests.DataPath;

public class FlowSteeringTests
{
    private static readonly uint Local = Ipv4Address.Parse("10.77.0.50");
    private static readonly uint Vip2 = Ipv4Address.Parse("10.77.0.101");

    /// <summary>Workers sharing one runtime (one service with a NAT and a FULLNAT server, one with a DR server), as the daemon builds them.</summary>
    private sealed class Workers
    {
        public Workers(int count)
        {
            Runtime.Apply(Config("rr") with
            {
                VirtualServices =
                [
                    new VirtualServiceConfig
                    {
                        Protocol = IpProtocol.Tcp, Address = Vip, Port = 80, Scheduler = "rr", LocalAddresses = [Local],
                        RealServers =
                        [
                            new RealServerConfig { Address = Rs1, Port = 8080, Method = ForwardingMethod.Nat },
                            new RealServerConfig { Address = Rs2, Port = 8080, Method = ForwardingMethod.FullNat },
                        ],
                    },
                    new VirtualServiceConfig
                    {
                        Protocol = IpProtocol.Tcp, Address = Vip2, Port = 80, Scheduler = "rr", PersistenceTimeout = TimeSpan.FromMinutes(5), PersistenceNetmask = Ipv4Address.Parse("255.255.255.0"),
                        RealServers = [new RealServerConfig { Address = Rs1, Port = 80 }],
                    },
                ],
            });
            Processors = [.. Enumerable.Range(0, count).Select(i => new PacketProcessor(Runtime, new FrameTransmitter(Devices[i] = new FakeInjectionDevice()), new DataPathOptions { Mac = DirectorMac, Address = Dip, TableCapacity = 4096, WorkerIndex = i, WorkerCount = count }, Time))];
            foreach (var p in Processors)
            {
                p.BeginBatch();
                p.Neighbours.TryResolve(Client, p.Now, out _);
                foreach (var (ip, mac) in new[] { (Rs1, Rs1Mac), (Rs2, Rs2Mac), (Client, ClientMac) })
                {
                    var arp = FrameBuilder.Arp(ArpOperation.Reply, mac, ip, DirectorMac, Dip);
                    p.OnFrame(arp, arp.Length);
                }
            }

            foreach (var d in Devices.Take(count))
            {
                d.Sent.Clear();
            }

            Program = FlowSteering.BuildProgram(Runtime.Current!, count);
        }

        public LvsRuntime Runtime { get; } = new();

        public TestTimeProvider Time { get; } = new();

        public FakeInjectionDevice[] Devices { get; } = new FakeInjectionDevice[8];

        public PacketProcessor[] Processors { get; }

        public ClassicBpfInstruction[] Program { get; }

        /// <summary>Delivers a frame to the worker the steering program picks, as the kernel's fanout would.</summary>
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
    public void EveryFrameOfAConnection_ReachesTheWorkerHoldingIt(int count)
    {
        var w = new Workers(count);
        var used = new HashSet<int>();
        for (var i = 0; i < 200; i++)
        {
            var client = Ipv4Address.Parse("198.51.0.1") + (uint)(i * 257);
            var port = (ushort)(20000 + i);
            var owner = w.Deliver(FrameBuilder.Tcp(DirectorMac, ClientMac, client, port, Vip, 80, TcpFlags.Syn));
            used.Add(owner);
            var table = w.Processors[owner].Table;
            var index = table.Find(new ConnectionKey(IpProtocol.Tcp, client, port, Vip, 80));
            Assert.True(index >= 0);
            var entry = table[index];
            var server = w.Runtime.Current!.ServersById[entry.RealServerId]!;

            // The reply: NAT to the client, FULLNAT to LIP:lport (ports of worker k are k mod N).
            var reply = server.Method == ForwardingMethod.Nat
                ? FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, 8080, client, port, TcpFlags.Syn | TcpFlags.Ack)
                : FrameBuilder.Tcp(DirectorMac, Rs2Mac, Rs2, 8080, entry.LocalAddress, entry.LocalPort, TcpFlags.Syn | TcpFlags.Ack);
            if (server.Method == ForwardingMethod.FullNat)
            {
                Assert.Equal(owner, entry.LocalPort % count);
            }

            Assert.Equal(owner, w.Deliver(reply));
            Assert.Equal(ConnectionState.SynRecv, table[index].State);

            // ICMP errors: from the server's side about what the director sent it, and from the client's side about a reply.
            var sentToServer = server.Method == ForwardingMethod.Nat
                ? FrameBuilder.Tcp(Rs1Mac, DirectorMac, client, port, Rs1, 8080, TcpFlags.Ack)
                : FrameBuilder.Tcp(Rs2Mac, DirectorMac, entry.LocalAddress, entry.LocalPort, Rs2, 8080, TcpFlags.Ack);
            Assert.Equal(owner, w.Deliver(IcmpError(DirectorMac, server.Method == ForwardingMethod.Nat ? Rs1Mac : Rs2Mac, server.Address, sentToServer, server.Method == ForwardingMethod.Nat ? client : entry.LocalAddress)));
            Assert.Equal(owner, w.Deliver(IcmpError(DirectorMac, ClientMac, client, FrameBuilder.Tcp(ClientMac, DirectorMac, Vip, 80, client, port, TcpFlags.Ack), Vip)));
        }

        Assert.Equal(count, used.Count);
        Assert.Equal(0, w.Processors.Sum(p => p.Counters[DropReason.NoConnection]));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void FragmentsToALocalAddress_FirstByItsPort_LaterOnesByTheirSource(int count)
    {
        var w = new Workers(count);
        var mask = FlowSteering.KeyMask(w.Runtime.Current!);
        for (ushort port = 1024; port < 1124; port++)
        {
            var reply = FrameBuilder.Tcp(DirectorMac, Rs2Mac, Rs2, 8080, Local, port, TcpFlags.Ack, payloadLength: 2000);
            var fragments = Fragmenter.Split(reply, 1000);
            Assert.Equal(port % count, (int)(ClassicBpfInstruction.Run(w.Program, fragments[0]) % (uint)count));

            // The later fragment has no port (its first bytes are payload): its source names the worker.
            Assert.Equal(FlowSteering.Owner(Rs2 & mask, count), (int)(ClassicBpfInstruction.Run(w.Program, fragments[1]) % (uint)count));
        }
    }

    [Fact]
    public void PersistentClients_UnderTheNetmask_ShareAWorker()
    {
        var w = new Workers(2);
        var network = Ipv4Address.Parse("192.0.2.0");
        var owners = Enumerable.Range(1, 200).Select(i => w.Deliver(FrameBuilder.Tcp(DirectorMac, ClientMac, network + (uint)i, (ushort)(30000 + i), Vip2, 80, TcpFlags.Syn))).Distinct();
        Assert.Single(owners);
        Assert.Equal(Ipv4Address.Parse("255.255.255.0"), FlowSteering.KeyMask(w.Runtime.Current!));
    }

    [Fact]
    public void ArpGoesToWorkerZero_AndClientsSpreadEvenly()
    {
        var w = new Workers(2);
        Assert.Equal(0u, ClassicBpfInstruction.Run(w.Program, FrameBuilder.Arp(ArpOperation.Request, ClientMac, Client, MacAddress.Zero, Vip)));
        var counts = new int[2];
        var random = new Random(3);
        for (var i = 0; i < 4000; i++)
        {
            counts[FlowSteering.Owner((uint)random.Next(), 2)]++;
        }

        Assert.InRange(counts[0], 1800, 2200);
    }

    [Fact]
    public void Interpreter_AgreesWithTheCSharpFunction()
    {
        var w = new Workers(3);
        var mask = FlowSteering.KeyMask(w.Runtime.Current!);
        for (uint i = 0; i < 500; i++)
        {
            var client = 0x0A000000u + (i * 7919);
            var frame = FrameBuilder.Tcp(DirectorMac, ClientMac, client, (ushort)(1024 + i), Vip, 80, TcpFlags.Syn);
            Assert.Equal(FlowSteering.Owner(client & mask, 3), FlowSteering.Owner(frame, w.Runtime.Current!, 3));
        }
    }

    private static byte[] IcmpError(MacAddress to, MacAddress fromMac, uint from, byte[] offending, uint destination)
    {
        var frame = new byte[IcmpWriter.MaxErrorFrameLength];
        var length = IcmpWriter.WriteErrorFrame(frame, to, fromMac, from, offending.AsSpan(14), 3, 3);
        Array.Resize(ref frame, length);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(14 + 16), destination);
        Ipv4Writer.UpdateChecksum(frame.AsSpan(14, 20));
        return frame;
    }
}

public class DataPathCountersSumTests
{
    [Fact]
    public void Sum_AddsEveryCounterOfEveryWorker()
    {
        var fields = typeof(DataPathCounters).GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic).Where(f => f.FieldType == typeof(long)).ToList();
        Assert.True(fields.Count >= 12);
        var parts = new[] { new DataPathCounters(), new DataPathCounters() };
        for (var p = 0; p < parts.Length; p++)
        {
            for (var f = 0; f < fields.Count; f++)
            {
                fields[f].SetValue(parts[p], (long)((p + 1) * 1000) + f);
            }

            parts[p].Drop(DropReason.NoLocalPort);
        }

        var sum = DataPathCounters.Sum(parts);
        for (var f = 0; f < fields.Count; f++)
        {
            Assert.Equal(3000L + (2 * f), (long)fields[f].GetValue(sum)!);
        }

        Assert.Equal(2, sum[DropReason.NoLocalPort]);
        Assert.Same(parts[0], DataPathCounters.Sum([parts[0]]));
    }
}
