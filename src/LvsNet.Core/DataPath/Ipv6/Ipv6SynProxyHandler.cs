using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath.SynProxy;
using LvsNet.Core.Runtime;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Packets.Writing;

namespace LvsNet.Core.DataPath.Ipv6;

/// <summary>
/// The SYN proxy of IPv6 NAT and FULLNAT services with <c>syn_proxy</c>: the same handshake as the
/// IPv4 <see cref="SynProxyHandler"/> over the IPv6 table. A client's SYN is answered with a
/// SYN-ACK whose sequence number is a SYN cookie over the IPv6 four-tuple
/// (<see cref="SynCookies"/>) and nothing is kept; an ACK that proves its cookie creates the
/// connection through the usual scheduling and flood defences, and the director opens the real
/// server's half with the client's own ISN (from the client's address for NAT, from the local
/// address for FULLNAT). The real server's SYN-ACK is completed with an ACK (carrying the 20-byte
/// IPv6 TOA option when the FULLNAT service has <c>toa</c>), and from then on the NAT and FULLNAT
/// forwarders shift the sequence numbers between the halves (server → client: seq − Δ; client →
/// server: ack + Δ, Δ = server ISN − cookie).
/// </summary>
/// <remarks>
/// <para>As the IPv4 proxy: the SYN-ACK offers an MSS only (from the same table; the client's offer
/// is capped at MTU − 40 − 20, which also fits NAT64's replies once translated), no window scaling,
/// SACK or timestamps; one client segment with data is held while the server's half opens. NAT64
/// (an IPv4 fullnat real server): the server's half is an IPv4 handshake from the connection's
/// IPv4 local address (<see cref="OnServerSegment4"/>), its ACK carrying the 20-byte TOA with
/// <c>toa</c>; <see cref="Nat64Forwarder"/> shifts the spliced segments.</para>
/// <para>Thread contract: one per capture thread; nothing is allocated per packet.</para>
/// </remarks>
internal sealed class Ipv6SynProxyHandler
{
    private const ushort Window = 65535;
    private const int HeldFrames = 64;

    private readonly Ipv6ConnectionTable _table;
    private readonly DataPathCounters _counters;
    private readonly DataPathState _state;
    private readonly Egress _egress;
    private readonly Ipv6Egress _out;
    private readonly SynCookies _cookies = new();
    private readonly int _mtu;
    private byte[] _held = [];
    private int[] _heldOwner = [];
    private int[] _heldLength = [];
    private int[] _heldL2 = [];
    private int[] _heldOffset = [];
    private int _heldCount;
    private ushort _identification;

    public Ipv6SynProxyHandler(Ipv6ConnectionTable table, DataPathCounters counters, DataPathState state, Egress egress, Ipv6Egress output, SequenceShifts shifts, int mtu)
    {
        _table = table;
        _counters = counters;
        _state = state;
        _egress = egress;
        _out = output;
        Shifts = shifts;
        _mtu = mtu;
    }

    /// <summary>The per-connection cookie, then shift, of the IPv6 table.</summary>
    public SequenceShifts Shifts { get; }

    /// <summary>The client handler whose scheduling creates connections and whose forwarders send held segments (set once by the pipeline).</summary>
    public Ipv6ClientHandler Clients { get; set; } = null!;

    /// <summary>Whether an IPv6 service of the current snapshot has <c>syn_proxy</c>.</summary>
    public bool Enabled { get; private set; }

    /// <summary>Takes a new snapshot; the per-connection shifts and held buffers are allocated the first time an IPv6 service asks for the proxy.</summary>
    public void Configure(LvsSnapshot snapshot)
    {
        var enabled = false;
        foreach (var service in snapshot.Config.VirtualServices)
        {
            enabled |= service.SynProxy && service.IsIpv6;
        }

        if (enabled && _held.Length == 0)
        {
            Shifts.EnsureAllocated(_table.Capacity);
            _held = GC.AllocateUninitializedArray<byte>(HeldFrames * (_mtu + 32));
            _heldOwner = new int[HeldFrames];
            _heldLength = new int[HeldFrames];
            _heldL2 = new int[HeldFrames];
            _heldOffset = new int[HeldFrames];
            Array.Fill(_heldOwner, -1);
        }

        Enabled = enabled;
    }

