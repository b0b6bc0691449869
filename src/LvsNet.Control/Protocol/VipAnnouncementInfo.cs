namespace LvsNet.Control.Protocol;

/// <summary>One VIP of <see cref="AnnouncementStatus"/>.</summary>
public sealed record VipAnnouncementInfo
{
    /// <summary>The VIP.</summary>
    public required string Address { get; init; }

    /// <summary>True when announced.</summary>
    public bool Announced { get; init; }

    /// <summary>Why not (capture_down, not_master, drained, quorum_lost), or null when announced.</summary>
    public string? Reason { get; init; }

    /// <summary>When the VIP was last announced or withdrawn by this director.</summary>
    public DateTimeOffset Since { get; init; }
}
