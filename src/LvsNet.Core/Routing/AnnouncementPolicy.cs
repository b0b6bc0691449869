using LvsNet.Core.Configuration;
using LvsNet.Core.Runtime;

namespace LvsNet.Core.Routing;

/// <summary>
/// Decides which VIPs the director announces: a VIP is announced while the capture runs, the role
/// lets the director forward, it is not drained, and its services are serving: each service (or one,
/// with <c>require: any_service</c>) has its quorum, or, without health checks and quorum settings,
/// at least one real server with a weight above 0.
/// </summary>
/// <remarks>Pure: the control plane samples the conditions and the current snapshot and calls it a few times a second.</remarks>
public static class AnnouncementPolicy
{
    /// <summary>Every VIP of the snapshot (sorted) with its decision.</summary>
    public static VipAnnouncement[] Evaluate(LvsSnapshot snapshot, AnnounceRequirement require, AnnouncementConditions conditions)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var vips = snapshot.VirtualAddresses;
        var markAddresses = snapshot.FirewallMarks is { } marks ? new HashSet<uint>(marks.Addresses()) : null;
        var result = new VipAnnouncement[vips.Length];
        for (var i = 0; i < vips.Length; i++)
        {
            var reason = !conditions.CaptureRunning ? WithdrawReason.CaptureDown
                : !conditions.RoleActive ? WithdrawReason.NotMaster
                : conditions.Drained ? WithdrawReason.Drained
                : Serving(snapshot, vips[i], require, markAddresses) ? WithdrawReason.None
                : WithdrawReason.QuorumLost;
            result[i] = new VipAnnouncement(vips[i], reason);
        }

        return result;
    }

    /// <summary>
    /// True for the schedulers whose choice depends only on the packet and the configured server
    /// list (mh, sh, dh, fo), so every director with the same configuration and health view picks
    /// the same real server for a flow. rr, wrr, lc, wlc, sed, nq, ovf, lblc, lblcr and twos depend
    /// on the director's own counters or history and differ between directors.
    /// </summary>
    public static bool IsConsistentAcrossDirectors(string scheduler) => scheduler is
        SchedulerNames.MaglevHash or SchedulerNames.SourceHash or SchedulerNames.DestinationHash or SchedulerNames.WeightedFailover;

    /// <summary>True when the service can take new connections.</summary>
    public static bool IsServing(VirtualServiceState service)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (service.Health?.QuorumUp is { } quorumUp)
        {
            return quorumUp;
        }

        foreach (var server in service.Servers)
        {
            if (server.IsAvailable && server.Weight > 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool Serving(LvsSnapshot snapshot, uint vip, AnnounceRequirement require, HashSet<uint>? markAddresses)
    {
        var any = false;
        var all = true;
        var count = 0;
        foreach (var service in snapshot.Services)
        {
            if (!Covers(service, vip, markAddresses))
            {
                continue;
            }

            count++;
            var serving = IsServing(service);
            any |= serving;
            all &= serving;
        }

        return count > 0 && (require == AnnounceRequirement.AnyService ? any : all);
    }

    // A VIP belongs to an address service by its address; the firewall-mark services are judged
    // together for every address their rules cover (a rule's mark is chosen per packet by port and
    // protocol, so no single service owns an address of a rule).
    private static bool Covers(VirtualServiceState service, uint vip, HashSet<uint>? markAddresses) =>
        service.Key.IsFirewallMark
            ? markAddresses?.Contains(vip) == true
            : service.Key.Address == vip;
}
