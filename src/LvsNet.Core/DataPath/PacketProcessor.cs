using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.Neighbours;
using LvsNet.Core.Scheduling;
using LvsNet.PacketIo;
using LvsNet.Packets;
using LvsNet.Packets.Checksums;
using LvsNet.Packets.Writing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LvsNet.Core.DataPath;

/// <summary>
/// The per-packet pipeline of one capture thread: classify → connection lookup or schedule →
/// state transition → forward. It owns its connection table, neighbour table and scratch buffer.
/// </summary>
/// <remarks>
/// <para>Thread contract: every method runs on the owning capture thread.</para>
/// <para>The steady-state path allocates nothing: headers are span views, the configuration is an
/// immutable snapshot read once per batch, connections are structs in a preallocated table, and
/// rewrites happen in one scratch buffer allocated at start (libpcap's buffer is read-only).</para>
/// <para>Malformed frames never throw: each is dropped and counted under a <see cref="DropReason"/>.</para>
/// </remarks>
public sealed partial class PacketProcessor : IFrameHandler
{
    private const int ScratchLength = 65536 + 128;

    private readonly LvsRuntime _runtime;
    private readonly FrameTransmitter _transmitter;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MacAddress _mac;
    private readonly uint _address;
    private readonly uint _subnetMask;
    private readonly uint _gateway;
    private readonly int _mtu;
    private readonly int _workerIndex;
    private readonly bool _sharedSchedulers;
    private ushort _nextIpId;
    private readonly ConnectionClock _clock;
    private readonly byte[] _scratch = GC.AllocateUninitializedArray<byte>(ScratchLength, pinned: true);
    private readonly int _icmpPerTick;
    private readonly HashSet<uint> _announced = [];
    private LvsSnapshot? _snapshot;
    private ConnectionTimeouts _timeouts = new(new ConnectionTableConfig());
    private RealServerState?[] _servers = [];
    private bool _expireNodest;
    private bool _expireQuiescent;
    private uint _now;
    private uint _lastTick;
    private uint _lastTableFullWarning;
    private int _icmpTokens;

    /// <summary>Creates the pipeline.</summary>
    public PacketProcessor(LvsRuntime runtime, FrameTransmitter transmitter, DataPathOptions options, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(transmitter);
        ArgumentNullException.ThrowIfNull(options);
        _runtime = runtime;
        _transmitter = transmitter;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _mac = options.Mac;
        _address = options.Address;
        _subnetMask = Ipv4Address.PrefixToMask(options.PrefixLength);
        _gateway = options.Gateway;
        _mtu = options.Mtu;
        _clock = new ConnectionClock(_time.GetTimestamp(), _time.TimestampFrequency);
        _icmpPerTick = Math.Max(1, options.IcmpErrorsPerSecond / ConnectionClock.TicksPerSecond);
        _icmpTokens = _icmpPerTick;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WorkerCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(options.WorkerIndex, options.WorkerCount);
        _workerIndex = options.WorkerIndex;
        _sharedSchedulers = options.WorkerCount > 1;
        Table = new ConnectionTable(options.TableCapacity, localPorts: new LocalPortAllocator(stride: options.WorkerCount, offset: options.WorkerIndex));
        Neighbours = new NeighbourTable(transmitter, _mac, _address);
        Neighbours.Resolved += (ip, mac) => Log.Resolved(_logger, ip, mac);
        Neighbours.ResolutionFailed += ip => Log.Unresolved(_logger, ip);
    }

    /// <summary>
    /// Raised on the capture thread for every ARP packet whose sender it could learn from: with
    /// several workers, ARP reaches worker 0 only, which passes what it learns on to the others.
    /// </summary>
    public event Action<uint, MacAddress>? NeighbourSeen;

    /// <summary>Raised on the capture thread when it starts using a new snapshot (the daemon re-steers the fanout group then).</summary>
    public event Action<LvsSnapshot>? SnapshotChanged;

    /// <summary>This thread's counters.</summary>
    public DataPathCounters Counters { get; } = new();

    /// <summary>This thread's connection table.</summary>
    public ConnectionTable Table { get; }

    /// <summary>This thread's neighbour table.</summary>
    public NeighbourTable Neighbours { get; }

    /// <summary>The current tick of the connection clock.</summary>
    public uint Now => _now;

    /// <summary>The snapshot the current batch uses.</summary>
    public LvsSnapshot? Snapshot => _snapshot;

