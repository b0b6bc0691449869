using System.Runtime.CompilerServices;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath.Arp;
using LvsNet.Core.DataPath.Defence;
using LvsNet.Core.DataPath.Forwarding;
using LvsNet.Core.DataPath.Fragments;
using LvsNet.Core.DataPath.Icmp;
using LvsNet.Core.DataPath.Inbound;
using LvsNet.Core.DataPath.NewFlows;
using LvsNet.Core.DataPath.SynProxy;
using LvsNet.Core.DataPath.Validation;
using LvsNet.Core.Neighbours;
using LvsNet.Core.Runtime;
using LvsNet.PacketIo;
using LvsNet.Packets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LvsNet.Core.DataPath;

/// <summary>
/// The per-packet pipeline of one capture thread: classifies each frame and hands it to the job
/// that handles it — ARP (<see cref="ArpHandler"/>), a client's packet to a VIP
/// (<see cref="ClientPacketHandler"/>, which schedules new flows through
/// <see cref="NewFlowScheduler"/> and forwards through one forwarder per method), a real server's
/// reply (<see cref="ReplyHandler"/>), ICMP (<see cref="IcmpHandler"/>). It owns its connection
/// table, neighbour table and scratch buffer (<see cref="Egress"/>).
/// </summary>
/// <remarks>
/// <para>Thread contract: every method runs on the owning capture thread.</para>
/// <para>The steady-state path allocates nothing: headers are span views, the configuration is an
/// immutable snapshot read once per batch, connections are structs in a preallocated table, and
/// rewrites happen in one scratch buffer allocated at start (libpcap's buffer is read-only).</para>
/// <para>Malformed frames never throw: each is dropped and counted under a <see cref="DropReason"/>.</para>
/// </remarks>
public sealed class PacketProcessor : IFrameHandler
{
    private readonly LvsRuntime _runtime;
    private readonly FrameTransmitter _transmitter;
    private readonly TimeProvider _time;
    private readonly MacAddress _mac;
    private readonly uint _address;
    private readonly ushort _vlan;

    // Where a frame of the configured VLAN is put without its tag (allocated only when a VLAN is configured).
    private readonly byte[] _untagged;
    private readonly int _workerIndex;
    private readonly ConnectionClock _clock;
    private readonly DataPathState _state = new();
    private readonly Egress _egress;
    private readonly ArpHandler _arp;
    private readonly IcmpErrorSender _icmpErrors;
    private readonly IcmpHandler _icmp;
    private readonly ClientPacketHandler _clients;
    private readonly ReplyHandler _replies;
    private readonly InputValidator _validator;
    private readonly FloodDefence _defence;
    private readonly FragmentHandler _fragments;
    private readonly SynProxyHandler _synProxy;
    private readonly Ipv6.Ipv6SynProxyHandler _synProxy6;
    private readonly Ha.DirectorRoleState? _role;
    private long _heldDroppedCounted;
    private readonly Sync.SyncHub? _sync;
    private readonly GratuitousArpSchedule _garp = new();
    private readonly Ipv6.Ipv6PacketHandler _ipv6;
    private readonly Ipv6.NeighborDiscoveryHandler _neighborDiscovery;
    private readonly Packets.Ipv6.Ipv6Address? _gateway6;
    private int _masterships;
    private uint _lastTick;
    private uint _lastDefenceTick;