    /// <summary>The largest MSS the cookie SYN-ACK offers: what fits the MTU under a fixed IPv6 header and a TCP header.</summary>
    public ushort MssCeiling => (ushort)(_mtu - Ipv6Header.Length - TcpHeader.MinLength);

    /// <summary>A client's SYN to a proxied IPv6 service: answered with a cookie SYN-ACK, nothing kept.</summary>
    public void AnswerSyn(ReadOnlySpan<byte> frame, Ipv6Header ip, TcpHeader tcp)
    {
        var offered = TcpSegmentWriter.ReadMss(tcp.Options);
        var cookie = _cookies.Make(ip.Source, tcp.SourcePort, ip.Destination, tcp.DestinationPort, tcp.SequenceNumber, _state.Now, offered == 0 ? (ushort)536 : Math.Min(offered, MssCeiling), out var mss);
        var scratch = _egress.Scratch;

        // Straight back to the MAC the SYN came from (the client, or its router), as ICMPv6 errors go.
        var length = Ipv6TcpSegmentWriter.WriteFrame6(
            scratch, MacAddress.Read(frame.Slice(MacAddress.Length)), _egress.Mac, ip.Destination, tcp.DestinationPort, ip.Source, tcp.SourcePort,
            cookie, tcp.SequenceNumber + 1, TcpFlags.Syn | TcpFlags.Ack, Window, mss);
        if (_egress.Send(scratch.Slice(0, length)))
        {
            _counters._synCookiesSent++;
        }
        else
        {
            _counters.Drop(DropReason.SendFailed);
        }
    }

    /// <summary>
    /// A client's ACK for no connection to a proxied IPv6 service (<paramref name="offset"/>: its TCP
    /// header's offset in the packet): when it proves its cookie, the connection is created and the
    /// real server's half opened; returns its index, or −1 (counted). The ACK itself is not
    /// forwarded (its data, if any, is held until the real server answers).
    /// </summary>
    public int Open(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, int offset, TcpHeader tcp, in Ipv6ConnectionKey key, LvsSnapshot snapshot)
    {
        var clientIsn = tcp.SequenceNumber - 1;
        var cookie = tcp.AcknowledgmentNumber - 1;
        if (!_cookies.TryCheck(ip.Source, tcp.SourcePort, ip.Destination, tcp.DestinationPort, clientIsn, cookie, _state.Now, out var mss))
        {
            _counters.Drop(DropReason.SynCookieInvalid);
            return -1;
        }

        _counters._synCookiesValid++;
        var index = Clients.Create(in key, snapshot, frame, ip, offset, out var server);
        if (index < 0)
        {
            return -1;
        }

        if (server!.Method is not (ForwardingMethod.Nat or ForwardingMethod.FullNat) || (!server.IsIpv6 && server.Method != ForwardingMethod.FullNat))
        {
            // The configuration refuses syn_proxy with other servers; a reload between SYN and ACK is not trusted either.
            _table.Remove(index, _state.Servers);
            _counters.Drop(DropReason.SynProxyPending);
            return -1;
        }

        _table.SetFlags(index, ConnectionFlags.SynProxy | ConnectionFlags.SynProxyPending, ConnectionFlags.None);
        Shifts[index] = cookie;
        _table.OnClientPacket(index, ConnectionState.SynRecv, _state.Timeouts[ConnectionState.SynRecv], _state.Now, server);
        _counters._synProxyOpened++;

        // The SYN the client would have sent, with its ISN, to RIP:rport: from the client's address and
        // port (NAT), or from the connection's local address and port (FULLNAT).
        var port = server.Port != 0 ? server.Port : key.VirtualPort;
        ref readonly var entry = ref _table[index];
        var fullNat = server.Method == ForwardingMethod.FullNat;
        var (source, sourcePort) = fullNat ? (entry.LocalAddress, entry.LocalPort) : (ip.Source, tcp.SourcePort);
        var scratch = _egress.Scratch;
        if (!server.IsIpv6)
        {
            // NAT64: the IPv4 SYN from the connection's IPv4 local address (held in its IPv4-mapped form).
            var length4 = TcpSegmentWriter.WriteFrame(
                scratch, default, _egress.Mac, (uint)entry.LocalAddress.Low, entry.LocalPort, server.Address, port, clientIsn, 0, TcpFlags.Syn, Window, mss, NextIdentification());
            _egress.Transmit(scratch.Slice(0, length4), _egress.NextHop(server.Address));
        }
        else
        {
            var length = Ipv6TcpSegmentWriter.WriteFrame6(scratch, default, _egress.Mac, source, sourcePort, server.Address6, port, clientIsn, 0, TcpFlags.Syn, Window, mss);
            _out.Transmit(scratch.Slice(0, length), fullNat ? _out.NextHop(server.Address6) : server.Address6);
        }

        if (tcp.Payload.Length > 0)
        {
            Hold(frame, l2Length, offset, index);
        }

        return index;
    }

