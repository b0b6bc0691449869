namespace LvsNet.Core.Routing;

/// <summary>Why a VIP is not announced (the first reason that applies, in this order).</summary>
public enum WithdrawReason
{
    /// <summary>Announced.</summary>
    None,

    /// <summary>The capture is not running or made no progress for 2 s.</summary>
    CaptureDown,

    /// <summary>The HA role is BACKUP or FAULT.</summary>
    NotMaster,

    /// <summary>The operator drained the director.</summary>
    Drained,

    /// <summary>The VIP's services lack their quorum of real servers (as <c>announce.require</c> asks).</summary>
    QuorumLost,
}
