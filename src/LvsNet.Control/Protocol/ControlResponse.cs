using LvsNet.Control.Listings;

namespace LvsNet.Control.Protocol;

/// <summary>The daemon's answer to one <see cref="ControlRequest"/>.</summary>
public sealed record ControlResponse
{
    /// <summary>The protocol version (<see cref="ControlProtocol.Version"/>).</summary>
    public int Version { get; init; } = ControlProtocol.Version;

    /// <summary>True when the request was carried out.</summary>
    public bool Ok { get; init; }

    /// <summary>Why it was not, in ipvsadm's words where ipvsadm has words for it.</summary>
    public string? Error { get; init; }

    /// <summary>Every configuration error, when the request was refused by validation.</summary>
    public IReadOnlyList<ConfigErrorInfo>? Errors { get; init; }

    /// <summary>A short confirmation or note for the operator.</summary>
    public string? Message { get; init; }

    /// <summary>For list: the services.</summary>
    public IpvsListing? Listing { get; init; }

    /// <summary>For connections: the entries.</summary>
    public IReadOnlyList<ConnectionRow>? Connections { get; init; }

    /// <summary>For connections: how many entries matched and were looked at (the rows stop at the filter's limit, the counts do not).</summary>
    public ConnectionCounts? ConnectionCounts { get; init; }

    /// <summary>For status.</summary>
    public DaemonStatus? Status { get; init; }

    /// <summary>For reload.</summary>
    public ReloadReport? Reload { get; init; }

    /// <summary>For export-yaml.</summary>
    public string? Yaml { get; init; }

    /// <summary>For daemons: the running sync daemons, master first.</summary>
    public IReadOnlyList<SyncDaemonInfo>? Daemons { get; init; }

    /// <summary>A successful response.</summary>
    public static ControlResponse Success(string? message = null) => new() { Ok = true, Message = message };

    /// <summary>A failed response.</summary>
    public static ControlResponse Failure(string error, IReadOnlyList<ConfigErrorInfo>? errors = null) => new() { Ok = false, Error = error, Errors = errors };
}
