using BenchmarkDotNet.Attributes;
using LvsNet.Core;
using LvsNet.Core.Configuration;
using LvsNet.Core.DataPath;
using LvsNet.Core.Runtime;
using LvsNet.Packets;
using LvsNet.Testing;

namespace LvsNet.Benchmarks;

/// <summary>
/// Per-packet cost of the data path without I/O (a fake device that only counts), per forwarding
/// method: an established flow's client packet (parse, lookup, state, rewrite, send), a reply
/// through the director (NAT and FULLNAT: lookup by the reply key, un-NAT), and a new flow (plus
/// scheduling, insert, a FULLNAT port, and the expiry of the entry it replaces).
/// </summary>
[MemoryDiagnoser]
public class DataPathBenchmarks
{
    private static readonly MacAddress DirectorMac = MacAddress.Parse("02:00:00:00:00:02");
    private static readonly MacAddress ClientMac = MacAddress.Parse("02:00:00:00:00:10");
    private static readonly uint Vip = Ipv4Address.Parse("10.77.0.100");
    private static readonly uint Client = Ipv4Address.Parse("10.77.0.10");

    private PacketProcessor _processor = null!;
    private byte[][] _established = null!;
    private byte[][] _replies = null!;
    private readonly TestTimeProvider _time = new();
    private byte[] _syn = null!;
    private byte[][] _arpReplies = null!;
    private byte[][] _shortClient = null!;
    private byte[][][] _shortServer = null!;
    private uint _replyAddress;
    private ushort _replyPort;
    private int _replyServer;
    private int _firstServerId;
    private bool _answerArp;
    private uint _nextClient;
    private int _next;

    [Params(1024)]
    public int Flows { get; set; }

    /// <summary>Frames the rows handed to the processor (ARP answers excluded): each one must be forwarded exactly once.</summary>
    public long FramesSent { get; private set; }

    /// <summary>Frames the processor forwarded.</summary>
    public long Forwarded => _processor.Counters.Forwarded;

    [Params(ForwardingMethod.DirectRouting, ForwardingMethod.Nat, ForwardingMethod.Tunnel, ForwardingMethod.FullNat)]
    public ForwardingMethod Method { get; set; }

    /// <summary>Runs a master sync daemon's capture-thread side (the records queued; <see cref="DrainSync"/> plays the sync thread).</summary>
    public bool Sync { get; set; }

    /// <summary>With <see cref="Sync"/>: the kernel's sync_refresh_period in seconds (0 = off) and 3 sync_retries.</summary>
    public int SyncRefreshSeconds { get; set; }

    private Core.Sync.SyncHub? _hub;

    /// <summary>Takes the queued sync records, as the master sync thread does.</summary>
    public int DrainSync()
    {
        var taken = 0;
        while (_hub is not null && _hub.Outbound[0].TryDequeue(out _))
        {
            taken++;
        }

        return taken;
    }

