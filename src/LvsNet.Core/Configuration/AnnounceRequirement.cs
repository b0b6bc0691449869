namespace LvsNet.Core.Configuration;

/// <summary>YAML <c>announce.require</c>: when a VIP with several services counts as serving.</summary>
public enum AnnounceRequirement
{
    /// <summary><c>all_services</c>: every service of the VIP has its quorum (a VIP is not announced while one of its ports would refuse).</summary>
    AllServices,

    /// <summary><c>any_service</c>: one service of the VIP with its quorum is enough.</summary>
    AnyService,
}
