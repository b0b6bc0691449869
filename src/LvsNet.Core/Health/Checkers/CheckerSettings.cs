using LvsNet.Core.Configuration;

namespace LvsNet.Core.Health.Checkers;

/// <summary>One checker of one real server with every value resolved (checker over server over service over defaults).</summary>
public sealed record CheckerSettings
{
    /// <summary>keepalived's default delay_loop: 60 s.</summary>
    public static readonly TimeSpan DefaultDelayLoop = TimeSpan.FromSeconds(60);

    /// <summary>keepalived's default connect_timeout: 5 s.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The checker's configuration.</summary>
    public required CheckerConfig Config { get; init; }

    /// <summary>Its position in the server's checker list.</summary>
    public int Index { get; init; }

    /// <summary>The interval between checks.</summary>
    public TimeSpan DelayLoop { get; init; } = DefaultDelayLoop;

    /// <summary>How long one check may take (connect_timeout; misc_timeout for MISC).</summary>
    public TimeSpan Timeout { get; init; } = DefaultConnectTimeout;

    /// <summary>Retries before an up checker goes down.</summary>
    public int Retry { get; init; } = 1;

    /// <summary>The interval before a retry (and between the successes a rise &gt; 1 needs).</summary>
    public TimeSpan DelayBeforeRetry { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Consecutive successes a down checker needs.</summary>
    public int Rise { get; init; } = 1;

    /// <summary>The first check runs after a random delay below this.</summary>
    public TimeSpan Warmup { get; init; } = DefaultDelayLoop;

    /// <summary>The checker starts down.</summary>
    public bool Alpha { get; init; }

    /// <summary>The address probed (the VIP when <see cref="Via"/> is set); 0 when <see cref="Address6"/> is set.</summary>
    public required uint Address { get; init; }

    /// <summary>The IPv6 address probed (an IPv6 real server without <c>connect_ip</c>), or null for an IPv4 probe.</summary>
    public Packets.Ipv6.Ipv6Address? Address6 { get; init; }

    /// <summary>The port probed.</summary>
    public required ushort Port { get; init; }

    /// <summary>The real server the probe is routed through when it targets the VIP; null = direct.</summary>
    public uint? Via { get; init; }

    /// <summary>The IPv6 real server the probe is routed through when it targets the IPv6 VIP (<c>via_vip</c>); null = direct.</summary>
    public Packets.Ipv6.Ipv6Address? Via6 { get; init; }

    /// <summary>The address probes are sent from (the director's own address), or null for the kernel's choice.</summary>
    public uint? BindAddress { get; init; }

    /// <summary>Resolves one checker.</summary>
    /// <param name="config">The checker.</param>
    /// <param name="index">Its position.</param>
    /// <param name="inherited">The server's parameters over the service's.</param>
    /// <param name="key">The real server.</param>
    /// <param name="bindAddress">The director's address, or null.</param>
    public static CheckerSettings Resolve(CheckerConfig config, int index, HealthCheckParameters inherited, RealServerKey key, uint? bindAddress)
    {
        ArgumentNullException.ThrowIfNull(config);
        var parameters = config.Parameters.Over(inherited);
        var delayLoop = parameters.DelayLoop ?? DefaultDelayLoop;
        var connectTimeout = parameters.ConnectTimeout ?? DefaultConnectTimeout;
        return new CheckerSettings
        {
            Config = config,
            Index = index,
            DelayLoop = delayLoop,
            Timeout = config is MiscCheckConfig misc ? misc.Timeout ?? delayLoop : connectTimeout,
            Retry = parameters.Retry ?? config.DefaultRetry,
            DelayBeforeRetry = parameters.DelayBeforeRetry ?? config.DefaultDelayBeforeRetry(delayLoop),
            Rise = parameters.Rise ?? 1,
            Warmup = parameters.Warmup ?? delayLoop,
            Alpha = parameters.Alpha ?? false,
            Address = config.ViaVirtualAddress ? key.Service.Address : config.ConnectAddress ?? key.Address,

            // An IPv6 server is probed at its IPv6 address (connect_ip, IPv4 only, names another address),
            // or with via_vip at the IPv6 VIP through it.
            Address6 = config.ConnectAddress is not null ? null : config.ViaVirtualAddress ? key.Service.Address6 : key.Address6,
            Port = config.ConnectPort ?? (config.ViaVirtualAddress ? key.Service.Port : key.Port),
            Via = config.ViaVirtualAddress && key.Address6 is null ? key.Address : null,
            Via6 = config.ViaVirtualAddress ? key.Address6 : null,
            // The director's address is IPv4: an IPv6 probe leaves from the address the kernel picks.
            BindAddress = config.ConnectAddress is null && key.Address6 is not null ? null : bindAddress,
        };
    }
}
