using LvsNet.Core.Connections;
using LvsNet.Core.DataPath.Forwarding;
using LvsNet.Core.DataPath.NewFlows;
using LvsNet.Core.Runtime;
using LvsNet.Packets;
using LvsNet.Packets.Writing;

namespace LvsNet.Core.DataPath.SynProxy;

/// <summary>
/// The SYN proxy of NAT and FULLNAT services with <c>syn_proxy</c> (as DPVS's): the director
/// answers a client's SYN itself with a SYN-ACK whose sequence number is a SYN cookie and keeps
/// nothing; only an ACK that proves the cookie creates a connection (through the usual scheduling,
/// rate limits and flood defences) and makes the director open the real server's half with the
/// client's own initial sequence number. When the real server's SYN-ACK comes back the director
/// completes that half with an ACK, and from then on shifts the sequence numbers of every segment
/// between the two halves (server → client: seq − Δ; client → server: ack + Δ, Δ = server ISN −
/// cookie).
/// </summary>
/// <remarks>
/// <para>Limits (docs/hardening.md): the SYN-ACK offers MSS only — no window scaling, SACK or
/// timestamps, which a stateless cookie cannot remember — and the SYN to the real server asks for
/// none either, so the connection runs with 64 KiB windows and without SACK. While the real
/// server's half opens, one client segment with data is held and sent after it; others are
/// dropped (the client retransmits). NAT and FULLNAT (whose server half is opened from the local
/// address, with TOA in the director's ACK); DR and TUN are refused by the configuration. The
/// shift is not synchronised to a backup director.</para>
/// <para>Thread contract: one per capture thread; nothing is allocated per packet.</para>
/// </remarks>
internal sealed class SynProxyHandler
{
    private const ushort Window = 65535;
    private const int HeldFrames = 256;

    private readonly ConnectionTable _table;
    private readonly DataPathCounters _counters;
    private readonly DataPathState _state;
    private readonly Egress _egress;
    private readonly NewFlowScheduler _newFlows;
    private readonly ForwarderSet _forwarders;
    private readonly SynCookies _cookies = new();
    private readonly SequenceShifts _sequence;
    private readonly int _capacity;
    private readonly int _mtu;
    private byte[] _held = [];
    private int[] _heldOwner = [];
    private int[] _heldLength = [];
    private int _heldCount;
    private ushort _identification;

    public SynProxyHandler(ConnectionTable table, DataPathCounters counters, DataPathState state, Egress egress, NewFlowScheduler newFlows, ForwarderSet forwarders, SequenceShifts shifts, int mtu)
    {
        _sequence = shifts;
        _table = table;
        _counters = counters;
        _state = state;
        _egress = egress;
        _newFlows = newFlows;
        _forwarders = forwarders;
        _capacity = table.Capacity;
        _mtu = mtu;
    }

    /// <summary>Whether a service of the current snapshot has <c>syn_proxy</c>.</summary>
    public bool Enabled { get; private set; }

    /// <summary>Takes a new snapshot; the per-connection shifts and held buffers are allocated the first time a service asks for the proxy.</summary>
    public void Configure(LvsSnapshot snapshot)
    {
        var enabled = false;
        foreach (var service in snapshot.Config.VirtualServices)
        {
            enabled |= service.SynProxy && !service.IsIpv6;
        }

        if (enabled && _held.Length == 0)
        {
            _sequence.EnsureAllocated(_capacity);
            _held = GC.AllocateUninitializedArray<byte>(HeldFrames * (_mtu + 32));
            _heldOwner = new int[HeldFrames];
            _heldLength = new int[HeldFrames];
            Array.Fill(_heldOwner, -1);
        }

        Enabled = enabled;
    }