    /// <summary>Creates the pipeline.</summary>
    public PacketProcessor(LvsRuntime runtime, FrameTransmitter transmitter, DataPathOptions options, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(transmitter);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WorkerCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(options.WorkerIndex, options.WorkerCount);
        _runtime = runtime;
        _transmitter = transmitter;
        _time = time ?? TimeProvider.System;
        logger ??= NullLogger.Instance;
        _mac = options.Mac;
        _address = options.Address;
        _vlan = options.Vlan;
        _untagged = options.Vlan == 0 ? [] : new byte[DeviceConfiguration.MaximumSnapLength];
        _gateway6 = options.Gateway6;
        _clock = new ConnectionClock(_time.GetTimestamp(), _time.TimestampFrequency);
        _workerIndex = options.WorkerIndex;
        _state.Worker = options.WorkerIndex;
        _role = options.Role;
        _sync = options.Sync;
        if (_sync is not null)
        {
            _state.SyncProducer = new Sync.SyncProducer(_sync, options.WorkerIndex);
        }
        Table = new ConnectionTable(options.TableCapacity, localPorts: new LocalPortAllocator(stride: options.WorkerCount, offset: options.WorkerIndex));
        if (options.CommitTable)
        {
            Table.Commit();
        }
        Neighbours = new NeighbourTable(transmitter, _mac, _address, logger: logger);
        Neighbours.Resolved += (ip, mac) => DataPathLog.Resolved(logger, ip, mac);

        _egress = new Egress(transmitter, Neighbours, Counters, _state, options);
        _icmpErrors = new IcmpErrorSender(_egress, Counters, options.IcmpErrorsPerSecond);
        var shifts = new SequenceShifts();
        // IPv6 has its own connection table and neighbour table, so the IPv4 path keeps its keys.
        Table6 = new Ipv6ConnectionTable(Math.Max(1024, options.TableCapacity / 4), localPorts: Table.LocalPorts);
        Neighbours6 = new Ipv6NeighbourTable(transmitter, _mac);
        var ipv6Egress = new Ipv6.Ipv6Egress(transmitter, Neighbours6, Counters, _state, options);
        var icmpv6Errors = new Ipv6.Icmpv6ErrorSender(_egress, _icmpErrors, Counters);
        var ipv6Tunnel = new Ipv6.Ipv6TunnelForwarder(_egress, ipv6Egress, _icmpErrors, icmpv6Errors, Counters, options.Mtu);
        var nat64 = new Ipv6.Nat64Forwarder(_egress, ipv6Egress, _icmpErrors, Counters, options.Mtu);
        var nat64Replies = new Ipv6.Nat64ReplyHandler(Table6, Counters, _state, nat64);
        var forwarders = new ForwarderSet(
            new DirectRoutingForwarder(_egress),
            new NatForwarder(_egress, Table, shifts),
            new TunnelForwarder(_egress, _icmpErrors, Counters, options.Mtu, ipv6Tunnel),
            new FullNatForwarder(_egress, Table, Counters, options.Mtu, shifts));
        _defence = new FloodDefence(Table, _state, options.WorkerCount);
        var newFlows = new NewFlowScheduler(Table, Counters, _state, _icmpErrors, _defence, logger, sharedSchedulers: options.WorkerCount > 1);
        _arp = new ArpHandler(Neighbours, transmitter, _egress, Counters, _state, arp => NeighbourSeen?.Invoke(arp));
        _icmp = new IcmpHandler(_egress, Table, Counters, _state, forwarders) { Nat64 = nat64Replies };
        _synProxy = new SynProxyHandler(Table, Counters, _state, _egress, newFlows, forwarders, shifts, options.Mtu);
        _clients = new ClientPacketHandler(Table, Counters, _state, newFlows, forwarders, _synProxy);
        _replies = new ReplyHandler(Table, Counters, _state, forwarders, _icmp, _synProxy) { Nat64 = nat64Replies };
        _validator = new InputValidator(Counters, _address, options.Mtu);

        _neighborDiscovery = new Ipv6.NeighborDiscoveryHandler(Neighbours6, Counters, _state, _egress)
        {
            AdvertisementSeen = options.WorkerCount > 1 ? advertisement => NeighborAdvertisementSeen?.Invoke(advertisement) : null,
        };
        var ipv6Nat = new Ipv6.Ipv6NatForwarder(_egress, ipv6Egress, Counters);
        var ipv6FullNat = new Ipv6.Ipv6FullNatForwarder(_egress, ipv6Egress, ipv6Nat, Counters, options.Mtu);
        var icmpv6Translator = new Ipv6.Icmpv6ErrorTranslator(_egress, ipv6Egress, Table6, Counters, _state);
        _synProxy6 = new Ipv6.Ipv6SynProxyHandler(Table6, Counters, _state, _egress, ipv6Egress, new SequenceShifts(), options.Mtu);
        var ipv6Clients = new Ipv6.Ipv6ClientHandler(Table6, Counters, _state, _egress, ipv6Egress, ipv6Nat, _defence, sharedSchedulers: options.WorkerCount > 1, icmpv6Errors, ipv6FullNat) { Tunnel = ipv6Tunnel, Nat64 = nat64, SynProxy = _synProxy6 };
        _synProxy6.Clients = ipv6Clients;
        nat64Replies.SynProxy = _synProxy6;
        var ipv6Replies = new Ipv6.Ipv6ReplyHandler(Table6, Counters, _state, ipv6Nat, ipv6FullNat) { Errors = icmpv6Translator, SynProxy = _synProxy6 };

        // A buffer holds one frame of at most the MTU, behind an Ethernet header and a VLAN tag;
        // IPv4 and IPv6 fragments share the queues and the pool (one bound).
        var fragmentPool = new FragmentBufferPool(options.FragmentBuffers, options.Mtu + 32);
        _fragments = new FragmentHandler(new FragmentQueues(options.FragmentQueues, fragmentPool, new Configuration.FragmentConfig().Timeout), Table, Counters, _state, _clients, _replies, forwarders)
        {
            Ipv6 = new Ipv6FragmentForwarder(Table6, Counters, _state, ipv6Clients, ipv6Replies, ipv6Nat, ipv6FullNat) { Nat64 = nat64 },
        };
        _ipv6 = new Ipv6.Ipv6PacketHandler(
            Counters, _state, _mac, _neighborDiscovery, ipv6Clients, ipv6Replies, options.Address6,
            new Ipv6.Icmpv6Handler(_egress, ipv6Egress, Table6, Counters, _state) { Errors = icmpv6Translator, Nat64 = nat64 }, icmpv6Errors, options.Mtu)
        {
            Fragments = _fragments,
        };
    }

