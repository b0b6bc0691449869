namespace LvsNet.Core.Connections;

/// <summary>Per-connection flags.</summary>
[Flags]
public enum ConnectionFlags : byte
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>The slot holds a connection.</summary>
    InUse = 0x01,

    /// <summary>The connection is counted in its server's ActiveConn (else InActConn).</summary>
    Active = 0x02,

    /// <summary>The director does not see replies (DR, TUN): the INPUT-ONLY TCP table applies.</summary>
    NoOutput = 0x04,

    /// <summary>A persistence template (client port 0, masked client address), not a connection.</summary>
    Template = 0x08,

    /// <summary>A template that controlled a connection which reached ESTABLISHED (listed as ASSURED).</summary>
    Assured = 0x10,

    /// <summary>FULLNAT: no TOA option is (any longer) to be sent — the service has none, or the first ACK carried it (or had no room); no later packet tries again.</summary>
    ToaDone = 0x20,

    /// <summary>Opened by the SYN proxy: sequence numbers are spliced between the client's and the real server's halves.</summary>
    SynProxy = 0x40,

    /// <summary>Opened by the SYN proxy, and the real server has not answered its SYN yet.</summary>
    SynProxyPending = 0x80,
}