    /// <summary>A client's segment while the real server's half is opening: one with data is held, the rest dropped.</summary>
    public void OnPendingClientSegment(ReadOnlySpan<byte> frame, int l2Length, int offset, TcpHeader tcp, int index)
    {
        if (tcp.Payload.Length == 0 || !Hold(frame, l2Length, offset, index))
        {
            _counters.Drop(DropReason.SynProxyPending);
        }
    }

    /// <summary>
    /// The real server's answer while its half is opening: a SYN-ACK completes it (ACK to the
    /// server, shift fixed, held data sent on); a reset is passed to the client in its sequence
    /// space and the connection is forgotten. Nothing of it reaches the client otherwise.
    /// </summary>
    public void OnServerSegment(Ipv6Header ip, TcpHeader tcp, int index, RealServerState server)
    {
        if (!TryComplete(tcp, index, server))
        {
            return;
        }

        ref readonly var entry = ref _table[index];
        var serverIsn = tcp.SequenceNumber;

        // The ACK the client would have sent (to the server it comes from the reply's destination: the
        // client, or the FULLNAT local address): its next sequence number is what the server acknowledged.
        var ack = _egress.Scratch;
        var ackLength = Ipv6TcpSegmentWriter.WriteFrame6(
            ack, default, _egress.Mac, ip.Destination, tcp.DestinationPort, ip.Source, tcp.SourcePort,
            tcp.AcknowledgmentNumber, serverIsn + 1, TcpFlags.Ack, Window, 0);
        var fullNat = server.Method == ForwardingMethod.FullNat;
        if (fullNat && (entry.Flags & ConnectionFlags.ToaDone) == 0 && _table.TryClaimToa(index))
        {
            // FULLNAT with TOA: the real server's TOA module reads the client's address from the
            // handshake's ACK, which the director writes here.
            var grown = Ipv6TcpOptionWriter.InsertToa6(ack.Slice(EthernetHeader.Length), Ipv6Header.Length, _mtu, entry.ClientAddress, entry.ClientPort);
            if (grown > 0)
            {
                ackLength = EthernetHeader.Length + grown;
                _counters._toaInserted++;
            }
        }

        _out.Transmit(ack.Slice(0, ackLength), fullNat ? _out.NextHop(ip.Source) : ip.Source);
        SendHeld(index, server);
    }

    /// <summary>
    /// NAT64: the IPv4 real server's answer while its half opens, as <see cref="OnServerSegment"/>;
    /// the director's ACK goes from the IPv4 local address, with the client's IPv6 address in the
    /// 20-byte TOA when the service has <c>toa</c>.
    /// </summary>
    public void OnServerSegment4(Ipv4Header ip, TcpHeader tcp, int index, RealServerState server)
    {
        if (!TryComplete(tcp, index, server))
        {
            return;
        }

        ref readonly var entry = ref _table[index];
        var serverIsn = tcp.SequenceNumber;
        var ack = _egress.Scratch;
        var ackLength = TcpSegmentWriter.WriteFrame(
            ack, default, _egress.Mac, ip.Destination, tcp.DestinationPort, ip.Source, tcp.SourcePort,
            tcp.AcknowledgmentNumber, serverIsn + 1, TcpFlags.Ack, Window, 0, NextIdentification());
        if ((entry.Flags & ConnectionFlags.ToaDone) == 0 && _table.TryClaimToa(index))
        {
            var grown = Ipv6TcpOptionWriter.InsertToa(ack.Slice(EthernetHeader.Length), _mtu, entry.ClientAddress, entry.ClientPort);
            if (grown > 0)
            {
                ackLength = EthernetHeader.Length + grown;
                _counters._toaInserted++;
            }
        }

        _egress.Transmit(ack.Slice(0, ackLength), _egress.NextHop(ip.Source));
        SendHeld(index, server);
    }

