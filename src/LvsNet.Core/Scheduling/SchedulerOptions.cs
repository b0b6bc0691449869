using LvsNet.Core.Configuration;

namespace LvsNet.Core.Scheduling;

/// <summary>Per-service settings a scheduler is built with, besides its name and servers.</summary>
public sealed record SchedulerOptions
{
    /// <summary>The kernel defaults: no flags, the system clock, 24 h locality expiry, mh table 4093.</summary>
    public static SchedulerOptions Default { get; } = new();

    /// <summary>The service's scheduler flags (sh-port, sh-fallback, mh-port, mh-fallback).</summary>
    public SchedulerFlags Flags { get; init; }

    /// <summary>The clock lblc and lblcr stamp cache entries with (tests pass a fake one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The random source of twos; null gives each instance its own unseeded <see cref="System.Random"/>. Tests pass a seeded one.</summary>
    /// <remarks>Used from the capture thread only, so it need not be thread-safe.</remarks>
    public Random? Random { get; init; }

    /// <summary>lblc_expiration / lblcr_expiration: idle cache entries (and unchanged lblcr sets) older than this are dropped.</summary>
    public TimeSpan LocalityExpiration { get; init; } = LocalityCache.DefaultExpiration;

    /// <summary>
    /// The hard bound on lblc/lblcr cache entries. The kernel's soft size is 16384 (collected down
    /// when exceeded); LvsNet also refuses to grow past this bound, scheduling without caching as the
    /// kernel does when an entry cannot be allocated.
    /// </summary>
    public int LocalityCacheCapacity { get; init; } = LocalityCache.DefaultCapacity;

    /// <summary>The mh lookup table size: one of <see cref="MaglevHashScheduler.TableSizes"/>.</summary>
    public int MaglevTableSize { get; init; } = MaglevHashScheduler.DefaultTableSize;

    /// <summary>Builds the options of a configured service.</summary>
    public static SchedulerOptions FromConfig(VirtualServiceConfig service, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        return new SchedulerOptions
        {
            Flags = SchedulerFlagNames.Combine(service.SchedulerFlags),
            TimeProvider = time ?? TimeProvider.System,
            LocalityExpiration = service.LocalityExpiration ?? LocalityCache.DefaultExpiration,
            MaglevTableSize = service.MaglevTableSize ?? MaglevHashScheduler.DefaultTableSize,
        };
    }
}
