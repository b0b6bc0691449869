namespace LvsNet.Core.Configuration;

/// <summary>
/// A virtual service's quorum (keepalived <c>quorum</c>, <c>hysteresis</c>, <c>quorum_up</c>,
/// <c>quorum_down</c>, <c>sorry_server</c>): the quorum is the least sum of weights of live real
/// servers the service needs; it is gained when the live weight reaches quorum + hysteresis and
/// lost when it falls below quorum − hysteresis (or to 0).
/// </summary>
public sealed record QuorumConfig
{
    /// <summary>The defaults keepalived applies to every virtual server (quorum 1, hysteresis 0, no commands, no sorry server).</summary>
    public static QuorumConfig Default { get; } = new();

    /// <summary>The least live weight (sum of the weights of the up real servers); default 1.</summary>
    public int Quorum { get; init; } = 1;

    /// <summary>The hysteresis around the quorum; default 0.</summary>
    public int Hysteresis { get; init; }

    /// <summary>A command (<c>/bin/sh -c</c>) run when the quorum is gained.</summary>
    public string? UpCommand { get; init; }

    /// <summary>A command run when the quorum is lost.</summary>
    public string? DownCommand { get; init; }

    /// <summary>The sorry server used while the quorum is lost, or null.</summary>
    public SorryServerConfig? SorryServer { get; init; }
}
