namespace LvsNet.Core.Sync;

/// <summary>What the authenticated sync mode decided about a received datagram.</summary>
public enum SyncAuthStatus
{
    /// <summary>Signed with the shared key, fresh and not seen before.</summary>
    Accepted,

    /// <summary>No trailer (too short, or not LvsNet's magic): an unauthenticated sender, an IPVS master.</summary>
    Unauthenticated,

    /// <summary>The HMAC does not match: another key, or bytes changed on the way.</summary>
    BadMac,

    /// <summary>The sequence's time is more than the allowed skew away from this director's clock.</summary>
    Stale,

    /// <summary>The sequence was already accepted from this sender, or is older than its replay window.</summary>
    Replayed,
}