    /// <summary>Lists up to <paramref name="max"/> connections (allocates; call it on the capture thread, e.g. through <see cref="CaptureWorker.InvokeAsync{T}"/>).</summary>
    public IReadOnlyList<ConnectionInfo> ListConnections(int max = 100_000)
    {
        var list = new List<ConnectionInfo>(Math.Min(max, Table.Count));
        Table.ForEach(
            index =>
            {
                ref var entry = ref Table[index];
                var server = ServerOf(entry.RealServerId);
                var left = (int)(entry.ExpiresAt - _now);
                list.Add(new ConnectionInfo(
                    entry.Protocol,
                    entry.ClientAddress,
                    entry.ClientPort,
                    entry.VirtualAddress,
                    entry.VirtualPort,
                    server?.Address ?? 0,
                    server?.Port ?? 0,
                    entry.State,
                    left > 0 ? ConnectionClock.ToTimeSpan((uint)left) : TimeSpan.Zero,
                    (entry.Flags & ConnectionFlags.Template) != 0,
                    (entry.Flags & ConnectionFlags.Assured) != 0,
                    entry.LocalAddress,
                    entry.LocalPort));
            },
            max);
        return list;
    }

    /// <summary>The way out of the pipeline; the capture thread flushes it after each batch.</summary>
    public FrameTransmitter Transmitter => _transmitter;

    /// <summary>
    /// Called by the capture thread before each batch: reads the clock and the current snapshot,
    /// and once per tick runs the timer wheel and the neighbour retries.
    /// </summary>
    public void BeginBatch()
    {
        _now = _clock.TickOf(_time.GetTimestamp());
        var snapshot = _runtime.Current;
        if (!ReferenceEquals(snapshot, _snapshot) && snapshot is not null)
        {
            OnSnapshotChanged(snapshot);
        }

        if (_now != _lastTick)
        {
            _lastTick = _now;
            Table.Advance(_now, _servers);
            Neighbours.Maintain(_now);
            _icmpTokens = _icmpPerTick;
        }
    }