    /// <summary>
    /// Raised on the capture thread for every well-formed ARP packet that could change a neighbour:
    /// with several workers, ARP reaches worker 0 only, which passes it on (through the others'
    /// <see cref="LearnNeighbour"/>) so that each worker's neighbour table judges it against its own
    /// outstanding requests.
    /// </summary>
    public event Action<ArpObservation>? NeighbourSeen;

    /// <summary>
    /// Raised on the capture thread (worker 0, with several workers) for every valid IPv6 neighbour
    /// advertisement to the director's MAC: the others learn it through <see cref="LearnNeighbour6"/>,
    /// as ARP goes through <see cref="NeighbourSeen"/>.
    /// </summary>
    public event Action<LvsNet.Packets.Ipv6.NeighborDiscoveryMessage>? NeighborAdvertisementSeen;

    /// <summary>Raised on the capture thread when it starts using a new snapshot (the daemon re-steers the fanout group then).</summary>
    public event Action<LvsSnapshot>? SnapshotChanged;

    /// <summary>This thread's counters.</summary>
    public DataPathCounters Counters { get; } = new();

    /// <summary>This thread's connection table.</summary>
    public ConnectionTable Table { get; }

    /// <summary>This thread's neighbour table.</summary>
    public NeighbourTable Neighbours { get; }

    /// <summary>This thread's IPv6 connection table.</summary>
    public Ipv6ConnectionTable Table6 { get; }

    /// <summary>This thread's IPv6 neighbour table (neighbour discovery).</summary>
    public Ipv6NeighbourTable Neighbours6 { get; }

    /// <summary>This thread's fragment queues and buffers in use now.</summary>
    public FragmentOccupancy Fragments => _fragments.Occupancy;

    /// <summary>The current tick of the connection clock.</summary>
    public uint Now => _state.Now;

    /// <summary>The snapshot the current batch uses.</summary>
    public LvsSnapshot? Snapshot => _state.Snapshot;

