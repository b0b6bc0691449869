using LvsNet.Core.Scheduling;

namespace LvsNet.Control.Editing;

/// <summary>
/// One ipvsadm editing command in structured form (what the CLI's ipvsadm parser makes of
/// <c>-A -t VIP:80 -s rr</c>). Options that ipvsadm resets on -E/-e are null or empty here when
/// omitted, and <see cref="ConfigEditor"/> applies ipvsadm's defaults for them.
/// </summary>
public sealed record EditOperation
{
    /// <summary>What to do.</summary>
    public required EditKind Kind { get; init; }

    /// <summary>The virtual service (all kinds except <see cref="EditKind.Clear"/> and <see cref="EditKind.SetTimeouts"/>).</summary>
    public ServiceSelector? Service { get; init; }

    /// <summary>-s: the scheduler name; null = wlc.</summary>
    public string? Scheduler { get; init; }

    /// <summary>-p: the persistence timeout in seconds; null = not persistent.</summary>
    public int? PersistenceTimeoutSeconds { get; init; }

    /// <summary>-M: the persistence netmask, dotted; null = 255.255.255.255.</summary>
    public string? PersistenceNetmask { get; init; }

    /// <summary>-o: one-packet scheduling.</summary>
    public bool OnePacketScheduling { get; init; }

    /// <summary>-b: scheduler flags by name (sh-port, mh-fallback, flag-1, ...).</summary>
    public IReadOnlyList<string>? SchedulerFlags { get; init; }

    /// <summary>--toa (-A/-E): carry the client's address in TCP option 254 to FULLNAT servers.</summary>
    public bool Toa { get; init; }

    /// <summary>-z (-P/-Q): the FULLNAT local address, dotted.</summary>
    public string? LocalAddress { get; init; }

    /// <summary>-r: the real server's address, dotted.</summary>
    public string? ServerAddress { get; init; }

    /// <summary>-r: the real server's port (already the virtual port when omitted, or forced for DR and TUN, as ipvsadm does).</summary>
    public ushort ServerPort { get; init; }

    /// <summary>-g/-m/-i/--fullnat as a configuration name (dr, nat, tun, fullnat); null = dr.</summary>
    public string? Method { get; init; }

    /// <summary>-w: the weight; null = 1.</summary>
    public int? Weight { get; init; }

    /// <summary>-x: the upper connection threshold; null = 0 (none).</summary>
    public int? UpperThreshold { get; init; }

    /// <summary>-y: the lower connection threshold; null = 0 (none).</summary>
    public int? LowerThreshold { get; init; }

    /// <summary>--set: the new timeouts.</summary>
    public TimeoutSettings? Timeouts { get; init; }

    /// <summary>The line of a restore file this operation came from, for error messages.</summary>
    public int? Line { get; init; }
}
