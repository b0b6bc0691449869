namespace LvsNet.Control.Listings;

/// <summary>One health checker of a real server as <c>-L --health</c> shows it.</summary>
public sealed record CheckerListing
{
    /// <summary>"http_get /health".</summary>
    public required string Checker { get; init; }

    /// <summary>Where it probes ("10.0.0.11:80").</summary>
    public string? Target { get; init; }

    /// <summary>The checker's verdict.</summary>
    public bool Up { get; init; }

    /// <summary>Failures of an up checker not yet acted on (retries in progress).</summary>
    public int PendingFailures { get; init; }

    /// <summary>Checks run.</summary>
    public long Checks { get; init; }

    /// <summary>Checks failed.</summary>
    public long Failures { get; init; }

    /// <summary>When the last check finished, or null before the first.</summary>
    public DateTimeOffset? LastCheckAt { get; init; }

    /// <summary>The last check's message (the error of a failed check), or null before the first.</summary>
    public string? LastMessage { get; init; }

    /// <summary>The last successful check's latency in milliseconds, or null.</summary>
    public double? LatencyMilliseconds { get; init; }
}