    /// <summary>The way out of the pipeline; the capture thread flushes it after each batch.</summary>
    public FrameTransmitter Transmitter => _transmitter;

    /// <summary>Lists up to <paramref name="max"/> connections (allocates; call it on the capture thread, e.g. through <see cref="CaptureWorker.InvokeAsync{T}"/>).</summary>
    public IReadOnlyList<ConnectionInfo> ListConnections(int max = 100_000)
    {
        var list = new List<ConnectionInfo>(Math.Min(max, Table.Count));
        VisitConnections(list.Add, max);
        return list;
    }

    /// <summary>
    /// Calls <paramref name="visit"/> with up to <paramref name="max"/> connections, each as a value
    /// (nothing is kept unless the caller keeps it: a filtered query of a large table stays small).
    /// Call it on the capture thread, e.g. through <see cref="CaptureWorker.InvokeAsync{T}"/>.
    /// </summary>
    public void VisitConnections(Action<ConnectionInfo> visit, int max = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(visit);
        var now = _state.Now;
        Table.ForEach(
            index =>
            {
                ref readonly var entry = ref Table[index];
                var server = _state.ServerOf(entry.RealServerId);
                var left = (int)(entry.ExpiresAt - now);
                visit(new ConnectionInfo(
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
    }

    /// <summary>
    /// What another worker's ARP packet said about a neighbour (ARP reaches one worker only): learnt
    /// as if this thread had captured it, and the frames it held for that neighbour leave.
    /// </summary>
    public void LearnNeighbour(in ArpObservation arp) => _arp.Learn(arp, quiet: true);

    /// <summary>An IPv6 neighbour advertisement another worker captured, judged by this thread's own solicitations.</summary>
    public void LearnNeighbour6(in LvsNet.Packets.Ipv6.NeighborDiscoveryMessage advertisement) => _neighborDiscovery.Learn(in advertisement, _mac);

    /// <summary>
    /// Called by the capture thread before each batch: reads the clock and the current snapshot,
    /// and once per tick runs the timer wheel and the neighbour retries.
    /// </summary>
    public void BeginBatch()
    {
        var timestamp = _time.GetTimestamp();
        var now = _clock.TickOf(timestamp);
        _state.Now = now;
        _state.Microseconds = _clock.MicrosecondsOf(timestamp);
        if (_role is not null)
        {
            _state.Active = _role.IsActive;
        }

        var snapshot = _runtime.Current;
        if (!ReferenceEquals(snapshot, _state.Snapshot) && snapshot is not null)
        {
            OnSnapshotChanged(snapshot);
        }

        if (_role is not null)
        {
            FollowRole(now);
        }

        if (_sync is not null)
        {
            _state.SyncMaster = _sync.Master;
            if (_state.SyncMaster is { ResyncPeriodTicks: > 0 } master)
            {
                _state.SyncProducer!.Resync(Table, Table6, _state.Servers, master, now);
            }

            if (_sync.Inbound[_workerIndex].Count > 0 && _state.Snapshot is not null)
            {
                ApplySynced();
            }
        }

        if (now != _lastTick)
        {
            _lastTick = now;
            if (_workerIndex == 0 && _state.Snapshot is { } current && _garp.Due(now, current.Config.HighAvailability) is var due and > 0)
            {
                _arp.AnnounceBurst(current.OwnedAddresses, due);
                _neighborDiscovery.Announce(current.OwnedAddresses6, due);
            }

            Table.Advance(now, _state.Servers);
            _arp.Maintain();
            if (Table6.Count > 0 || _state.Snapshot is { HasIpv6Services: true })
            {
                Table6.Advance(now, _state.Servers);
                Neighbours6.Maintain(now);
            }

            // Frames that waited for a neighbour and were dropped (it never answered, or its entry
            // went to another address) were counted as held: they count as dropped now.
            var heldDropped = Neighbours.HeldDropped + Neighbours6.HeldDropped;
            Counters.Drop(DropReason.NeighbourUnresolved, heldDropped - _heldDroppedCounted);
            _heldDroppedCounted = heldDropped;

            _icmpErrors.Refill();
            if (_fragments.Active > 0)
            {
                _fragments.Expire();
            }

            if (_synProxy.Enabled)
            {
                _synProxy.Maintain();
            }

            if (_synProxy6.Enabled)
            {
                _synProxy6.Maintain();
            }

            if ((int)(now - _lastDefenceTick) >= ConnectionClock.TicksPerSecond)
            {
                // IPVS runs its defence timer once a second.
                _lastDefenceTick = now;
                _defence.Update();
            }
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

        if (eth.HasVlanTag)
        {
            if (eth.VlanId != _vlan || _vlan == 0)
            {
                // A segment the director is not on: another VLAN, or any VLAN when none is configured.
                counters.Drop(DropReason.VlanTagged);
                return;
            }

            // The director's VLAN: every handler sees the frame as on an untagged segment (the
            // transmitter puts the tag back on everything sent). A second tag inside is not ours.
            frame = Untag(frame);
            wireLength -= EthernetHeader.VlanTagLength;
            if (!EthernetHeader.TryParse(frame, out eth) || eth.HasVlanTag)
            {
                counters.Drop(DropReason.VlanTagged);
                return;
            }
        }
        else if (_vlan != 0)
        {
            // The trunk's native VLAN: not the director's segment.
            counters.Drop(DropReason.VlanUntagged);
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
            _arp.Handle(eth);
        }
        else if (eth.EtherType == EtherType.Ipv6)
        {
            _ipv6.Handle(frame, wireLength, eth);
        }
        else
        {
            counters._ignored++;
        }
    }

    // Copies a frame of the configured VLAN without its 4-byte tag: the MACs, then everything after the tag.
    private ReadOnlySpan<byte> Untag(ReadOnlySpan<byte> frame)
    {
        const int Macs = 12;
        var length = frame.Length - EthernetHeader.VlanTagLength;
        frame[..Macs].CopyTo(_untagged);
        frame[(Macs + EthernetHeader.VlanTagLength)..].CopyTo(_untagged.AsSpan(Macs));
        return _untagged.AsSpan(0, length);
    }

    /// <summary>
    /// Reads the HA role once per batch. On becoming master (seen by a change of the mastership
    /// count, so a quick flap between two batches is not missed) worker 0 sends the first burst of
    /// gratuitous ARP and unsolicited neighbour advertisements at once; forwarding starts with this batch.
    /// </summary>
    private void FollowRole(uint now)
    {
        var role = _role!;
        var masterships = role.Masterships;
        var active = role.IsActive;
        _state.Active = active;
        if (masterships == _masterships)
        {
            if (!active)
            {
                _garp.OnStandby();
            }

            return;
        }

        _masterships = masterships;
        if (active && _workerIndex == 0 && _state.Snapshot is { } snapshot)
        {
            var burst = _garp.OnMaster(now, snapshot.Config.HighAvailability);
            _arp.AnnounceBurst(snapshot.OwnedAddresses, burst);
            _neighborDiscovery.Announce(snapshot.OwnedAddresses6, burst);
        }
    }

    /// <summary>
    /// Backup: applies what the sync thread received for this worker, at most a bounded number per
    /// batch so that a burst of sync messages cannot starve the frames waiting in the ring.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ApplySynced()
    {
        const int MaxPerBatch = 4096;
        var hub = _sync!;
        var queue = hub.Inbound[_workerIndex];
        var snapshot = _state.Snapshot!;
        var threshold = hub.BackupThreshold;
        long applied = 0, withoutServer = 0, full = 0, notOurs = 0;
        for (var i = 0; i < MaxPerBatch && queue.TryDequeue(out var record); i++)
        {
            var outcome = record.IsIpv6
                ? Sync.SyncApplier.Apply6(Table6, snapshot, _state.Servers, _state.Timeouts, _state.Now, in record, threshold, Table)
                : Sync.SyncApplier.Apply(Table, snapshot, _state.Servers, _state.Timeouts, _state.Now, in record, threshold, Table6);
            switch (outcome)
            {
                case Sync.SyncApplyResult.NoServer: withoutServer++; break;
                case Sync.SyncApplyResult.TableFull: full++; break;
                case Sync.SyncApplyResult.LocalPortNotOurs: notOurs++; break;
                case Sync.SyncApplyResult.Ignored: break;
                default: applied++; break;
            }
        }

        Sync.SyncCounters.Add(ref hub.Counters._connectionsApplied, applied);
        Sync.SyncCounters.Add(ref hub.Counters._connectionsWithoutServer, withoutServer);
        Sync.SyncCounters.Add(ref hub.Counters._applyDropped, full);
        Sync.SyncCounters.Add(ref hub.Counters._localPortNotOurs, notOurs);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void HandleIpv4(ReadOnlySpan<byte> frame, int wireLength, int l2Length)
    {
        var snapshot = _state.Snapshot;
        if (!Ipv4Header.TryParse(frame.Slice(l2Length), out var ip))
        {
            _validator.CountUnparsable(frame.Slice(l2Length));
            return;
        }

        if (snapshot is null || !snapshot.IsVirtualAddress(ip.Destination))
        {
            if (snapshot is not null && snapshot.IsLocalAddress(ip.Destination))
            {
                if (!_state.Active)
                {
                    Counters.Drop(DropReason.Standby);
                    return;
                }

                HandleReply(frame, wireLength, l2Length, ip, snapshot, fullNat: true);
                return;
            }

            // Traffic to the director's own address (health-check answers, management) is the kernel's.
            if (snapshot is not null && ip.Destination != _address && snapshot.IsNatServerAddress(ip.Source))
            {
                if (!_state.Active)
                {
                    Counters.Drop(DropReason.Standby);
                    return;
                }

                HandleReply(frame, wireLength, l2Length, ip, snapshot, fullNat: false);
                return;
            }

            Counters._ignored++;
            return;
        }

        if (!_state.Active)
        {
            Counters.Drop(DropReason.Standby);
            return;
        }

        if (!_validator.Accept(frame, wireLength, ip, snapshot))
        {
            return;
        }

        if (ip.IsFragment)
        {
            HandleFragment(frame, l2Length, ip, FragmentOrigin.Client);
            return;
        }

        switch (ip.Protocol)
        {
            case IpProtocol.Tcp when ip.Ttl > 1:
                _clients.HandleTcp(frame, l2Length, ip, snapshot);
                break;
            case IpProtocol.Udp when ip.Ttl > 1:
                _clients.HandleUdp(frame, l2Length, ip, snapshot);
                break;
            case IpProtocol.Tcp or IpProtocol.Udp:
                ExpireTtl(frame, ip);
                break;
            case IpProtocol.Icmp:
                _icmp.HandleToVip(frame, l2Length, ip);
                break;
            default:
                Counters.Drop(DropReason.UnsupportedProtocol);
                break;
        }
    }

    private void HandleReply(ReadOnlySpan<byte> frame, int wireLength, int l2Length, Ipv4Header ip, LvsSnapshot snapshot, bool fullNat)
    {
        if (!_validator.Accept(frame, wireLength, ip, snapshot))
        {
            return;
        }

        if (ip.IsFragment)
        {
            HandleFragment(frame, l2Length, ip, fullNat ? FragmentOrigin.FullNatReply : FragmentOrigin.NatReply);
            return;
        }

        if (ip.Ttl <= 1 && ip.Protocol is IpProtocol.Tcp or IpProtocol.Udp)
        {
            ExpireTtl(frame, ip);
            return;
        }

        _replies.Handle(frame, l2Length, ip, fullNat);
    }

    /// <summary>
    /// A fragment that passed the input checks. TCP and UDP datagrams are collected and forwarded in
    /// their fragments (<see cref="FragmentHandler"/>); other protocols are not forwarded in pieces.
    /// A fragment whose TTL would reach 0 is dropped, and only the first one is answered with ICMP
    /// time exceeded (the kernel's icmp_send never answers a non-first fragment).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void HandleFragment(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, FragmentOrigin origin)
    {
        if (ip.Protocol is not (IpProtocol.Tcp or IpProtocol.Udp))
        {
            Counters.Drop(DropReason.Fragment);
            return;
        }

        if (ip.Ttl <= 1)
        {
            if (ip.FragmentOffset == 0)
            {
                ExpireTtl(frame, ip);
            }
            else
            {
                Counters.Drop(DropReason.TtlExceeded);
            }

            return;
        }

        _fragments.Handle(frame, l2Length, ip, origin);
    }

    /// <summary>
    /// A TCP or UDP packet whose TTL would reach 0 here: the director acts as a router does
    /// (ip_forward, and IPVS's decrement_ttl) and tells the sender with ICMP time exceeded from its
    /// own address, under the ICMP rate limit. No connection is looked up or created for it. ICMP
    /// itself is not answered (no error about an error, RFC 1812 4.3.2.7): an ICMP error with TTL 1
    /// is dropped when it would be forwarded.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ExpireTtl(ReadOnlySpan<byte> frame, Ipv4Header ip)
    {
        _icmpErrors.Send(frame, ip, IcmpHeader.TypeTimeExceeded, IcmpHeader.CodeTtlExceeded, source: _address);
        Counters.Drop(DropReason.TtlExceeded);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void OnSnapshotChanged(LvsSnapshot snapshot)
    {
        _state.Apply(snapshot);
        _defence.Configure(snapshot.Config.Connections);
        _synProxy.Configure(snapshot);
        _synProxy6.Configure(snapshot);
        _fragments.Timeout = snapshot.Config.Fragments.Timeout;
        SnapshotChanged?.Invoke(snapshot);

        // Own addresses no neighbour may claim, and configured MACs, before any resolution starts.
        Neighbours.Configure(snapshot.OwnedAddresses, StaticNeighbours.From(snapshot.Config), _state.Now);

        // Resolve every real server now, so that the first SYN does not wait for ARP (or ND).
        Neighbours6.Configure(snapshot.VirtualAddresses6);
        foreach (var service in snapshot.Services)
        {
            foreach (var server in service.Servers)
            {
                if (server.IsIpv6)
                {
                    Neighbours6.TryResolve(server.Address6, _state.Now, out _);
                }
                else
                {
                    Neighbours.TryResolve(server.Address, _state.Now, out _);
                }
            }
        }

        // The IPv6 gateway too when NAT replies may go through it.
        if (_gateway6 is { } gateway6 && (snapshot.NatServerAddresses6.Length > 0 || snapshot.LocalAddresses6.Length > 0))
        {
            Neighbours6.TryResolve(gateway6, _state.Now, out _);
        }

        // FULLNAT port bitmaps now, so the first connection from a local address does not allocate.
        foreach (var local in snapshot.LocalAddresses)
        {
            Table.LocalPorts.Reserve(IpProtocol.Tcp, local);
            Table.LocalPorts.Reserve(IpProtocol.Udp, local);
        }

        foreach (var service in snapshot.Services)
        {
            // NAT64: an IPv6 service's IPv4 local addresses get their IPv6-table port maps too.
            if (service.Key.Address6 is not null)
            {
                foreach (var local in service.Config.LocalAddresses)
                {
                    Table6.ReserveLocal(Packets.Ipv6.Nat64Translator.MapIpv4(local));
                }
            }
        }

        foreach (var local in snapshot.LocalAddresses6)
        {
            Table.LocalPorts.Reserve(IpProtocol.Tcp, local);
            Table.LocalPorts.Reserve(IpProtocol.Udp, local);
            Table6.ReserveLocal(local);
        }

        // One announcement is enough: worker 0 sends it. A standby director announces nothing.
        if (_workerIndex == 0 && _state.Active)
        {
            _arp.Announce(snapshot.OwnedAddresses);
            _neighborDiscovery.Announce(snapshot.OwnedAddresses6);
        }
    }
}
