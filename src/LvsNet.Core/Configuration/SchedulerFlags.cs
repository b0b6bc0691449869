namespace LvsNet.Core.Configuration;

/// <summary>
/// The scheduler flag bits of a virtual service (the kernel's IP_VS_SVC_F_SCHED1..3, set with
/// <c>ipvsadm -b</c>). Their meaning depends on the scheduler; see <see cref="SchedulerFlagNames"/>.
/// </summary>
[Flags]
public enum SchedulerFlags
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>IP_VS_SVC_F_SCHED1 (0x0008): <c>sh-fallback</c> for sh, <c>mh-fallback</c> for mh.</summary>
    Flag1 = 1,

    /// <summary>IP_VS_SVC_F_SCHED2 (0x0010): <c>sh-port</c> for sh, <c>mh-port</c> for mh.</summary>
    Flag2 = 2,

    /// <summary>IP_VS_SVC_F_SCHED3 (0x0020): used by no scheduler.</summary>
    Flag3 = 4,
}
