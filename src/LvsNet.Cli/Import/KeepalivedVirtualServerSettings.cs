using System.Collections.Immutable;
using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Cli.Import;

/// <summary>The virtual-server-level values of one keepalived <c>virtual_server</c> block, with keepalived's defaults where unset.</summary>
internal sealed class KeepalivedVirtualServerSettings
{
    /// <summary>keepalived's KEEPALIVED_DEFAULT_DELAY: 60 s (LvsNet's default delay_loop too).</summary>
    public static readonly TimeSpan KeepalivedDefaultDelayLoop = TimeSpan.FromSeconds(60);

    /// <summary>"virtual_server ..." for messages.</summary>
    public required string Title { get; init; }

    /// <summary>The block's line.</summary>
    public required int Line { get; init; }

    /// <summary>protocol; null = not given (keepalived then uses UDP).</summary>
    public IpProtocol? Protocol { get; set; }

    /// <summary>lvs_sched / lb_algo; keepalived's default wlc.</summary>
    public string Scheduler { get; set; } = IpvsadmDefaults.Scheduler;

    /// <summary>lvs_method / lb_kind; null = not given (keepalived then uses NAT).</summary>
    public ForwardingMethod? Method { get; set; }

    /// <summary>persistence_timeout.</summary>
    public TimeSpan? Persistence { get; set; }

    /// <summary>persistence_granularity was given (it turns persistence on).</summary>
    public bool Granularity { get; set; }

    /// <summary>persistence_granularity.</summary>
    public uint Netmask { get; set; } = uint.MaxValue;

    /// <summary>persistence_granularity as an IPv6 prefix length (1..128), or null when not given so.</summary>
    public int? PrefixLength { get; set; }

    /// <summary>ip_family inet6 (an IPv6 fwmark service, which LvsNet does not have).</summary>
    public bool Inet6 { get; set; }

    /// <summary>ops.</summary>
    public bool OnePacket { get; set; }

    /// <summary>sh-*, mh-*, flag-N.</summary>
    public ImmutableArray<string>.Builder Flags { get; } = ImmutableArray.CreateBuilder<string>();

    /// <summary>delay_loop, connect_timeout, retry, delay_before_retry, warmup, alpha of the virtual server.</summary>
    public HealthCheckParameters Parameters { get; set; } = HealthCheckParameters.Empty;

    /// <summary>inhibit_on_failure.</summary>
    public bool Inhibit { get; set; }

    /// <summary>virtualhost (the Host of HTTP checkers that set none).</summary>
    public string? VirtualHost { get; set; }

    /// <summary>weight: the default weight of the real servers; keepalived's default 1.</summary>
    public int Weight { get; set; } = 1;

    /// <summary>quorum; null = not given (1).</summary>
    public int? Quorum { get; set; }

    /// <summary>The quorum line, for the note when keepalived lowers it.</summary>
    public int? QuorumLine { get; set; }

    /// <summary>hysteresis.</summary>
    public int? Hysteresis { get; set; }

    /// <summary>quorum_up.</summary>
    public string? QuorumUp { get; set; }

    /// <summary>quorum_down.</summary>
    public string? QuorumDown { get; set; }

    /// <summary>sorry_server address.</summary>
    public uint? SorryAddress { get; set; }

    /// <summary>sorry_server's address when it is IPv6 (then <see cref="SorryAddress"/> is 0).</summary>
    public Packets.Ipv6.Ipv6Address? SorryAddress6 { get; set; }

    /// <summary>sorry_server port; null = none given.</summary>
    public ushort? SorryPort { get; set; }

    /// <summary>The sorry server's method: sorry_server_lvs_method, else the virtual server's when sorry_server was read.</summary>
    public ForwardingMethod? SorryMethod { get; set; }

    /// <summary>omega: the down notifiers and quorum_down run when lvsnetd stops.</summary>
    public bool Omega { get; set; }

    /// <summary>ha_suspend: the checkers rest while this director is not the active one.</summary>
    public bool HaSuspend { get; set; }

    /// <summary>The ha_suspend line.</summary>
    public int HaSuspendLine { get; set; }

    /// <summary>sorry_server_inhibit.</summary>
    public bool SorryInhibit { get; set; }

    /// <summary>The sorry_server line.</summary>
    public int SorryLine { get; set; }

    /// <summary>A statement that decides how traffic is forwarded (protocol, method, address family) was refused: the virtual server is not imported.</summary>
    public bool Refused { get; set; }

    /// <summary>The real servers read.</summary>
    public List<KeepalivedRealServer> Servers { get; } = [];

    /// <summary>keepalived's delay_loop for this virtual server.</summary>
    public TimeSpan DelayLoop => Parameters.DelayLoop ?? KeepalivedDefaultDelayLoop;

    /// <summary>The method real servers without their own get (keepalived: NAT when none is given).</summary>
    public ForwardingMethod EffectiveMethod => Method ?? ForwardingMethod.Nat;
}

/// <summary>ipvsadm's and keepalived's defaults the import relies on.</summary>
internal static class IpvsadmDefaults
{
    /// <summary>IPVS_DEF_SCHED.</summary>
    public const string Scheduler = "wlc";

    /// <summary>IPVS_SVC_PERSISTENT_TIMEOUT: 360 s.</summary>
    public static readonly TimeSpan Persistence = TimeSpan.FromSeconds(360);
}
