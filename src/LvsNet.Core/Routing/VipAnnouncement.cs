namespace LvsNet.Core.Routing;

/// <summary>One VIP and whether it should be announced now.</summary>
/// <param name="Address">The VIP (network byte order, as everywhere in Core).</param>
/// <param name="Reason"><see cref="WithdrawReason.None"/> when it is announced, else why not.</param>
public readonly record struct VipAnnouncement(uint Address, WithdrawReason Reason)
{
    /// <summary>True when the VIP is announced.</summary>
    public bool Announced => Reason == WithdrawReason.None;
}
