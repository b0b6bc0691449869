namespace LvsNet.Control.Protocol;

/// <summary>The route announcement's state in <c>lvsnetadm status</c> (YAML <c>announce</c>, docs/scale-out.md).</summary>
public sealed record AnnouncementStatus
{
    /// <summary>Every VIP with whether it is announced and, if not, why.</summary>
    public IReadOnlyList<VipAnnouncementInfo> Vips { get; init; } = [];

    /// <summary>serving, draining (withdrawn, established connections still forwarded) or drained (no active connection left, or the drain timeout passed).</summary>
    public required string DrainState { get; init; }

    /// <summary>When the drain began, or null while serving.</summary>
    public DateTimeOffset? DrainedSince { get; init; }

    /// <summary>When a drain ends at the latest, or null.</summary>
    public DateTimeOffset? DrainDeadline { get; init; }

    /// <summary>Active connections on this director (what a drain waits for).</summary>
    public long ActiveConnections { get; init; }

    /// <summary>The file lvsnetd writes for BIRD.</summary>
    public required string RoutesFile { get; init; }

    /// <summary>True when lvsnetd runs BIRD as its child.</summary>
    public bool BirdManaged { get; init; }

    /// <summary>True while the BIRD child runs (always false when BIRD is not managed).</summary>
    public bool BirdRunning { get; init; }

    /// <summary>The BIRD child's process id, or 0.</summary>
    public int BirdPid { get; init; }

    /// <summary>How many times the BIRD child was started.</summary>
    public long BirdStarts { get; init; }

    /// <summary>True when BIRD has taken the current routes file.</summary>
    public bool InSync { get; init; }

    /// <summary>Successful BIRD reconfigurations.</summary>
    public long Reconfigurations { get; init; }

    /// <summary>Failed BIRD reconfigurations (socket unreachable or BIRD refused).</summary>
    public long ReconfigurationFailures { get; init; }

    /// <summary>The last failure's text, or null.</summary>
    public string? LastError { get; init; }
}