    // A reset is passed to the client (in the cookie's sequence space) and the connection goes; a
    // SYN-ACK fixes the shift and establishes the connection (true: the caller sends the ACK).
    private bool TryComplete(TcpHeader tcp, int index, RealServerState server)
    {
        var flags = tcp.Flags;
        ref readonly var entry = ref _table[index];
        var cookie = Shifts[index];
        if ((flags & TcpFlags.Rst) != 0)
        {
            var scratch = _egress.Scratch;
            var length = Ipv6TcpSegmentWriter.WriteFrame6(
                scratch, default, _egress.Mac, entry.VirtualAddress, entry.VirtualPort, entry.ClientAddress, entry.ClientPort,
                cookie + 1, 0, TcpFlags.Rst, 0, 0);
            _out.Transmit(scratch.Slice(0, length), _out.NextHop(entry.ClientAddress));
            DropHeld(index);
            _table.Remove(index, _state.Servers);
            return false;
        }

        if ((flags & (TcpFlags.Syn | TcpFlags.Ack)) != (TcpFlags.Syn | TcpFlags.Ack))
        {
            _counters.Drop(DropReason.SynProxyPending);
            return false;
        }

        Shifts[index] = tcp.SequenceNumber - cookie;
        _table.SetFlags(index, ConnectionFlags.None, ConnectionFlags.SynProxyPending);
        _table.OnReplySeen(index);
        _table.Transition(index, ConnectionState.Established, _state.Timeouts[ConnectionState.Established], _state.Now, server);
        return true;
    }

    // Identifications of the IPv4 segments the director writes (DF set; RFC 6864 lets them repeat, a counter does not).
    private ushort NextIdentification() => ++_identification;

    private bool Hold(ReadOnlySpan<byte> frame, int l2Length, int offset, int index)
    {
        var bufferBytes = _mtu + 32;
        if (_heldCount == HeldFrames || frame.Length > bufferBytes)
        {
            return false;
        }

        var free = -1;
        for (var i = 0; i < HeldFrames; i++)
        {
            if (_heldOwner[i] == index)
            {
                // One segment a connection; a later one is retransmitted by the client anyway.
                return false;
            }

            free = free < 0 && _heldOwner[i] < 0 ? i : free;
        }

        frame.CopyTo(_held.AsSpan(free * bufferBytes));
        _heldOwner[free] = index;
        _heldLength[free] = frame.Length;
        _heldL2[free] = l2Length;
        _heldOffset[free] = offset;
        _heldCount++;
        return true;
    }

    private void SendHeld(int index, RealServerState server)
    {
        for (var i = 0; _heldCount > 0 && i < HeldFrames; i++)
        {
            if (_heldOwner[i] != index)
            {
                continue;
            }

            var frame = _held.AsSpan(i * (_mtu + 32), _heldLength[i]);
            _heldOwner[i] = -1;
            _heldCount--;
            if (Ipv6Header.TryParse(frame.Slice(_heldL2[i]), out var ip))
            {
                var chain = new Ipv6Chain { UpperLayer = (byte)IpProtocol.Tcp, UpperLayerOffset = _heldOffset[i], FragmentHeaderOffset = -1 };
                Clients.ForwardFragment(frame, _heldL2[i], ip, in chain, server, index);
            }
        }
    }

    private void DropHeld(int index)
    {
        for (var i = 0; _heldCount > 0 && i < HeldFrames; i++)
        {
            if (_heldOwner[i] == index)
            {
                _heldOwner[i] = -1;
                _heldCount--;
                _counters.Drop(DropReason.SynProxyPending);
            }
        }
    }

    /// <summary>Forgets held segments of connections that went away before their server answered; called once per tick.</summary>
    public void Maintain()
    {
        for (var i = 0; _heldCount > 0 && i < HeldFrames; i++)
        {
            var owner = _heldOwner[i];
            if (owner >= 0 && (_table[owner].Flags & ConnectionFlags.SynProxyPending) == 0)
            {
                _heldOwner[i] = -1;
                _heldCount--;
                _counters.Drop(DropReason.SynProxyPending);
            }
        }
    }
}
