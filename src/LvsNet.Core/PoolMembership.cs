namespace LvsNet.Core;

/// <summary>Where health put a real server relative to the scheduler's pool (what <c>ipvsadm -L</c> would show under keepalived).</summary>
public enum PoolMembership
{
    /// <summary>In the pool with its weight: new connections may go to it.</summary>
    InPool = 0,

    /// <summary>In the pool at weight 0 (down with <c>inhibit_on_failure</c>, or an unused sorry server with <c>inhibit</c>): existing connections continue, no new ones.</summary>
    Inhibited = 1,

    /// <summary>Out of the pool (down, or an unused sorry server): packets of its connections are dropped, as for a deleted IPVS destination.</summary>
    Removed = 2,

    /// <summary>Up, but out of the pool because the quorum is lost and the sorry server took over.</summary>
    Displaced = 3,
}
