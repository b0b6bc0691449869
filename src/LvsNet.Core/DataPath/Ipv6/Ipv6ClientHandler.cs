using System.Runtime.CompilerServices;
using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath.Defence;
using LvsNet.Core.Runtime;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.DataPath.Ipv6;

/// <summary>
/// A client's TCP segment or UDP datagram to an IPv6 VIP: the connection is looked up in the IPv6
/// table (or scheduled and created), its state moves on, and the frame goes to its real server by
/// direct routing (only the MACs change), NAT (<see cref="Ipv6NatForwarder"/>) or FULLNAT
/// (<see cref="Ipv6FullNatForwarder"/>, Ipv6ClientHandler.FullNat.cs); the hop limit is
/// decremented as IPVS does for every method.
/// </summary>
/// <remarks>
/// Schedulers see an IPv6 flow through <see cref="FlowInfo"/> with the addresses folded (the XOR of
/// their four 32-bit words), which is what the kernel's sh, dh and mh hash for IPv6
/// (<c>ip_vs_sh_hashkey</c>, <c>ip_vs_dh_hashkey</c>, <c>ip_vs_mh_hashkey</c>). lblc and lblcr key
/// their cache by the folded destination: the kernel hashes the folded address too
/// (<c>ip_vs_lblc_hashkey</c>) but compares the whole address in the entry, which only differs
/// when two destinations of one service fold alike, and an IPv6 address service has one VIP.
/// rr, wrr, lc, wlc and the other load-based schedulers do not look at addresses.
/// </remarks>
internal sealed partial class Ipv6ClientHandler
{
    private readonly Ipv6ConnectionTable _table;
    private readonly Ipv6Egress _out;
    private readonly Ipv6NatForwarder _nat;
    private readonly DataPathCounters _counters;
    private readonly DataPathState _state;
    private readonly Egress _egress;
    private readonly FloodDefence _defence;
    private readonly bool _sharedSchedulers;
    private readonly Icmpv6ErrorSender _errors;
    private readonly Ipv6FullNatForwarder _fullNat;

    /// <summary>TUN to IPv6 or IPv4 real servers (set once at construction by the pipeline).</summary>
    public Ipv6TunnelForwarder Tunnel { get; init; } = null!;

    /// <summary>NAT64 to IPv4 fullnat real servers (set once at construction by the pipeline).</summary>
    public Nat64Forwarder Nat64 { get; init; } = null!;

    /// <summary>The SYN proxy of IPv6 services with <c>syn_proxy</c> (set once at construction by the pipeline; none in tests that do not need it).</summary>
    public Ipv6SynProxyHandler? SynProxy { get; init; }

    public Ipv6ClientHandler(Ipv6ConnectionTable table, DataPathCounters counters, DataPathState state, Egress egress, Ipv6Egress output, Ipv6NatForwarder nat, FloodDefence defence, bool sharedSchedulers, Icmpv6ErrorSender errors, Ipv6FullNatForwarder fullNat)
    {
        _fullNat = fullNat;
        _errors = errors;
        _table = table;
        _out = output;
        _nat = nat;
        _counters = counters;
        _state = state;
        _egress = egress;
        _defence = defence;
        _sharedSchedulers = sharedSchedulers;
    }

