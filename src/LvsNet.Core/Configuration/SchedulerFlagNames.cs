namespace LvsNet.Core.Configuration;

/// <summary>
/// The configuration names of the scheduler flags, as ipvsadm accepts and prints them:
/// <c>sh-fallback</c>/<c>sh-port</c> for sh, <c>mh-fallback</c>/<c>mh-port</c> for mh, and the
/// generic <c>flag-1</c>..<c>flag-3</c> (what ipvsadm prints for other schedulers).
/// </summary>
public static class SchedulerFlagNames
{
    /// <summary>sh: when the hashed server is unusable, walk the table for the next usable one.</summary>
    public const string SourceHashFallback = "sh-fallback";

    /// <summary>sh: hash the source port as well as the source address.</summary>
    public const string SourceHashPort = "sh-port";

    /// <summary>mh: when the hashed server is unusable, probe further slots for a usable one.</summary>
    public const string MaglevFallback = "mh-fallback";

    /// <summary>mh: hash the source port as well as the source address.</summary>
    public const string MaglevPort = "mh-port";

    /// <summary>The generic name of IP_VS_SVC_F_SCHED1.</summary>
    public const string Flag1 = "flag-1";

    /// <summary>The generic name of IP_VS_SVC_F_SCHED2.</summary>
    public const string Flag2 = "flag-2";

    /// <summary>The generic name of IP_VS_SVC_F_SCHED3.</summary>
    public const string Flag3 = "flag-3";

    /// <summary>Every accepted name.</summary>
    public static readonly IReadOnlyList<string> All = [SourceHashFallback, SourceHashPort, MaglevFallback, MaglevPort, Flag1, Flag2, Flag3];

    /// <summary>Maps a flag name to its bit; false for an unknown name.</summary>
    public static bool TryParse(string? name, out SchedulerFlags flag)
    {
        flag = name switch
        {
            SourceHashFallback or MaglevFallback or Flag1 => SchedulerFlags.Flag1,
            SourceHashPort or MaglevPort or Flag2 => SchedulerFlags.Flag2,
            Flag3 => SchedulerFlags.Flag3,
            _ => SchedulerFlags.None,
        };
        return flag != SchedulerFlags.None;
    }

    /// <summary>
    /// True when the flag <paramref name="name"/> means something to <paramref name="scheduler"/>:
    /// its own named flags, or the generic name of a bit it uses. (The kernel stores any bit for any
    /// scheduler and ignores the meaningless ones; LvsNet rejects them so a typo is not silent.)
    /// </summary>
    public static bool AppliesTo(string scheduler, string name) => scheduler switch
    {
        SchedulerNames.SourceHash => name is SourceHashFallback or SourceHashPort or Flag1 or Flag2,
        SchedulerNames.MaglevHash => name is MaglevFallback or MaglevPort or Flag1 or Flag2,
        _ => false,
    };

    /// <summary>The names <paramref name="scheduler"/> accepts (empty when it uses no flag).</summary>
    public static IReadOnlyList<string> For(string scheduler) => scheduler switch
    {
        SchedulerNames.SourceHash => [SourceHashFallback, SourceHashPort, Flag1, Flag2],
        SchedulerNames.MaglevHash => [MaglevFallback, MaglevPort, Flag1, Flag2],
        _ => [],
    };

    /// <summary>ORs the bits of <paramref name="names"/>, ignoring unknown names (the validator reports those).</summary>
    public static SchedulerFlags Combine(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var flags = SchedulerFlags.None;
        foreach (var name in names)
        {
            if (TryParse(name, out var flag))
            {
                flags |= flag;
            }
        }

        return flags;
    }
}