    /// <inheritdoc />
    public void OnFrame(ReadOnlySpan<byte> frame, int wireLength)
    {
        var counters = Counters;
        counters._received++;
        if (!EthernetHeader.TryParse(frame, out var eth))
        {
            counters.Drop(DropReason.MalformedEthernet);
            return;
        }

        if (eth.EtherType == EtherType.Ipv4)
        {
            if (eth.Destination != _mac)
            {
                // Flooded by a bridge or seen in promiscuous mode: someone else's frame.
                counters._ignored++;
                return;
            }

            HandleIpv4(frame, wireLength, eth.HeaderLength);
        }
        else if (eth.EtherType == EtherType.Arp)
        {
            HandleArp(eth);
        }
        else
        {
            counters._ignored++;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void HandleIpv4(ReadOnlySpan<byte> frame, int wireLength, int l2Length)
    {
        var snapshot = _snapshot;
        if (!Ipv4Header.TryParse(frame.Slice(l2Length), out var ip))
        {
            Counters.Drop(DropReason.MalformedIpv4);
            return;
        }

        if (snapshot is null || !snapshot.IsVirtualAddress(ip.Destination))
        {
            if (snapshot is not null && snapshot.IsLocalAddress(ip.Destination))
            {
                HandleReply(frame, wireLength, l2Length, ip, fullNat: true);
                return;
            }

            // Traffic to the director's own address (health-check answers, management) is the kernel's.
            if (snapshot is not null && ip.Destination != _address && snapshot.IsNatServerAddress(ip.Source))
            {
                HandleReply(frame, wireLength, l2Length, ip, fullNat: false);
                return;
            }

            Counters._ignored++;
            return;
        }

        if (!IsForwardable(frame, wireLength, ip))
        {
            return;
        }

        switch (ip.Protocol)
        {
            case IpProtocol.Tcp:
                HandleTcp(frame, l2Length, ip, snapshot);
                break;
            case IpProtocol.Udp:
                HandleUdp(frame, l2Length, ip, snapshot);
                break;
            case IpProtocol.Icmp:
                HandleIcmpToVip(frame, l2Length, ip);
                break;
            default:
                Counters.Drop(DropReason.UnsupportedProtocol);
                break;
        }
    }

    private void HandleTcp(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, LvsSnapshot snapshot)
    {
        if (!TcpHeader.TryParse(ip.Payload, out var tcp))
        {
            Counters.Drop(DropReason.MalformedTcp);
            return;
        }

        var flags = tcp.Flags;
        var isSyn = (flags & (TcpFlags.Syn | TcpFlags.Rst)) == TcpFlags.Syn;
        var key = new ConnectionKey(IpProtocol.Tcp, ip.Source, tcp.SourcePort, ip.Destination, tcp.DestinationPort);
        var index = Table.Find(key);
        RealServerState? server = null;
        if (index >= 0)
        {
            ref var existing = ref Table[index];
            server = ServerOf(existing.RealServerId);

            // A new SYN on a tuple whose connection is closing is a new connection: reschedule it
            // at once (IPVS conn_reuse_mode 1, without the conntrack one-second stall).
            if (isSyn && (existing.State is ConnectionState.TimeWait or ConnectionState.Close
                || (_expireNodest && server is not null && server.Weight == 0)))
            {
                Table.Remove(index, _servers);
                Counters._connectionsReused++;
                index = -1;
            }
            else if (server is null || !server.IsAvailable)
            {
                if (!_expireNodest)
                {
                    Counters.Drop(DropReason.ServerRemoved);
                    return;
                }

                // expire_nodest_conn=1: forget the connection; a SYN is scheduled afresh below.
                Table.Remove(index, _servers);
                index = -1;
            }
        }

        if (index < 0)
        {
            if (!isSyn)
            {
                Counters.Drop(DropReason.NoConnection);
                return;
            }

            index = CreateConnection(frame, l2Length, ip, in key, snapshot, out server);
            if (index < 0)
            {
                return;
            }
        }

        ref var entry = ref Table[index];
        var direction = (entry.Flags & ConnectionFlags.NoOutput) != 0 ? TcpDirection.InputOnly : TcpDirection.Input;
        var state = TcpStateMachine.Next(entry.State, direction, flags);
        Table.Transition(index, state, _timeouts[state], _now, server);
        entry.InPackets++;
        if (state == ConnectionState.Established && entry.Control >= 0)
        {
            Table[entry.Control].Flags |= ConnectionFlags.Assured;
        }

        Forward(frame, l2Length, ip, server!, index);
    }

    private void HandleUdp(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, LvsSnapshot snapshot)
    {
        if (!UdpHeader.TryParse(ip.Payload, out var udp))
        {
            Counters.Drop(DropReason.MalformedUdp);
            return;
        }

        var key = new ConnectionKey(IpProtocol.Udp, ip.Source, udp.SourcePort, ip.Destination, udp.DestinationPort);
        var index = Table.Find(key);
        RealServerState? server = null;
        if (index >= 0)
        {
            server = ServerOf(Table[index].RealServerId);
            if (server is null || !server.IsAvailable)
            {
                if (!_expireNodest)
                {
                    Counters.Drop(DropReason.ServerRemoved);
                    return;
                }

                Table.Remove(index, _servers);
                index = -1;
            }
        }

        if (index < 0 && FindService(in key, snapshot) is { Config.OnePacketScheduling: true } opsService)
        {
            // One-packet scheduling: each datagram is scheduled on its own and no entry is kept.
            server = ScheduleOnePacket(frame, l2Length, ip, in key, opsService);
            if (server is not null)
            {
                Forward(frame, l2Length, ip, server, index: -1);
            }

            return;
        }

        if (index < 0)
        {
            index = CreateConnection(frame, l2Length, ip, in key, snapshot, out server);
            if (index < 0)
            {
                return;
            }
        }

        ref var entry = ref Table[index];
        Table.Transition(index, ConnectionState.Udp, _timeouts[ConnectionState.Udp], _now, server);
        entry.InPackets++;
        Forward(frame, l2Length, ip, server!, index);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static VirtualServiceState? FindService(in ConnectionKey key, LvsSnapshot snapshot)
    {
        var services = snapshot.ServicesByKey;
        if (services.TryGetValue(new ServiceKey(key.Protocol, key.VirtualAddress, key.VirtualPort), out var service))
        {
            return service;
        }

        // A port-0 ("any port") service of the same VIP and protocol catches the rest.
        return snapshot.HasPortZeroServices && services.TryGetValue(new ServiceKey(key.Protocol, key.VirtualAddress, 0), out service) ? service : null;
    }

    private int CreateConnection(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, in ConnectionKey key, LvsSnapshot snapshot, out RealServerState? server)
    {
        server = null;
        var service = FindService(in key, snapshot);
        if (service is null)
        {
            Counters.Drop(DropReason.NoService);
            return -1;
        }

        var template = -1;
        server = service.Config.PersistenceTimeout is null
            ? Schedule(in key, service)
            : SchedulePersistent(in key, service, out template);
        if (server is null)
        {
            if (template != -2)
            {
                SendIcmpError(frame, l2Length, ip, IcmpHeader.TypeDestinationUnreachable, IcmpHeader.CodePortUnreachable);
                Counters.Drop(DropReason.NoDestination);
            }

            return -1;
        }

        var localAddress = 0u;
        if (server.Method == ForwardingMethod.FullNat && !TryPickLocalAddress(in key, service, out localAddress))
        {
            Counters.Drop(DropReason.NoLocalPort);
            return -1;
        }

        var flags = server.Method is ForwardingMethod.DirectRouting or ForwardingMethod.Tunnel ? ConnectionFlags.NoOutput : ConnectionFlags.None;
        if (localAddress != 0 && !(service.Config.Toa && key.Protocol == IpProtocol.Tcp))
        {
            // Decided once here, so that established packets never look the service up again.
            flags |= ConnectionFlags.ToaDone;
        }

        var index = Table.Insert(in key, server.Id, flags, _now);
        if (index < 0)
        {
            Counters.Drop(DropReason.TableFull);
            WarnTableFull();
            return -1;
        }

        if (localAddress != 0)
        {
            // A free port was seen above; the bind cannot fail on this thread.
            Table.TryBindLocal(index, localAddress);
        }

        if (template >= 0)
        {
            Table.Attach(index, template, _now);
        }

        server.OnConnectionCreated();
        Counters._connectionsCreated++;
        return index;
    }

    /// <summary>
    /// FULLNAT: the local address a new connection comes from. The client's address and port pick
    /// the first candidate (so one client's connections spread over the pool without shared
    /// state); an address whose ports are all in use passes to the next one.
    /// </summary>
    private bool TryPickLocalAddress(in ConnectionKey key, VirtualServiceState service, out uint localAddress)
    {
        var pool = service.Config.LocalAddresses;
        if (!pool.IsEmpty)
        {
            var start = (int)(ConnectionKey.Hash(key.Protocol, key.ClientAddress, key.ClientPort, 0) % (uint)pool.Length);
            for (var i = 0; i < pool.Length; i++)
            {
                localAddress = pool[(start + i) % pool.Length];
                if (Table.LocalPorts.HasFreePort(key.Protocol, localAddress))
                {
                    return true;
                }
            }
        }

        localAddress = 0;
        return false;
    }

    /// <summary>
    /// Persistence (IPVS ip_vs_sched_persist): a valid template for the masked client sends the
    /// connection to the template's server without asking the scheduler; otherwise the scheduler
    /// picks, and the template is created or re-pointed. <paramref name="template"/> is the
    /// template's index, or -2 when the table had no room for one (already counted).
    /// </summary>
    private RealServerState? SchedulePersistent(in ConnectionKey key, VirtualServiceState service, out int template)
    {
        var config = service.Config;
        var masked = key.ClientAddress & config.PersistenceNetmask;
        var port = service.Key.Port;
        template = Table.FindTemplate(key.Protocol, masked, key.VirtualAddress, port);
        RealServerState? bound = null;
        if (template >= 0)
        {
            bound = ServerOf(Table[template].RealServerId);
            if (bound is not null && bound.IsAvailable && !(_expireQuiescent && bound.Weight == 0))
            {
                return bound;
            }
        }

        var server = Schedule(in key, service);
        if (server is null)
        {
            return null;
        }

        if (template >= 0)
        {
            Table.RebindTemplate(template, bound, server);
            return server;
        }

        template = Table.InsertTemplate(key.Protocol, masked, key.VirtualAddress, port, server, ConnectionClock.ToTicks(config.PersistenceTimeout!.Value), _now);
        if (template < 0)
        {
            Counters.Drop(DropReason.TableFull);
            WarnTableFull();
            template = -2;
            return null;
        }

        return server;
    }

    private RealServerState? ScheduleOnePacket(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, in ConnectionKey key, VirtualServiceState service)
    {
        var template = -1;
        var server = service.Config.PersistenceTimeout is null
            ? Schedule(in key, service)
            : SchedulePersistent(in key, service, out template);
        if (server is null)
        {
            if (template != -2)
            {
                SendIcmpError(frame, l2Length, ip, IcmpHeader.TypeDestinationUnreachable, IcmpHeader.CodePortUnreachable);
                Counters.Drop(DropReason.NoDestination);
            }

            return null;
        }

        if (template >= 0)
        {
            ref var tmpl = ref Table[template];
            tmpl.ExpiresAt = _now + tmpl.TimeoutTicks;
        }

        // Counted as a connection that lives for one packet, as IPVS counts OPS connections.
        server.OnConnectionCreated();
        server.OnConnectionFreed(wasActive: false);
        Counters._connectionsCreated++;
        return server;
    }

    /// <summary>
    /// Asks the service's scheduler. Schedulers keep state (rr's cursor, wrr's current weight,
    /// lblc's cache); with several workers they share it under the service's lock, as IPVS takes
    /// its per-service scheduler lock. Only new connections pay for it.
    /// </summary>
    private RealServerState? Schedule(in ConnectionKey key, VirtualServiceState service)
    {
        var flow = new FlowInfo(key.Protocol, key.ClientAddress, key.ClientPort, key.VirtualAddress, key.VirtualPort);
        if (!_sharedSchedulers)
        {
            return service.Scheduler.Schedule(flow);
        }

        lock (service)
        {
            return service.Scheduler.Schedule(flow);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private RealServerState? ServerOf(int id)
    {
        var servers = _servers;
        return (uint)id < (uint)servers.Length ? servers[id] : null;
    }

    private void Forward(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, RealServerState server, int index)
    {
        if (server.Method == ForwardingMethod.Tunnel)
        {
            ForwardTunnel(frame, l2Length, ip, server);
            return;
        }

        if (server.Method == ForwardingMethod.FullNat)
        {
            ForwardFullNat(frame, l2Length, ip, server, index);
            return;
        }

        var scratch = _scratch.AsSpan(0, frame.Length);
        frame.CopyTo(scratch);
        var packet = scratch.Slice(l2Length);
        if (server.Method == ForwardingMethod.Nat)
        {
            // NAT: VIP:vport -> RIP:rport with incremental checksums (a port-0 service keeps the port).
            var port = server.Port != 0 ? server.Port : BinaryPrimitives.ReadUInt16BigEndian(ip.Payload.Slice(2));
            NatRewriter.RewriteDestination(packet, server.Address, port);
        }

        // DR: the real server is on the segment (the validator makes sure); only the MAC addresses change.
        SendRewritten(scratch, packet, server.Address, ip.TotalLength, server, inbound: true);
    }

    /// <summary>
    /// FULLNAT: VIP:vport → RIP:rport and client:cport → LIP:lport, so the real server answers the
    /// director whatever its routes. With TOA on, the first packet after the SYN (the ACK that
    /// completes the handshake, where the TOA module of a real server reads it) carries the
    /// client's address and port in TCP option 254, if the MTU and the TCP header have room.
    /// </summary>
    private void ForwardFullNat(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, RealServerState server, int index)
    {
        if (index < 0)
        {
            Counters.Drop(DropReason.NoLocalPort);
            return;
        }

        ref var entry = ref Table[index];
        var scratch = _scratch.AsSpan(0, frame.Length + TcpOptionWriter.ToaLength);
        frame.CopyTo(scratch);
        var packet = scratch.Slice(l2Length);
        var length = frame.Length;
        if ((entry.Flags & ConnectionFlags.ToaDone) == 0 && (packet[ip.HeaderLength + 13] & (byte)(TcpFlags.Syn | TcpFlags.Rst)) == 0)
        {
            entry.Flags |= ConnectionFlags.ToaDone;
            var grown = TcpOptionWriter.InsertToa(packet, _mtu, entry.ClientAddress, entry.ClientPort);
            if (grown > 0)
            {
                length = l2Length + grown;
                Counters._toaInserted++;
            }
        }

        scratch = scratch.Slice(0, length);
        packet = scratch.Slice(l2Length);
        var port = server.Port != 0 ? server.Port : entry.VirtualPort;
        NatRewriter.RewriteSource(packet, entry.LocalAddress, entry.LocalPort);
        NatRewriter.RewriteDestination(packet, server.Address, port);
        SendRewritten(scratch, packet, server.Address, ip.TotalLength, server, inbound: true);
    }

    /// <summary>
    /// TUN: the packet (TTL decremented) goes inside an outer IPv4 header DIP → RIP, protocol 4,
    /// with IPVS's choices: TTL = inner TTL, DSCP copied and ECN encapsulated (CE becomes ECT(0)),
    /// DF copied from the inner header, a fresh identification. A packet that no longer fits the
    /// MTU is dropped; when its DF bit is set the client gets ICMP fragmentation needed with
    /// MTU − 20, so its path MTU discovery shrinks the next segments.
    /// </summary>
    private void ForwardTunnel(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, RealServerState server)
    {
        var inner = ip.Packet;
        var outerLength = Ipv4Header.MinLength + inner.Length;
        if (outerLength > _mtu)
        {
            if (ip.DontFragment)
            {
                SendIcmpError(frame, l2Length, ip, IcmpHeader.TypeDestinationUnreachable, IcmpHeader.CodeFragmentationNeeded, (uint)(_mtu - Ipv4Header.MinLength), _address);
            }

            Counters.Drop(DropReason.TooBig);
            return;
        }

        var total = l2Length + outerLength;
        var scratch = _scratch.AsSpan(0, total);
        frame.Slice(0, l2Length).CopyTo(scratch);
        var innerCopy = scratch.Slice(l2Length + Ipv4Header.MinLength);
        inner.CopyTo(innerCopy);
        if (!Ipv4Writer.DecrementTtl(innerCopy))
        {
            Counters.Drop(DropReason.TtlExceeded);
            return;
        }

        var tos = ip.TypeOfService;
        if ((tos & 0x03) == 0x03)
        {
            tos = (byte)((tos & 0xFC) | 0x02);
        }

        var flags = ip.DontFragment ? Ipv4Header.DontFragmentFlag : (ushort)0;
        Ipv4Writer.WriteHeader(scratch.Slice(l2Length), tos, outerLength, _nextIpId++, flags, innerCopy[8], IpProtocol.IpIp, _address, server.Address);

        _mac.WriteTo(scratch.Slice(MacAddress.Length));
        server.OnInbound(ip.TotalLength);
        Transmit(scratch, NextHop(server.Address));
    }

    /// <summary>
    /// ICMP to a VIP: echo requests are answered by the director; errors about a tracked connection
    /// (the client's stack or a router reporting on a packet the service sent) go to its real server
    /// — unchanged for DR/TUN, translated for NAT — as IPVS does (ip_vs_in_icmp).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void HandleIcmpToVip(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip)
    {
        if (!IcmpHeader.TryParse(ip.Payload, out var icmp))
        {
            Counters.Drop(DropReason.MalformedIcmp);
            return;
        }

        if (icmp.Type == IcmpHeader.TypeEchoRequest)
        {
            SendEchoReply(frame, l2Length, ip);
            return;
        }

        if (!icmp.IsError)
        {
            Counters._ignored++;
            return;
        }

        if (!TryReadQuotedPorts(icmp, out var quoted, out var sourcePort, out var destinationPort))
        {
            Counters.Drop(DropReason.MalformedIcmp);
            return;
        }

        // The quoted packet went from VIP:vport to the client.
        var index = Table.Find(new ConnectionKey(quoted.Protocol, quoted.Destination, destinationPort, quoted.Source, sourcePort));
        var server = index < 0 ? null : ServerOf(Table[index].RealServerId);
        if (server is null || !server.IsAvailable)
        {
            Counters.Drop(index < 0 ? DropReason.NoConnection : DropReason.ServerRemoved);
            return;
        }

        Counters._icmpErrorsForwarded++;
        if (server.Method is ForwardingMethod.DirectRouting or ForwardingMethod.Tunnel)
        {
            Forward(frame, l2Length, ip, server, index);
            return;
        }

        var scratch = _scratch.AsSpan(0, frame.Length);
        frame.CopyTo(scratch);
        var packet = scratch.Slice(l2Length);
        var serverPort = server.Port != 0 ? server.Port : sourcePort;
        if (server.Method == ForwardingMethod.FullNat)
        {
            // The quoted reply becomes RIP:rport → LIP:lport, and the error comes from the LIP.
            ref var entry = ref Table[index];
            NatRewriter.RewriteIcmpError(packet, entry.LocalAddress, server.Address, server.Address, serverPort, entry.LocalAddress, entry.LocalPort);
        }
        else
        {
            NatRewriter.RewriteIcmpError(packet, towardsServer: true, server.Address, serverPort);
        }

        SendRewritten(scratch, packet, server.Address, ip.TotalLength, server, inbound: true);
    }

    /// <summary>
    /// An ICMP error from a NAT or FULLNAT real server (or a router on its side) about a packet the
    /// director sent it: translated back so that it speaks of VIP:vport and the client, from the VIP,
    /// and sent to the client.
    /// </summary>
    private void HandleIcmpFromServer(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, bool fullNat)
    {
        if (!IcmpHeader.TryParse(ip.Payload, out var icmp) || !icmp.IsError || !TryReadQuotedPorts(icmp, out var quoted, out var sourcePort, out var destinationPort))
        {
            Counters._ignored++;
            return;
        }

        // The quoted packet went from the client (NAT) or LIP:lport (FULLNAT) to RIP:rport.
        var index = fullNat
            ? FindFullNatReply(quoted.Protocol, quoted.Source, sourcePort, quoted.Destination, destinationPort)
            : Table.FindReply(quoted.Protocol, quoted.Source, sourcePort, quoted.Destination, destinationPort, _servers);
        if (index < 0)
        {
            Counters.Drop(DropReason.NoConnection);
            return;
        }

        ref var entry = ref Table[index];
        var server = ServerOf(entry.RealServerId)!;
        var scratch = _scratch.AsSpan(0, frame.Length);
        frame.CopyTo(scratch);
        var packet = scratch.Slice(l2Length);
        NatRewriter.RewriteIcmpError(packet, entry.VirtualAddress, entry.ClientAddress, entry.ClientAddress, entry.ClientPort, entry.VirtualAddress, entry.VirtualPort);
        Counters._icmpErrorsForwarded++;
        SendRewritten(scratch, packet, entry.ClientAddress, ip.TotalLength, server, inbound: false);
    }

    private static bool TryReadQuotedPorts(IcmpHeader icmp, out Ipv4Header quoted, out ushort sourcePort, out ushort destinationPort)
    {
        sourcePort = destinationPort = 0;
        if (!Ipv4Header.TryParseQuoted(icmp.Payload, out quoted) || quoted.Protocol is not (IpProtocol.Tcp or IpProtocol.Udp) || quoted.Payload.Length < 4)
        {
            return false;
        }

        sourcePort = BinaryPrimitives.ReadUInt16BigEndian(quoted.Payload);
        destinationPort = BinaryPrimitives.ReadUInt16BigEndian(quoted.Payload.Slice(2));
        return true;
    }

    /// <summary>
    /// The common end of every rewritten packet: TTL − 1 (every method decrements it, as IPVS
    /// does; at 1 the packet is dropped), the director's source MAC, the server's counters, and the
    /// next hop towards <paramref name="destination"/>.
    /// </summary>
    private void SendRewritten(Span<byte> frame, Span<byte> packet, uint destination, int length, RealServerState server, bool inbound)
    {
        if (!Ipv4Writer.DecrementTtl(packet))
        {
            Counters.Drop(DropReason.TtlExceeded);
            return;
        }

        _mac.WriteTo(frame.Slice(MacAddress.Length));
        if (inbound)
        {
            server.OnInbound(length);
        }
        else
        {
            server.OnOutbound(length);
        }

        Transmit(frame, NextHop(destination));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void SendEchoReply(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip)
    {
        // The request turned around: addresses swapped, type 8 -> 0 (checksum adjusted), a fresh TTL.
        var scratch = _scratch.AsSpan(0, frame.Length);
        frame.CopyTo(scratch);
        var packet = scratch.Slice(l2Length);
        BinaryPrimitives.WriteUInt32BigEndian(packet.Slice(12), ip.Destination);
        BinaryPrimitives.WriteUInt32BigEndian(packet.Slice(16), ip.Source);
        packet[8] = 64;
        Ipv4Writer.UpdateChecksum(packet);
        var icmp = packet.Slice(ip.HeaderLength);
        var checksum = BinaryPrimitives.ReadUInt16BigEndian(icmp.Slice(2));
        icmp[0] = IcmpHeader.TypeEchoReply;
        BinaryPrimitives.WriteUInt16BigEndian(icmp.Slice(2), IncrementalChecksum.Update(checksum, (ushort)(IcmpHeader.TypeEchoRequest << 8), (ushort)(IcmpHeader.TypeEchoReply << 8)));
        MacAddress.Read(frame.Slice(MacAddress.Length)).WriteTo(scratch);
        _mac.WriteTo(scratch.Slice(MacAddress.Length));
        if (_transmitter.Send(scratch))
        {
            Counters._echoRepliesSent++;
        }
    }

    /// <summary>
    /// The checks every packet passes before it is forwarded: captured whole, header checksum
    /// right, not a fragment. A failure is counted under its reason.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsForwardable(ReadOnlySpan<byte> frame, int wireLength, Ipv4Header ip)
    {
        if (frame.Length >= wireLength && ip.IsChecksumValid && !ip.IsFragment)
        {
            return true;
        }

        // The failure path works out which check failed (the checksum is computed again there only).
        Counters.Drop(frame.Length < wireLength ? DropReason.Truncated : !ip.IsChecksumValid ? DropReason.BadIpv4Checksum : DropReason.Fragment);
        return false;
    }

    /// <summary>
    /// A reply from a real server. NAT (the director is the server's gateway): found by the
    /// client's address and port (the same hash chain as the inbound key), the source becomes
    /// VIP:vport again. FULLNAT (sent to a local address): found by the local address and port in
    /// the reply chain, the source becomes VIP:vport and the destination the client again. Either
    /// way it then goes to the client.
    /// </summary>
    private void HandleReply(ReadOnlySpan<byte> frame, int wireLength, int l2Length, Ipv4Header ip, bool fullNat)
    {
        if (!IsForwardable(frame, wireLength, ip))
        {
            return;
        }

        ushort sourcePort;
        ushort destinationPort;
        var flags = TcpFlags.None;
        switch (ip.Protocol)
        {
            case IpProtocol.Tcp when TcpHeader.TryParse(ip.Payload, out var tcp):
                sourcePort = tcp.SourcePort;
                destinationPort = tcp.DestinationPort;
                flags = tcp.Flags;
                break;
            case IpProtocol.Udp when UdpHeader.TryParse(ip.Payload, out var udp):
                sourcePort = udp.SourcePort;
                destinationPort = udp.DestinationPort;
                break;
            case IpProtocol.Tcp:
                Counters.Drop(DropReason.MalformedTcp);
                return;
            case IpProtocol.Udp:
                Counters.Drop(DropReason.MalformedUdp);
                return;
            case IpProtocol.Icmp:
                HandleIcmpFromServer(frame, l2Length, ip, fullNat);
                return;
            default:
                Counters._ignored++;
                return;
        }

        var index = fullNat
            ? FindFullNatReply(ip.Protocol, ip.Destination, destinationPort, ip.Source, sourcePort)
            : Table.FindReply(ip.Protocol, ip.Destination, destinationPort, ip.Source, sourcePort, _servers);
        if (index < 0)
        {
            Counters.Drop(DropReason.NoConnection);
            return;
        }

        ref var entry = ref Table[index];
        var server = ServerOf(entry.RealServerId)!;
        if (ip.Protocol == IpProtocol.Tcp)
        {
            // A reply seen: the connection uses the two-way tables from now on (IPVS clears NOOUTPUT).
            entry.Flags &= ~ConnectionFlags.NoOutput;
            var state = TcpStateMachine.Next(entry.State, TcpDirection.Output, flags);
            Table.Transition(index, state, _timeouts[state], _now, server);
        }
        else
        {
            Table.Transition(index, ConnectionState.Udp, _timeouts[ConnectionState.Udp], _now, server);
        }

        var scratch = _scratch.AsSpan(0, frame.Length);
        frame.CopyTo(scratch);
        var packet = scratch.Slice(l2Length);
        NatRewriter.RewriteSource(packet, entry.VirtualAddress, entry.VirtualPort);
        if (fullNat)
        {
            NatRewriter.RewriteDestination(packet, entry.ClientAddress, entry.ClientPort);
        }

        SendRewritten(scratch, packet, entry.ClientAddress, ip.TotalLength, server, inbound: false);
    }

    /// <summary>The FULLNAT connection that owns LIP:lport, if its real server is the one that sent (or was sent) the packet.</summary>
    private int FindFullNatReply(IpProtocol protocol, uint localAddress, ushort localPort, uint serverAddress, ushort serverPort)
    {
        var index = Table.FindLocal(protocol, localAddress, localPort);
        if (index >= 0)
        {
            ref var entry = ref Table[index];
            if (ServerOf(entry.RealServerId) is { } server && server.Address == serverAddress && (server.Port == serverPort || (server.Port == 0 && entry.VirtualPort == serverPort)))
            {
                return index;
            }
        }

        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint NextHop(uint destination) =>
        (destination & _subnetMask) == (_address & _subnetMask) || _gateway == 0 ? destination : _gateway;

    private void Transmit(Span<byte> frame, uint nextHop)
    {
        if (Neighbours.TryResolve(nextHop, _now, out var mac))
        {
            mac.WriteTo(frame);
            if (_transmitter.Send(frame))
            {
                Counters._forwarded++;
            }
            else
            {
                Counters.Drop(DropReason.SendFailed);
            }
        }
        else if (Neighbours.Enqueue(nextHop, frame))
        {
            Counters._forwarded++;
        }
        else
        {
            Counters.Drop(DropReason.NeighbourUnresolved);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void HandleArp(EthernetHeader eth)
    {
        if (!ArpPacket.TryParse(eth.Payload, out var arp))
        {
            Counters.Drop(DropReason.MalformedArp);
            return;
        }

        Neighbours.OnArp(arp.SenderIp, arp.SenderMac, _now);
        NeighbourSeen?.Invoke(arp.SenderIp, arp.SenderMac);
        var snapshot = _snapshot;
        if (arp.Operation != ArpOperation.Request || snapshot is null || !snapshot.IsOwnedAddress(arp.TargetIp) || arp.SenderIp == arp.TargetIp)
        {
            Counters._ignored++;
            return;
        }

        // The kernel does not hold the VIPs and local addresses, so the daemon answers for them with the NIC's MAC.
        var length = ArpWriter.WriteFrame(_scratch, eth.Source, ArpOperation.Reply, _mac, arp.TargetIp, arp.SenderMac, arp.SenderIp);
        if (_transmitter.Send(_scratch.AsSpan(0, length)))
        {
            Counters._arpRepliesSent++;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void SendIcmpError(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, byte type, byte code, uint restOfHeader = 0, uint source = 0)
    {
        if (_icmpTokens <= 0)
        {
            Counters._icmpErrorsSuppressed++;
            return;
        }

        _icmpTokens--;
        var sourceMac = MacAddress.Read(frame.Slice(MacAddress.Length));
        var length = IcmpWriter.WriteErrorFrame(_scratch, sourceMac, _mac, source != 0 ? source : ip.Destination, ip.Packet, type, code, restOfHeader);
        if (_transmitter.Send(_scratch.AsSpan(0, length)))
        {
            Counters._icmpErrorsSent++;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WarnTableFull()
    {
        if (_lastTableFullWarning == 0 || (int)(_now - _lastTableFullWarning) >= 10 * ConnectionClock.TicksPerSecond)
        {
            _lastTableFullWarning = _now == 0 ? 1u : _now;
            Log.TableFull(_logger, Table.Capacity);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void OnSnapshotChanged(LvsSnapshot snapshot)
    {
        _snapshot = snapshot;
        _servers = snapshot.ServersById;
        SnapshotChanged?.Invoke(snapshot);
        _timeouts = new ConnectionTimeouts(snapshot.Config.Connections);
        _expireNodest = snapshot.Config.Connections.ExpireNodestConnections;
        _expireQuiescent = snapshot.Config.Connections.ExpireQuiescentTemplates;

        // Resolve every real server now, so that the first SYN does not wait for ARP.
        foreach (var service in snapshot.Services)
        {
            foreach (var server in service.Servers)
            {
                Neighbours.TryResolve(server.Address, _now, out _);
            }
        }

        // FULLNAT port bitmaps now, so the first connection from a local address does not allocate.
        foreach (var local in snapshot.LocalAddresses)
        {
            Table.LocalPorts.Reserve(IpProtocol.Tcp, local);
            Table.LocalPorts.Reserve(IpProtocol.Udp, local);
        }

        // Announce new VIPs and local addresses with a gratuitous ARP so switches and neighbours
        // learn the director's MAC (worker 0 only: one announcement is enough).
        foreach (var vip in _workerIndex == 0 ? snapshot.OwnedAddresses : [])
        {
            if (_announced.Add(vip))
            {
                var length = ArpWriter.WriteFrame(_scratch, MacAddress.Broadcast, ArpOperation.Request, _mac, vip, MacAddress.Zero, vip);
                if (_transmitter.Send(_scratch.AsSpan(0, length)))
                {
                    Counters._gratuitousArpsSent++;
                }
            }
        }

        _announced.IntersectWith(snapshot.OwnedAddresses);
    }
}
