using LvsNet.Packets;

namespace LvsNet.Core.Connections;

/// <summary>
/// The IPVS TCP state transition table (ip_vs_proto_tcp.c, <c>tcp_states</c>, secure_tcp off):
/// the next state from the current state, the packet's direction and its flags.
/// </summary>
public static class TcpStateMachine
{
    private const byte NO = (byte)ConnectionState.None;
    private const byte ES = (byte)ConnectionState.Established;
    private const byte SS = (byte)ConnectionState.SynSent;
    private const byte SR = (byte)ConnectionState.SynRecv;
    private const byte FW = (byte)ConnectionState.FinWait;
    private const byte TW = (byte)ConnectionState.TimeWait;
    private const byte CL = (byte)ConnectionState.Close;
    private const byte CW = (byte)ConnectionState.CloseWait;
    private const byte LA = (byte)ConnectionState.LastAck;
    private const byte LI = (byte)ConnectionState.Listen;
    private const byte SA = (byte)ConnectionState.SynAck;
    private const int States = 11;

    // [direction][event][state]; events: 0 syn, 1 fin, 2 ack, 3 rst. Columns in state order
    // NO ES SS SR FW TW CL CW LA LI SA.
    private static ReadOnlySpan<byte> Table =>
    [
        // INPUT
        SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR, // syn
        CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, TW, // fin
        ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES, // ack
        CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, SR, // rst

        // OUTPUT
        SS, ES, SS, SR, SS, SS, SS, SS, SS, LI, SR, // syn
        TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW, // fin
        ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES, // ack
        CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL, // rst

        // INPUT-ONLY
        SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR, // syn
        CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW, // fin
        ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES, // ack
        CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL, // rst
    ];

    // The "secure" table (ip_vs_proto_tcp.c tcp_states_dos, used while secure_tcp is active):
    // a half-open connection waits in SYN_RECV or SYNACK until the handshake really completes.
    private static ReadOnlySpan<byte> SecureTable =>
    [
        // INPUT
        SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SA, // syn
        CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, SA, // fin
        ES, ES, SS, SR, FW, TW, CL, CW, CL, LI, SA, // ack
        CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL, // rst

        // OUTPUT
        SS, ES, SS, SA, SS, SS, SS, SS, SS, LI, SA, // syn
        TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW, // fin
        ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES, // ack
        CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL, // rst

        // INPUT-ONLY
        SA, ES, ES, SR, SA, SA, SA, SA, SA, SA, SA, // syn
        CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW, // fin
        ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES, // ack
        CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL, // rst
    ];

    /// <summary>The next state by the normal table, or by the secure table while <paramref name="secure"/> (IPVS secure_tcp active).</summary>
    public static ConnectionState Next(ConnectionState current, TcpDirection direction, TcpFlags flags, bool secure)
    {
        if (!secure)
        {
            return Next(current, direction, flags);
        }

        var ev = EventOf(flags);
        var state = (int)current;
        if (ev < 0)
        {
            return ConnectionState.Close;
        }

        return (uint)state >= States ? current : (ConnectionState)SecureTable[(((int)direction * 4) + ev) * States + state];
    }

    // The event index: RST, else SYN, else FIN, else ACK; -1 for none of them.
    private static int EventOf(TcpFlags flags) =>
        (flags & TcpFlags.Rst) != 0 ? 3 : (flags & TcpFlags.Syn) != 0 ? 0 : (flags & TcpFlags.Fin) != 0 ? 1 : (flags & TcpFlags.Ack) != 0 ? 2 : -1;

    /// <summary>The state after a packet with <paramref name="flags"/> in <paramref name="direction"/>.</summary>
    /// <remarks>The event is RST if set, else SYN, else FIN, else ACK; a segment with none of them moves to CLOSE, as in IPVS.</remarks>
    public static ConnectionState Next(ConnectionState current, TcpDirection direction, TcpFlags flags)
    {
        int ev;
        if ((flags & TcpFlags.Rst) != 0)
        {
            ev = 3;
        }
        else if ((flags & TcpFlags.Syn) != 0)
        {
            ev = 0;
        }
        else if ((flags & TcpFlags.Fin) != 0)
        {
            ev = 1;
        }
        else if ((flags & TcpFlags.Ack) != 0)
        {
            ev = 2;
        }
        else
        {
            return ConnectionState.Close;
        }

        var state = (int)current;
        if ((uint)state >= States)
        {
            return current;
        }

        return (ConnectionState)Table[(((int)direction * 4) + ev) * States + state];
    }
}
