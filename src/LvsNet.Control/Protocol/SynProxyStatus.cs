namespace LvsNet.Control.Protocol;

/// <summary>The SYN proxy's counters (all capture workers).</summary>
public sealed record SynProxyStatus
{
    /// <summary>SYN-ACKs with a SYN cookie sent in answer to SYNs.</summary>
    public long CookiesSent { get; init; }

    /// <summary>Client ACKs whose cookie was valid.</summary>
    public long CookiesValid { get; init; }

    /// <summary>ACKs for no connection whose cookie was not valid (dropped; a spoofer's or a stale client's).</summary>
    public long CookiesInvalid { get; init; }

    /// <summary>Connections the proxy opened to a real server after a valid cookie.</summary>
    public long Connections { get; init; }

    /// <summary>Client segments dropped while the real server's half opened (the client retransmits them).</summary>
    public long PendingDropped { get; init; }
}
