namespace LvsNet.Core.Connections;

/// <summary>Connection states, numbered as IPVS numbers its TCP states (ip_vs.h), plus UDP.</summary>
public enum ConnectionState : byte
{
    /// <summary>NONE: created, no transition yet (also the state of persistence templates).</summary>
    None = 0,

    /// <summary>ESTABLISHED.</summary>
    Established = 1,

    /// <summary>SYN_SENT.</summary>
    SynSent = 2,

    /// <summary>SYN_RECV.</summary>
    SynRecv = 3,

    /// <summary>FIN_WAIT.</summary>
    FinWait = 4,

    /// <summary>TIME_WAIT.</summary>
    TimeWait = 5,

    /// <summary>CLOSE.</summary>
    Close = 6,

    /// <summary>CLOSE_WAIT.</summary>
    CloseWait = 7,

    /// <summary>LAST_ACK.</summary>
    LastAck = 8,

    /// <summary>LISTEN.</summary>
    Listen = 9,

    /// <summary>SYNACK.</summary>
    SynAck = 10,

    /// <summary>The single state of UDP connections.</summary>
    Udp = 11,
}
