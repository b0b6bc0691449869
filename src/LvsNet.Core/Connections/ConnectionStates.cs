namespace LvsNet.Core.Connections;

/// <summary>Names and accounting of <see cref="ConnectionState"/> as ipvsadm shows them.</summary>
public static class ConnectionStates
{
    private static readonly string[] Names =
    [
        "NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT",
        "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "SYNACK", "UDP",
    ];

    /// <summary>The ipvsadm name ("ESTABLISHED").</summary>
    public static string Name(ConnectionState state) => (uint)state < (uint)Names.Length ? Names[(int)state] : "ERR!";

    /// <summary>True for the states IPVS counts in ActiveConn (ESTABLISHED, SYN_SENT, SYN_RECV, SYNACK).</summary>
    public static bool IsActive(ConnectionState state) =>
        state is ConnectionState.Established or ConnectionState.SynSent or ConnectionState.SynRecv or ConnectionState.SynAck;
}