    /// <summary>A client's SYN to a proxied service: answered with a cookie SYN-ACK, nothing kept.</summary>
    public void AnswerSyn(ReadOnlySpan<byte> frame, Ipv4Header ip, TcpHeader tcp)
    {
        var offered = TcpSegmentWriter.ReadMss(tcp.Options);
        var limit = (ushort)(_mtu - Ipv4Header.MinLength - TcpHeader.MinLength);
        var cookie = _cookies.Make(ip.Source, tcp.SourcePort, ip.Destination, tcp.DestinationPort, tcp.SequenceNumber, _state.Now, offered == 0 ? (ushort)536 : Math.Min(offered, limit), out var mss);
        var scratch = _egress.Scratch;

        // Straight back to the MAC the SYN came from (the client, or its gateway), as ICMP errors go.
        var length = TcpSegmentWriter.WriteFrame(
            scratch, MacAddress.Read(frame.Slice(MacAddress.Length)), _egress.Mac, ip.Destination, tcp.DestinationPort, ip.Source, tcp.SourcePort,
            cookie, tcp.SequenceNumber + 1, TcpFlags.Syn | TcpFlags.Ack, Window, mss, _identification++);
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
    /// A client's ACK for no connection to a proxied service: when it proves its cookie, the
    /// connection is created and the real server's half opened; returns its index, or −1 (counted).
    /// The ACK itself is not forwarded (its data, if any, is held until the real server answers).
    /// </summary>
    public int Open(ReadOnlySpan<byte> frame, Ipv4Header ip, TcpHeader tcp, in ConnectionKey key, LvsSnapshot snapshot)
    {
        var clientIsn = tcp.SequenceNumber - 1;
        var cookie = tcp.AcknowledgmentNumber - 1;
        if (!_cookies.TryCheck(ip.Source, tcp.SourcePort, ip.Destination, tcp.DestinationPort, clientIsn, cookie, _state.Now, out var mss))
        {
            _counters.Drop(DropReason.SynCookieInvalid);
            return -1;
        }

        _counters._synCookiesValid++;

        var index = _newFlows.Create(frame, ip, in key, snapshot, out var server);
        if (index < 0)
        {
            return -1;
        }

        _table.SetFlags(index, ConnectionFlags.SynProxy | ConnectionFlags.SynProxyPending, ConnectionFlags.None);
        _sequence[index] = cookie;
        _table.OnClientPacket(index, ConnectionState.SynRecv, _state.Timeouts[ConnectionState.SynRecv], _state.Now, server);
        _counters._synProxyOpened++;

        // The SYN the client would have sent, with its ISN, to RIP:rport: from the client's address and
        // port (NAT), or from the connection's local address and port (FULLNAT).
        var port = server!.Port != 0 ? server.Port : key.VirtualPort;
        ref readonly var entry = ref _table[index];
        var (source, sourcePort) = entry.LocalAddress != 0 ? (entry.LocalAddress, entry.LocalPort) : (ip.Source, tcp.SourcePort);
        var scratch = _egress.Scratch;
        var length = TcpSegmentWriter.WriteFrame(
            scratch, default, _egress.Mac, source, sourcePort, server.Address, port, clientIsn, 0, TcpFlags.Syn, Window, mss, _identification++);
        _egress.Transmit(scratch.Slice(0, length), _egress.NextHop(server.Address));
        if (tcp.Payload.Length > 0)
        {
            Hold(frame, index);
        }

        return index;
    }

    /// <summary>A client's segment while the real server's half is opening: one with data is held, the rest dropped.</summary>
    public void OnPendingClientSegment(ReadOnlySpan<byte> frame, TcpHeader tcp, int index)
    {
        if (tcp.Payload.Length == 0 || !Hold(frame, index))
        {
            _counters.Drop(DropReason.SynProxyPending);
        }
    }

    /// <summary>
    /// The real server's answer while its half is opening: a SYN-ACK completes it (ACK to the
    /// server, shift fixed, held data sent on); a reset is passed to the client in its sequence
    /// space and the connection is forgotten. Nothing of it reaches the client otherwise.
    /// </summary>
    public void OnServerSegment(Ipv4Header ip, TcpHeader tcp, int index, RealServerState server)
    {
        var flags = tcp.Flags;
        ref readonly var entry = ref _table[index];
        var cookie = _sequence[index];
        if ((flags & TcpFlags.Rst) != 0)
        {
            var scratch = _egress.Scratch;
            var length = TcpSegmentWriter.WriteFrame(
                scratch, default, _egress.Mac, entry.VirtualAddress, entry.VirtualPort, entry.ClientAddress, entry.ClientPort,
                cookie + 1, 0, TcpFlags.Rst, 0, 0, _identification++);
            _egress.Transmit(scratch.Slice(0, length), _egress.NextHop(entry.ClientAddress));
            DropHeld(index);
            _table.Remove(index, _state.Servers);
            return;
        }

        if ((flags & (TcpFlags.Syn | TcpFlags.Ack)) != (TcpFlags.Syn | TcpFlags.Ack))
        {
            _counters.Drop(DropReason.SynProxyPending);
            return;
        }

        var serverIsn = tcp.SequenceNumber;
        _sequence[index] = serverIsn - cookie;
        _table.SetFlags(index, ConnectionFlags.None, ConnectionFlags.SynProxyPending);
        _table.OnReplySeen(index);
        _table.Transition(index, ConnectionState.Established, _state.Timeouts[ConnectionState.Established], _state.Now, server);

        // The ACK the client would have sent (to the server it comes from the reply's destination: the
        // client, or the FULLNAT local address): its next sequence number is what the server acknowledged.
        var ack = _egress.Scratch;
        var ackLength = TcpSegmentWriter.WriteFrame(
            ack, default, _egress.Mac, ip.Destination, tcp.DestinationPort, ip.Source, tcp.SourcePort,
            tcp.AcknowledgmentNumber, serverIsn + 1, TcpFlags.Ack, Window, 0, _identification++);
        if (entry.LocalAddress != 0 && (entry.Flags & ConnectionFlags.ToaDone) == 0 && _table.TryClaimToa(index))
        {
            // FULLNAT with TOA: the real server's TOA module reads the client's address from the
            // handshake's ACK, which the director writes here.
            var grown = TcpOptionWriter.InsertToa(ack.Slice(EthernetHeader.Length), _mtu, entry.ClientAddress, entry.ClientPort);
            if (grown > 0)
            {
                ackLength = EthernetHeader.Length + grown;
                _counters._toaInserted++;
            }
        }

        _egress.Transmit(ack.Slice(0, ackLength), _egress.NextHop(ip.Source));
        SendHeld(index, server);
    }

    private bool Hold(ReadOnlySpan<byte> frame, int index)
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
        _heldCount++;
        return true;
    }

    private void SendHeld(int index, RealServerState server)
    {
        if (_heldCount == 0)
        {
            return;
        }

        for (var i = 0; i < HeldFrames; i++)
        {
            if (_heldOwner[i] != index)
            {
                continue;
            }

            var frame = _held.AsSpan(i * (_mtu + 32), _heldLength[i]);
            _heldOwner[i] = -1;
            _heldCount--;
            if (Ipv4Header.TryParse(frame.Slice(EthernetHeader.Length), out var ip))
            {
                _forwarders.Forward(frame, EthernetHeader.Length, ip, server, index);
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