    [GlobalSetup]
    public void Setup()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(new LvsConfig
        {
            // Clients beyond 10.77.0.0/24 (each new flow has a new one) are reached through a router with a static MAC.
            Director = new DirectorConfig { Interface = "bench0", Address = Ipv4Address.Parse("10.77.0.2"), Gateway = Ipv4Address.Parse("10.77.0.1") },
            VirtualServices =
            [
                new VirtualServiceConfig
                {
                    Protocol = IpProtocol.Tcp,
                    Address = Vip,
                    Port = 80,
                    Scheduler = "wrr",
                    LocalAddresses = Method == ForwardingMethod.FullNat ? [Ipv4Address.Parse("10.77.0.50")] : [],
                    RealServers =
                    [
                        new RealServerConfig { Address = Ipv4Address.Parse("10.77.0.11"), Port = 80, Weight = 3, Method = Method },
                        new RealServerConfig { Address = Ipv4Address.Parse("10.77.0.12"), Port = 80, Weight = 1, Method = Method },
                    ],
                },
            ],
        });
        var device = new FakeInjectionDevice { Record = false };
        _hub = Sync ? new Core.Sync.SyncHub(1, 1 << 16)
        {
            Master = new Core.Sync.SyncMasterSettings(1, 3, 50)
            {
                RefreshPeriodTicks = (uint)(SyncRefreshSeconds * Core.Connections.ConnectionClock.TicksPerSecond),
                Retries = SyncRefreshSeconds > 0 ? 3 : 0,
            },
        } : null;
        _processor = new PacketProcessor(runtime, new FrameTransmitter(device), new DataPathOptions { Mac = DirectorMac, Address = Ipv4Address.Parse("10.77.0.2"), Gateway = Ipv4Address.Parse("10.77.0.1"), TableCapacity = 1 << 20, Sync = _hub }, _time);
        _processor.BeginBatch();
        _processor.Neighbours.TryResolve(Client, _processor.Now, out _);
        _processor.Neighbours.TryResolve(Ipv4Address.Parse("10.77.0.1"), _processor.Now, out _);
        _arpReplies = new[] { ("10.77.0.11", "02:00:00:00:00:11"), ("10.77.0.12", "02:00:00:00:00:12"), ("10.77.0.10", "02:00:00:00:00:10"), ("10.77.0.1", "02:00:00:00:00:01") }
            .Select(n => FrameBuilder.Arp(ArpOperation.Reply, MacAddress.Parse(n.Item2), Ipv4Address.Parse(n.Item1), DirectorMac, Ipv4Address.Parse("10.77.0.2")))
            .ToArray();
        AnswerArp();

        _established = new byte[Flows][];
        _replies = new byte[Flows][];
        var servers = runtime.Current!.Services[0].Servers;
        for (var i = 0; i < Flows; i++)
        {
            var port = (ushort)(1024 + i);
            var syn = FrameBuilder.Tcp(DirectorMac, ClientMac, Client, port, Vip, 80, TcpFlags.Syn);
            _processor.OnFrame(syn, syn.Length);
            _established[i] = FrameBuilder.Tcp(DirectorMac, ClientMac, Client, port, Vip, 80, TcpFlags.Ack | TcpFlags.Psh, 512);

            // The real server's answer as it reaches the director (NAT: to the client; FULLNAT: to LIP:lport).
            ref readonly var entry = ref _processor.Table[_processor.Table.Find(new Core.Connections.ConnectionKey(IpProtocol.Tcp, Client, port, Vip, 80))];
            var serverId = entry.RealServerId;
            var server = servers.First(s => s.Id == serverId);
            var serverMac = MacAddress.Parse(server.Address == Ipv4Address.Parse("10.77.0.11") ? "02:00:00:00:00:11" : "02:00:00:00:00:12");
            _replies[i] = Method == ForwardingMethod.FullNat
                ? FrameBuilder.Tcp(DirectorMac, serverMac, server.Address, 80, entry.LocalAddress, entry.LocalPort, TcpFlags.Ack | TcpFlags.Psh, 512)
                : FrameBuilder.Tcp(DirectorMac, serverMac, server.Address, 80, Client, port, TcpFlags.Ack | TcpFlags.Psh, 512);
        }

        _syn = FrameBuilder.Tcp(DirectorMac, ClientMac, Client, 40000, Vip, 80, TcpFlags.Syn);