    /// <summary>A TCP segment (or, with <paramref name="firstFragment"/>, a first fragment) to a VIP (<paramref name="offset"/>: the TCP header's offset in the IPv6 packet); returns its connection's index when it was forwarded, else −1 (dropped and counted).</summary>
    public int HandleTcp(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, int offset, LvsSnapshot snapshot, bool firstFragment = false)
    {
        if (!TcpHeader.TryParse(ip.Packet.Slice(offset), out var tcp))
        {
            _counters.Drop(DropReason.MalformedTcp);
            return -1;
        }

        var flags = tcp.Flags;
        if (!TcpFlagRules.IsValid(flags) || tcp.SourcePort == 0 || tcp.DestinationPort == 0)
        {
            _counters.Drop(TcpFlagRules.IsValid(flags) ? DropReason.PortZero : DropReason.InvalidTcpFlags);
            return -1;
        }

        var isSyn = TcpFlagRules.CanOpen(flags);
        var key = new Ipv6ConnectionKey(IpProtocol.Tcp, ip.Source, tcp.SourcePort, ip.Destination, tcp.DestinationPort);
        var table = _table;
        var index = table.Find(key);
        RealServerState? server = null;
        if (index >= 0)
        {
            ref readonly var existing = ref table[index];
            server = _state.ServerOf(existing.RealServerId);

            // A new SYN on a closing tuple is a new connection (IPVS conn_reuse_mode 1).
            if (isSyn && (existing.State is ConnectionState.TimeWait or ConnectionState.Close
                || (_state.ExpireNodest && server is not null && server.Weight == 0)))
            {
                table.Remove(index, _state.Servers);
                _counters._connectionsReused++;
                index = -1;
            }
            else if (server is null || !server.IsAvailable)
            {
                if (!_state.ExpireNodest)
                {
                    _counters.Drop(DropReason.ServerRemoved);
                    return -1;
                }

                table.Remove(index, _state.Servers);
                index = -1;
            }
        }

        if (index < 0)
        {
            if (SynProxy is { Enabled: true } proxy && !firstFragment && (isSyn || (flags & (TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) == 0)
                && FindService(in key, snapshot) is { Config.SynProxy: true })
            {
                // SYN proxy: a SYN gets a cookie; only an ACK that proves one opens a connection.
                if (isSyn)
                {
                    proxy.AnswerSyn(frame, ip, tcp);
                }
                else
                {
                    proxy.Open(frame, l2Length, ip, offset, tcp, in key, snapshot);
                }

                return -1;
            }

            if (!isSyn)
            {
                _counters.Drop((flags & TcpFlags.Syn) != 0 ? DropReason.TcpCannotOpen : DropReason.NoConnection);
                return -1;
            }

            index = Create(in key, snapshot, frame, ip, offset, out server);
            if (index < 0)
            {
                return -1;
            }
        }

        if ((table[index].Flags & ConnectionFlags.SynProxyPending) != 0)
        {
            // The real server's half is still opening: one segment with data waits, the rest are dropped.
            if (firstFragment)
            {
                _counters.Drop(DropReason.SynProxyPending);
            }
            else
            {
                SynProxy!.OnPendingClientSegment(frame, l2Length, offset, tcp, index);
            }

            return -1;
        }

        // NAT sees the replies too (IPVS's input table); DR does not (NOOUTPUT, the input-only table).
        var direction = (table[index].Flags & ConnectionFlags.NoOutput) != 0 ? TcpDirection.InputOnly : TcpDirection.Input;
        var state = TcpStateMachine.Next(table[index].State, direction, flags, _state.SecureTcp);
        table.OnClientPacket(index, state, _state.Timeouts[state], _state.Now, server);
        if (_state.SyncMaster is { } sync)
        {
            _state.SyncProducer!.OnClientPacket6(table, index, _state.Servers, sync, _state.Now);
        }

        return Forward(frame, l2Length, ip, offset, IpProtocol.Tcp, server!, index, firstFragment);
    }

    /// <summary>
    /// A UDP datagram (or, with <paramref name="firstFragment"/>, the first fragment of one) to a VIP
    /// (<paramref name="offset"/>: the UDP header's offset in the IPv6 packet); returns its
    /// connection's index when it was forwarded, else −1 (dropped and counted).
    /// </summary>
    public int HandleUdp(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, int offset, LvsSnapshot snapshot, bool firstFragment = false)
    {
        var datagram = ip.Packet.Slice(offset);
        if (!(firstFragment ? UdpHeader.TryParseFirstFragment(datagram, out var udp) : UdpHeader.TryParse(datagram, out udp)))
        {
            _counters.Drop(DropReason.MalformedUdp);
            return -1;
        }

        if (udp.SourcePort == 0 || udp.DestinationPort == 0)
        {
            _counters.Drop(DropReason.PortZero);
            return -1;
        }

        var key = new Ipv6ConnectionKey(IpProtocol.Udp, ip.Source, udp.SourcePort, ip.Destination, udp.DestinationPort);
        var table = _table;
        var index = table.Find(key);
        RealServerState? server = null;
        if (index >= 0)
        {
            server = _state.ServerOf(table[index].RealServerId);
            if (server is null || !server.IsAvailable)
            {
                if (!_state.ExpireNodest)
                {
                    _counters.Drop(DropReason.ServerRemoved);
                    return -1;
                }

                table.Remove(index, _state.Servers);
                index = -1;
            }
        }

        if (index < 0 && FindService(in key, snapshot) is { Config.OnePacketScheduling: true } opsService)
        {
            // One-packet scheduling: each datagram is scheduled on its own and no entry is kept, so
            // there is nothing for a datagram's later fragments to follow.
            if (firstFragment)
            {
                _counters.Drop(DropReason.Fragment);
                return -1;
            }

            ForwardOnePacket(frame, l2Length, ip, offset, in key, opsService);
            return -1;
        }

        if (index < 0)
        {
            index = Create(in key, snapshot, frame, ip, offset, out server);
            if (index < 0)
            {
                return -1;
            }
        }

        table.OnClientPacket(index, ConnectionState.Udp, _state.Timeouts[ConnectionState.Udp], _state.Now, server);
        if (_state.SyncMaster is { } sync)
        {
            _state.SyncProducer!.OnClientPacket6(table, index, _state.Servers, sync, _state.Now);
        }

        return Forward(frame, l2Length, ip, offset, IpProtocol.Udp, server!, index, firstFragment);
    }

    /// <summary>
    /// The IPv6 service of a key, in the kernel's order (ip_vs_service_find): the IPv6 firewall-mark
    /// service of the packet's mark when a rule marks it, else its exact (protocol, VIP, port).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VirtualServiceState? FindService(in Ipv6ConnectionKey key, LvsSnapshot snapshot)
    {
        if (snapshot.FirewallMarks6 is { } marks && FindMarked(marks, in key, snapshot) is { } marked)
        {
            return marked;
        }

        return snapshot.ServicesByKey.TryGetValue(new ServiceKey(key.Protocol, 0, key.VirtualPort, 0, key.VirtualAddress), out var service) ? service : null;
    }

    // Only configurations with IPv6 firewall-mark services get here; the address:port lookup stays as it was.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static VirtualServiceState? FindMarked(Ipv6FirewallMarkTable marks, in Ipv6ConnectionKey key, LvsSnapshot snapshot)
    {
        var mark = marks.Classify(key.Protocol, key.VirtualAddress, key.VirtualPort);
        return mark != 0 && snapshot.ServicesByKey.TryGetValue(ServiceKey.ForMark(mark, ipv6: true), out var service) ? service : null;
    }

    /// <summary>Schedules and inserts a new connection for <paramref name="key"/> (the SYN proxy's too); −1 when refused (counted).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal int Create(in Ipv6ConnectionKey key, LvsSnapshot snapshot, ReadOnlySpan<byte> frame, Ipv6Header ip, int offset, out RealServerState? server)
    {
        server = null;
        var service = FindService(in key, snapshot);
        if (service is null)
        {
            _counters.Drop(DropReason.NoService);
            return -1;
        }

        if (!_defence.AdmitsNewConnectionFrom(key.ClientAddress))
        {
            _counters.Drop(DropReason.SourceRateLimited);
            return -1;
        }

        if (_defence.ShouldDropNewConnection())
        {
            _counters.Drop(DropReason.DefenceDropPacket);
            return -1;
        }

        var flow = new FlowInfo(key.Protocol, key.ClientAddress.Fold(), key.ClientPort, key.VirtualAddress.Fold(), key.VirtualPort);
        var template = -1;
        server = service.Config.PersistenceTimeout is null ? Schedule(service, in flow) : SchedulePersistent(in key, service, in flow, out template);
        if (server is null)
        {
            if (template != -2)
            {
                RefuseNoDestination(frame, ip, offset, key.Protocol);
            }

            return -1;
        }

        var localAddress = default(Ipv6Address);
        if (server.Method == ForwardingMethod.FullNat && !(server.IsIpv6 ? TryPickLocalAddress(in key, service, out localAddress) : TryPickLocalAddress4(in key, service, out localAddress)))
        {
            _counters.Drop(DropReason.NoLocalPort);
            server = null;
            return -1;
        }

        var flags = server.Method is ForwardingMethod.Nat or ForwardingMethod.FullNat ? ConnectionFlags.None : ConnectionFlags.NoOutput;
        if (server.Method == ForwardingMethod.FullNat && !(service.Config.Toa && key.Protocol == IpProtocol.Tcp))
        {
            // Decided once here, so that established packets never look the service up again.
            flags |= ConnectionFlags.ToaDone;
        }

        var index = _table.Insert(in key, server.Id, flags, _state.Now);
        if (index < 0)
        {
            _counters.Drop(DropReason.TableFull);
            server = null;
            return -1;
        }

        if (server.Method == ForwardingMethod.FullNat)
        {
            // A free port was seen above; the bind cannot fail on this thread.
            _table.TryBindLocal(index, localAddress);
        }

        if (template >= 0)
        {
            _table.Attach(index, template, _state.Now);
        }

        server.OnConnectionCreated();
        _counters._connectionsCreated++;
        return index;
    }

    /// <summary>To the connection's server by its method; returns <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Forward(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, int offset, IpProtocol protocol, RealServerState server, int index, bool firstFragment)
    {
        // An unfragmented packet or a first fragment: the upper layer is at offset, with its ports.
        var chain = new Ipv6Chain { UpperLayer = (byte)protocol, UpperLayerOffset = offset, FragmentHeaderOffset = -1, IsFragment = firstFragment };
        ForwardFragment(frame, l2Length, ip, in chain, server, index);
        return index;
    }

    /// <summary>
    /// A packet (or a fragment of a datagram whose first fragment was forwarded; <paramref name="chain"/>
    /// is its walked chain) to the connection's server by its method. DR: the frame, copied once
    /// into the scratch buffer, gets the hop limit − 1, the director's source MAC and the real
    /// server's MAC from neighbour discovery (held while it resolves). NAT:
    /// <see cref="Ipv6NatForwarder"/>; FULLNAT: <see cref="Ipv6FullNatForwarder"/>; TUN:
    /// <see cref="Ipv6TunnelForwarder"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ForwardFragment(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, in Ipv6Chain chain, RealServerState server, int index)
    {
        if (server.Method == ForwardingMethod.Nat)
        {
            _nat.Forward(frame, l2Length, ip, in chain, server, _table[index].VirtualPort, AcknowledgmentShift(in chain, index));
            return;
        }

        if (server.Method == ForwardingMethod.FullNat)
        {
            if (!server.IsIpv6)
            {
                if (chain.IsFragment)
                {
                    // RFC 7915 §5.1.1: each fragment becomes an IPv4 fragment.
                    Nat64.ForwardFragment(frame, l2Length, ip, in chain, in _table[index], server);
                    return;
                }

                Nat64.Forward(frame, l2Length, ip, in chain, in _table[index], server, ClaimToa(ip, in chain, index), AcknowledgmentShift(in chain, index));
                return;
            }

            _fullNat.Forward(frame, l2Length, ip, in chain, in _table[index], server, ClaimToa(ip, in chain, index), AcknowledgmentShift(in chain, index));
            return;
        }

        if (server.Method == ForwardingMethod.Tunnel)
        {
            Tunnel.Forward(frame, l2Length, ip, in chain, server);
            return;
        }

        var length = ip.Packet.Length;
        var scratch = _egress.BeginRewrite(frame.Slice(0, l2Length + length), l2Length, out var packet);
        if (!Ipv6Writer.DecrementHopLimit(packet))
        {
            _counters.Drop(DropReason.TtlExceeded);
            return;
        }

        _egress.Mac.WriteTo(scratch.Slice(MacAddress.Length));
        server.OnInbound(_egress.Worker, length);
        _out.Transmit(scratch, server.Address6);
    }

    /// <summary>
    /// FULLNAT and NAT64 with TOA: whether this packet carries the client's address — the first one
    /// after the SYN that is neither a SYN nor a reset (the ACK that completes the handshake, where a
    /// real server's TOA module reads it), never a fragment (the option would move data whose other
    /// pieces travel apart).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool ClaimToa(Ipv6Header ip, in Ipv6Chain chain, int index) =>
        (_table[index].Flags & ConnectionFlags.ToaDone) == 0
        && !chain.IsFragment
        && chain.UpperLayer == (byte)IpProtocol.Tcp
        && (ip.Packet[chain.UpperLayerOffset + 13] & (byte)(TcpFlags.Syn | TcpFlags.Rst)) == 0
        && _table.TryClaimToa(index);

    // Spliced by the SYN proxy: the client acknowledges the cookie's sequence space (ack + Δ).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint AcknowledgmentShift(in Ipv6Chain chain, int index) =>
        (_table[index].Flags & ConnectionFlags.SynProxy) != 0 && chain.UpperLayer == (byte)IpProtocol.Tcp && chain.FragmentOffset == 0
            ? SynProxy!.Shifts[index]
            : 0;
}
