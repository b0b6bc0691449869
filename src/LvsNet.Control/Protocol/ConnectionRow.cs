namespace LvsNet.Control.Protocol;

/// <summary>One connection as <c>ipvsadm -L -n -c</c> lists it.</summary>
public sealed record ConnectionRow
{
    /// <summary>"TCP", "UDP", or "IP" for a fwmark template.</summary>
    public required string Protocol { get; init; }

    /// <summary>The client's address (masked for a persistence template).</summary>
    public required string ClientAddress { get; init; }

    /// <summary>The client's port (0 for a template).</summary>
    public ushort ClientPort { get; init; }

    /// <summary>The VIP.</summary>
    public required string VirtualAddress { get; init; }

    /// <summary>The virtual port.</summary>
    public ushort VirtualPort { get; init; }

    /// <summary>The real server's address.</summary>
    public required string DestinationAddress { get; init; }

    /// <summary>The real server's port.</summary>
    public ushort DestinationPort { get; init; }

    /// <summary>The state as ipvsadm names it (ESTABLISHED, SYN_RECV, UDP, NONE, ASSURED, ...).</summary>
    public required string State { get; init; }

    /// <summary>Whole seconds until the entry expires.</summary>
    public long ExpiresSeconds { get; init; }

    /// <summary>FULLNAT: the local address the real server sees (DPVS's "laddr"), or null for other methods.</summary>
    public string? LocalAddress { get; init; }

    /// <summary>FULLNAT: the local port, or 0.</summary>
    public ushort LocalPort { get; init; }
}