        // A short connection: client 41000 → VIP:80, with sequence numbers as a real exchange has them.
        _shortClient =
        [
            FrameBuilder.Tcp(DirectorMac, ClientMac, Client, 41000, Vip, 80, TcpFlags.Syn, sequence: 100),
            FrameBuilder.Tcp(DirectorMac, ClientMac, Client, 41000, Vip, 80, TcpFlags.Ack, sequence: 101, acknowledgment: 501),
            FrameBuilder.Tcp(DirectorMac, ClientMac, Client, 41000, Vip, 80, TcpFlags.Ack | TcpFlags.Psh, 80, sequence: 101, acknowledgment: 501),
            FrameBuilder.Tcp(DirectorMac, ClientMac, Client, 41000, Vip, 80, TcpFlags.Fin | TcpFlags.Ack, sequence: 181, acknowledgment: 1001),
            FrameBuilder.Tcp(DirectorMac, ClientMac, Client, 41000, Vip, 80, TcpFlags.Ack, sequence: 182, acknowledgment: 1002),
        ];
        _firstServerId = servers.Min(s => s.Id);
        _shortServer = servers.OrderBy(s => s.Id).Select(server =>
        {
            var serverMac = MacAddress.Parse(server.Address == Ipv4Address.Parse("10.77.0.11") ? "02:00:00:00:00:11" : "02:00:00:00:00:12");
            return new[]
            {
                FrameBuilder.Tcp(DirectorMac, serverMac, server.Address, 80, Client, 41000, TcpFlags.Syn | TcpFlags.Ack, sequence: 500, acknowledgment: 101),
                FrameBuilder.Tcp(DirectorMac, serverMac, server.Address, 80, Client, 41000, TcpFlags.Ack, sequence: 501, acknowledgment: 181),
                FrameBuilder.Tcp(DirectorMac, serverMac, server.Address, 80, Client, 41000, TcpFlags.Ack | TcpFlags.Psh, 500, sequence: 501, acknowledgment: 181),
                FrameBuilder.Tcp(DirectorMac, serverMac, server.Address, 80, Client, 41000, TcpFlags.Fin | TcpFlags.Ack, sequence: 1001, acknowledgment: 182),
            };
        }).ToArray();
        _nextClient = Ipv4Address.Parse("11.0.0.0");
    }

    [Benchmark(Description = "established flow, client packet (512 B payload)")]
    public void EstablishedFlow()
    {
        var frame = _established[_next++ & (Flows - 1)];
        _processor.OnFrame(frame, frame.Length);
        FramesSent++;
    }

    [Benchmark(Description = "established flow, reply through the director (512 B payload; NAT and FULLNAT only)")]
    public void Reply()
    {
        if (Method is ForwardingMethod.Nat or ForwardingMethod.FullNat)
        {
            var frame = _replies[_next++ & (Flows - 1)];
            _processor.OnFrame(frame, frame.Length);
            FramesSent++;
        }
    }

    [Benchmark(Description = "new flow (SYN: schedule + insert + later expiry)")]
    public void NewFlow()
    {
        // A client address never seen before: patch the source address and fix the IP checksum
        // incrementally (a few ns of the figure are this patching).
        var ip = _syn.AsSpan(EthernetHeader.Length);
        var old = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(ip.Slice(12));
        var client = _nextClient++;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(ip.Slice(12), client);
        var checksum = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(ip.Slice(10));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(10), Packets.Checksums.IncrementalChecksum.Update(checksum, old, client));
        _processor.OnFrame(_syn, _syn.Length);
        FramesSent++;
        if (_answerArp)
        {
            // The first SYN after the clock moved found the real servers' MACs old and sent a
            // unicast check: the servers answer it, as on a live segment (without this, the
            // neighbours fail after a few checks and the row measures frames held and dropped).
            _answerArp = false;
            AnswerArp();
        }

        // Every 32k new flows, 61 s pass: the timer wheel frees the SYN_RECV entries (60 s), so
        // the table never fills (nor a FULLNAT local address's 64,512 ports) and the figure
        // includes the cost of expiry.
        if ((client & 0x7FFF) == 0)
        {
            _time.Advance(TimeSpan.FromSeconds(61));
            _processor.BeginBatch();
            _answerArp = true;
        }
    }

    /// <summary>
    /// One whole short connection, as a client that closes after each request makes them: the
    /// client's SYN, ACK, request and FIN-ACK, the last ACK, and (NAT, FULLNAT) the server's
    /// SYN-ACK, response and FIN-ACK through the director. A new client address each time; the
    /// clock moves as in <see cref="NewFlow"/>, so TIME_WAIT entries expire through the wheel.
    /// </summary>
    [Benchmark(Description = "short connection (SYN to last ACK, both directions where the director sees them)")]
    public void ShortConnection()
    {
        var client = _nextClient++;
        var throughDirector = Method is ForwardingMethod.Nat or ForwardingMethod.FullNat;
        for (var i = 0; i < _shortClient.Length; i++)
        {
            Send(_shortClient[i], sourceOffset: 12, client, port: 0);
            if (i == 0 && throughDirector)
            {
                // The reply's destination: the client (NAT) or the local address and port the SYN got (FULLNAT).
                ref readonly var entry = ref _processor.Table[_processor.Table.Find(new Core.Connections.ConnectionKey(IpProtocol.Tcp, client, 41000, Vip, 80))];
                _replyAddress = Method == ForwardingMethod.FullNat ? entry.LocalAddress : client;
                _replyPort = Method == ForwardingMethod.FullNat ? entry.LocalPort : (ushort)41000;
                _replyServer = entry.RealServerId;
            }

            if (throughDirector && i < _shortServer.Length)
            {
                Send(_shortServer[_replyServer == _firstServerId ? 0 : 1][i], sourceOffset: 16, _replyAddress, _replyPort);
            }
        }

        if ((client & 0x7FFF) == 0)
        {
            _time.Advance(TimeSpan.FromSeconds(121));
            _processor.BeginBatch();
            AnswerArp();
        }
    }

    // Sets the IPv4 address at sourceOffset (12 source, 16 destination) and, when port is not 0, the
    // TCP destination port, fixing both checksums incrementally, and hands the frame to the processor.
    private void Send(byte[] frame, int sourceOffset, uint address, ushort port)
    {
        var ip = frame.AsSpan(EthernetHeader.Length);
        var tcp = ip.Slice(Ipv4Header.MinLength);
        var old = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(ip.Slice(sourceOffset));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(ip.Slice(sourceOffset), address);
        var ipChecksum = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(ip.Slice(10));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(10), Packets.Checksums.IncrementalChecksum.Update(ipChecksum, old, address));
        var tcpChecksum = Packets.Checksums.IncrementalChecksum.Update(System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(tcp.Slice(16)), old, address);
        if (port != 0)
        {
            var oldPort = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(tcp.Slice(2));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(tcp.Slice(2), port);
            tcpChecksum = Packets.Checksums.IncrementalChecksum.Update(tcpChecksum, oldPort, port);
        }

        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(tcp.Slice(16), tcpChecksum);
        _processor.OnFrame(frame, frame.Length);
        FramesSent++;
    }

    /// <summary>Checks that every new flow so far was forwarded at once, none held for or dropped by an unresolved neighbour.</summary>
    public void AssertNewFlowsForwarded()
    {
        var held = _processor.Neighbours.PendingDropped;
        if (held != 0 || _processor.Counters.Held != 0)
        {
            var unresolved = string.Join(", ", _processor.Neighbours.List(_processor.Now).Where(n => n.State != Core.Neighbours.NeighbourState.Reachable && n.State != Core.Neighbours.NeighbourState.Permanent).Take(5).Select(n => $"{Ipv4Address.Format(n.Address)} {n.State}"));
            throw new InvalidOperationException($"{_processor.Counters.Held} frames were held and {held} dropped waiting for a neighbour ({unresolved}): the new-flow rows did not measure forwarding");
        }

        if (_processor.Counters.TotalDropped != 0)
        {
            throw new InvalidOperationException("frames were dropped: " + string.Join(", ", _processor.Counters.DropsByReason().Where(d => d.Value != 0).Select(d => $"{d.Key} {d.Value}")));
        }
    }

    private void AnswerArp()
    {
        foreach (var arp in _arpReplies)
        {
            _processor.OnFrame(arp, arp.Length);
        }
    }
}
