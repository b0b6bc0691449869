using System.Globalization;
using System.Text;
using LvsNet.Control.Editing;
using LvsNet.Control.Listings;
using LvsNet.Control.Protocol;
using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;

namespace LvsNet.Cli.Ipvsadm;

/// <summary>
/// Prints listings byte for byte as ipvsadm 1.31 does: <c>-L</c> with <c>-n</c>, <c>--stats</c>,
/// <c>--rate</c>, <c>--exact</c>, <c>--thresholds</c>, <c>--persistent-conn</c>, <c>--tun-info</c>,
/// <c>--nosort</c>; <c>-S</c>; <c>-L -c</c>; <c>-L --timeout</c>. Same printf widths, trailing
/// spaces, K/M/G/T number format and sort order.
/// </summary>
/// <remarks>
/// One deliberate difference: ipvsadm sorts by subtracting addresses as 32-bit integers, which
/// puts 200.0.0.1 before 10.0.0.1 when they are more than 2^31 apart; LvsNet sorts by the true
/// unsigned order.
/// </remarks>
public static partial class IpvsadmFormatter
{
    private const string LocalTitle = "Prot LocalAddress:Port";
    private const string RemoteTitle = "  -> RemoteAddress:Port";

    /// <summary>The first line of a full listing.</summary>
    public static string VersionLine(int tableSize) =>
        string.Create(CultureInfo.InvariantCulture, $"IP Virtual Server version {ControlProtocol.IpvsVersion} (size={tableSize})\n");

    /// <summary><c>ipvsadm -L</c> of every service (with the version line), or of the single service of a <c>-L -t VIP:PORT</c> (without it).</summary>
    /// <param name="listing">What the daemon reported.</param>
    /// <param name="format">The listing options.</param>
    /// <param name="resolver">Names for addresses and ports (ignored with <see cref="ListFormat.Numeric"/>).</param>
    /// <param name="singleService">True for <c>-L -t VIP:PORT</c>.</param>
    public static string List(IpvsListing listing, ListFormat format, INameResolver resolver, bool singleService = false)
    {
        ArgumentNullException.ThrowIfNull(listing);
        ArgumentNullException.ThrowIfNull(resolver);
        var text = new StringBuilder();
        if (!singleService && (format & ListFormat.Rule) == 0)
        {
            text.Append(VersionLine(listing.TableSize));
        }

        AppendTitle(text, format);
        foreach (var service in Sorted(listing.Services, format))
        {
            AppendService(text, service, format, resolver);
        }

        return text.ToString();
    }

    /// <summary><c>ipvsadm -S</c> (add <see cref="ListFormat.Numeric"/> for <c>-S -n</c>).</summary>
    public static string Save(IpvsListing listing, ListFormat format, INameResolver resolver) =>
        List(listing, format | ListFormat.Rule, resolver, singleService: true);

    /// <summary>DPVS's <c>ipvsadm -G</c>: the FULLNAT local addresses of every service (or of one).</summary>
    public static string LocalAddresses(IpvsListing listing, INameResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(listing);
        ArgumentNullException.ThrowIfNull(resolver);
        var text = new StringBuilder("VIP:VPORT                      LADDR\n");
        foreach (var service in Sorted(listing.Services, ListFormat.Numeric))
        {
            var name = ProtocolName(service.Protocol).PadRight(4) + " " + AddressPort(service.Address, service.Port, service.Protocol, ListFormat.Numeric, resolver);
            foreach (var local in service.LocalAddresses)
            {
                text.Append(name.PadRight(30)).Append(' ').Append(local).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary><c>ipvsadm -L --timeout</c>.</summary>
    public static string Timeouts(TimeoutSettings timeouts)
    {
        ArgumentNullException.ThrowIfNull(timeouts);
        return string.Create(CultureInfo.InvariantCulture, $"Timeout (tcp tcpfin udp): {timeouts.Tcp} {timeouts.TcpFin} {timeouts.Udp}\n");
    }

    /// <summary>
    /// ipvsadm's number column: 9 characters, right-aligned; below 10^8 as is, then thousands (K)
    /// up to 10^9, millions (M) up to 10^11, billions (G) up to 10^14, else trillions (T); with
    /// <c>--exact</c> the whole number in max(9, digits + 1) characters.
    /// </summary>
    public static string LargeNumber(long value, bool exact)
    {
        var number = (ulong)Math.Max(0, value);
        if (exact)
        {
            var digits = number.ToString(CultureInfo.InvariantCulture);
            return digits.PadLeft(digits.Length <= 8 ? 9 : digits.Length + 1);
        }

        return number switch
        {
            < 100_000_000UL => Pad(number, 9, ""),
            < 1_000_000_000UL => Pad(number / 1000, 8, "K"),
            < 100_000_000_000UL => Pad(number / 1_000_000, 8, "M"),
            < 100_000_000_000_000UL => Pad(number / 1_000_000_000, 8, "G"),
            _ => Pad(number / 1_000_000_000_000, 8, "T"),
        };

        static string Pad(ulong n, int width, string suffix) => n.ToString(CultureInfo.InvariantCulture).PadLeft(width) + suffix;
    }

    /// <summary>
    /// The services in ipvsadm's order: by firewall mark (so address services, mark 0, come first),
    /// then protocol number, then address, then port (or as configured with --nosort).
    /// </summary>
    public static IEnumerable<ServiceListing> Sorted(IEnumerable<ServiceListing> services, ListFormat format)
    {
        ArgumentNullException.ThrowIfNull(services);
        return (format & ListFormat.NoSort) != 0
            ? services
            : services.OrderBy(s => s.FirewallMark).ThenBy(s => IsIpv6(s.Address)).ThenBy(s => ProtocolNumber(s.Protocol)).ThenBy(s => AddressValue(s.Address)).ThenBy(s => s.Port);
    }

    /// <summary>The real servers in ipvsadm's order: by address, then port (or list order with --nosort).</summary>
    public static IEnumerable<ServerListing> Sorted(IEnumerable<ServerListing> servers, ListFormat format)
    {
        ArgumentNullException.ThrowIfNull(servers);
        return (format & ListFormat.NoSort) != 0 ? servers : servers.OrderBy(s => AddressValue(s.Address)).ThenBy(s => s.Port);
    }

    private static void AppendTitle(StringBuilder text, ListFormat format)
    {
        if ((format & ListFormat.Stats) != 0)
        {
            text.Append(LocalTitle.PadRight(33)).Append(Columns(8, "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes")).Append('\n').Append(RemoteTitle).Append('\n');
        }
        else if ((format & ListFormat.Rate) != 0)
        {
            text.Append(LocalTitle.PadRight(33)).Append(Columns(8, "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS")).Append('\n').Append(RemoteTitle).Append('\n');
        }
        else if ((format & ListFormat.Thresholds) != 0)
        {
            text.Append(LocalTitle.PadRight(33))
                .Append(' ').Append("Uthreshold".PadRight(10)).Append(' ').Append("Lthreshold".PadRight(10))
                .Append(' ').Append("ActiveConn".PadRight(10)).Append(' ').Append("InActConn".PadRight(10))
                .Append('\n').Append(RemoteTitle).Append('\n');
        }
        else if ((format & ListFormat.PersistentConnections) != 0)
        {
            text.Append(LocalTitle.PadRight(33))
                .Append(' ').Append("Weight".PadRight(9)).Append(' ').Append("PersistConn".PadRight(11))
                .Append(' ').Append("ActiveConn".PadRight(10)).Append(' ').Append("InActConn".PadRight(10))
                .Append('\n').Append(RemoteTitle).Append('\n');
        }
        else if ((format & ListFormat.TunnelInfo) != 0)
        {
            text.Append("Prot LocalAddress:Port Scheduler Flags\n")
                .Append("  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n");
        }
        else if ((format & ListFormat.Rule) == 0)
        {
            text.Append("Prot LocalAddress:Port Scheduler Flags\n")
                .Append("  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
        }

        static string Columns(int width, params string[] names) => string.Concat(names.Select(n => " " + n.PadLeft(width)));
    }

    private static void AppendService(StringBuilder text, ServiceListing service, ListFormat format, INameResolver resolver)
    {
        var exact = (format & ListFormat.Exact) != 0;
        var vname = AddressPort(service.Address, service.Port, service.Protocol, format, resolver);
        string svcName;
        if (service.FirewallMark != 0)
        {
            // ipvsadm: "FWM  %d" in listings, "-f %d" in rules; an IPv6 one "FWM  %d IPv6" and "-f %d -6".
            svcName = ((format & ListFormat.Rule) != 0 ? "-f " : "FWM  ") + service.FirewallMark.ToString(CultureInfo.InvariantCulture);
            if (IsIpv6(service.Address))
            {
                svcName += (format & ListFormat.Rule) != 0 ? " -6" : " IPv6";
            }
        }
        else if ((format & ListFormat.Rule) != 0)
        {
            svcName = (service.Protocol == ServiceProtocols.Udp ? "-u " : "-t ") + vname;
        }
        else
        {
            svcName = ProtocolName(service.Protocol).PadRight(4) + " " + vname;
            // ipvsadm cuts the IPv4 name at 33 characters; an IPv6 one is printed whole.
            if (svcName.Length > 33 && !IsIpv6(service.Address))
            {
                svcName = svcName[..33];
            }
        }

        var flags = FlagText(service);
        if ((format & ListFormat.Rule) != 0)
        {
            text.Append("-A ").Append(svcName).Append(" -s ").Append(service.Scheduler);
            if (service.PersistenceTimeoutSeconds is { } persistent)
            {
                text.Append(" -p ").Append(persistent.ToString(CultureInfo.InvariantCulture));
                if (service.PersistenceNetmask != DefaultNetmask(service))
                {
                    text.Append(" -M ").Append(service.PersistenceNetmask);
                }
            }

            if (service.OnePacketScheduling)
            {
                text.Append(" -o");
            }

            if (flags.Length > 0)
            {
                text.Append(" -b ").Append(flags);
            }

            if (service.Toa)
            {
                text.Append(" --toa");
            }

            // The pool before the servers, so that a restore never meets a fullnat server without one.
            foreach (var local in service.LocalAddresses)
            {
                text.Append("\n-P ").Append(svcName).Append(" -z ").Append(local);
            }
        }
        else if ((format & ListFormat.Stats) != 0)
        {
            text.Append(svcName.PadRight(33)).Append(Numbers(exact, service.Stats.Connections, service.Stats.InPackets, service.Stats.OutPackets, service.Stats.InBytes, service.Stats.OutBytes));
        }
        else if ((format & ListFormat.Rate) != 0)
        {
            text.Append(svcName.PadRight(33)).Append(Numbers(exact, service.Rates.Cps, service.Rates.InPps, service.Rates.OutPps, service.Rates.InBps, service.Rates.OutBps));
        }
        else
        {
            text.Append(svcName).Append(' ').Append(service.Scheduler);
            if (flags.Length > 0)
            {
                text.Append(" (").Append(flags).Append(')');
            }

            if (service.PersistenceTimeoutSeconds is { } persistent)
            {
                text.Append(" persistent ").Append(persistent.ToString(CultureInfo.InvariantCulture));
                if (service.PersistenceNetmask != DefaultNetmask(service))
                {
                    text.Append(" mask ").Append(service.PersistenceNetmask);
                }
            }

            if (service.OnePacketScheduling)
            {
                text.Append(" ops");
            }
        }

        text.Append('\n');
        foreach (var server in Sorted(service.Servers, format))
        {
            AppendServer(text, svcName, service, server, format, resolver);
        }
    }

    private static void AppendServer(StringBuilder text, string svcName, ServiceListing service, ServerListing server, ListFormat format, INameResolver resolver)
    {
        var exact = (format & ListFormat.Exact) != 0;
        var dname = AddressPort(server.Address, server.Port, service.Protocol, format, resolver);
        var method = ForwardingMethods.TryParse(server.Method, out var parsed) ? parsed : ForwardingMethod.DirectRouting;
        if ((format & ListFormat.Rule) != 0)
        {
            text.Append("-a ").Append(svcName).Append(" -r ").Append(dname).Append(' ').Append(Switch(method))
                .Append(" -w ").Append(server.Weight.ToString(CultureInfo.InvariantCulture));
            if (method == ForwardingMethod.Tunnel)
            {
                text.Append(" --tun-type ipip");
            }

            text.Append('\n');
            return;
        }

        // ipvsadm cuts the name at 28 characters in IPv4 services only (se->af != AF_INET6).
        if (dname.Length > 28 && !IsIpv6(service.Address))
        {
            dname = dname[..28];
        }

        text.Append("  -> ").Append(dname.PadRight(28));
        if ((format & ListFormat.Stats) != 0)
        {
            text.Append(Numbers(exact, server.Stats.Connections, server.Stats.InPackets, server.Stats.OutPackets, server.Stats.InBytes, server.Stats.OutBytes));
        }
        else if ((format & ListFormat.Rate) != 0)
        {
            foreach (var rate in (long[])[server.Rates.Cps, server.Rates.InPps, server.Rates.OutPps])
            {
                text.Append(' ').Append(Unsigned(rate).PadLeft(8));
            }

            text.Append(Numbers(exact, server.Rates.InBps, server.Rates.OutBps));
        }
        else if ((format & ListFormat.Thresholds) != 0)
        {
            text.Append(' ').Append(Unsigned(server.UpperThreshold).PadRight(10))
                .Append(' ').Append(Unsigned(server.LowerThreshold).PadRight(10))
                .Append(' ').Append(Unsigned(server.ActiveConnections).PadRight(10))
                .Append(' ').Append(Unsigned(server.InactiveConnections).PadRight(10));
        }
        else if ((format & ListFormat.PersistentConnections) != 0)
        {
            text.Append(' ').Append(Unsigned(server.Weight).PadRight(9))
                .Append(' ').Append(Unsigned(server.PersistentConnections).PadRight(11))
                .Append(' ').Append(Unsigned(server.ActiveConnections).PadRight(10))
                .Append(' ').Append(Unsigned(server.InactiveConnections).PadRight(10));
        }
        else if ((format & ListFormat.TunnelInfo) != 0)
        {
            text.Append(' ').Append(ForwardingMethods.ToListingName(method).PadRight(7))
                .Append(' ').Append((method == ForwardingMethod.Tunnel ? "ipip" : "n/a").PadRight(13))
                .Append(' ').Append(server.Weight.ToString(CultureInfo.InvariantCulture).PadRight(6))
                .Append(' ').Append(Unsigned(server.ActiveConnections).PadRight(10))
                .Append(' ').Append(Unsigned(server.InactiveConnections).PadRight(10));
        }
        else
        {
            text.Append(' ').Append(ForwardingMethods.ToListingName(method).PadRight(7))
                .Append(' ').Append(server.Weight.ToString(CultureInfo.InvariantCulture).PadRight(6))
                .Append(' ').Append(Unsigned(server.ActiveConnections).PadRight(10))
                .Append(' ').Append(Unsigned(server.InactiveConnections).PadRight(10));
        }

        text.Append('\n');
    }

    /// <summary>The scheduler flags as ipvsadm names them for this scheduler (sh-*, mh-*, else flag-N), comma-separated.</summary>
    private static string FlagText(ServiceListing service)
    {
        var bits = SchedulerFlagNames.Combine(service.SchedulerFlags);
        if (bits == SchedulerFlags.None)
        {
            return "";
        }

        var names = new List<string>(3);
        switch (service.Scheduler)
        {
            case SchedulerNames.SourceHash:
            case SchedulerNames.MaglevHash:
                var prefix = service.Scheduler;
                if ((bits & SchedulerFlags.Flag1) != 0)
                {
                    names.Add(prefix + "-fallback");
                }

                if ((bits & SchedulerFlags.Flag2) != 0)
                {
                    names.Add(prefix + "-port");
                }

                break;
            default:
                if ((bits & SchedulerFlags.Flag1) != 0)
                {
                    names.Add(SchedulerFlagNames.Flag1);
                }

                if ((bits & SchedulerFlags.Flag2) != 0)
                {
                    names.Add(SchedulerFlagNames.Flag2);
                }

                if ((bits & SchedulerFlags.Flag3) != 0)
                {
                    names.Add(SchedulerFlagNames.Flag3);
                }

                break;
        }

        return string.Join(',', names);
    }

    private static string Numbers(bool exact, params long[] values) => string.Concat(values.Select(v => LargeNumber(v, exact)));

    private static string Unsigned(long value) => ((ulong)Math.Max(0, value)).ToString(CultureInfo.InvariantCulture);

    private static string Switch(ForwardingMethod method) => method switch
    {
        ForwardingMethod.Nat => "-m",
        ForwardingMethod.Tunnel => "-i",
        ForwardingMethod.FullNat => "--fullnat",
        _ => "-g",
    };

    private static string AddressPort(string address, ushort port, string protocol, ListFormat format, INameResolver resolver)
    {
        if (IsIpv6(address))
        {
            // ipvsadm brackets an IPv6 address ("[2001:db8::1]:80"); names are not looked up for IPv6 here.
            return (format & ListFormat.Numeric) != 0
                ? string.Create(CultureInfo.InvariantCulture, $"[{address}]:{port}")
                : string.Create(CultureInfo.InvariantCulture, $"[{address}]:") + resolver.PortName(port, protocol.ToLowerInvariant());
        }

        if ((format & ListFormat.Numeric) != 0 || !Ipv4Address.TryParse(address, out var value))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{address}:{port}");
        }

        return resolver.HostName(value) + ":" + resolver.PortName(port, protocol.ToLowerInvariant());
    }

    private static string ProtocolName(string protocol) => protocol.ToLowerInvariant() switch
    {
        ServiceProtocols.Tcp => "TCP",
        ServiceProtocols.Udp => "UDP",
        _ => "?",
    };

    private static int ProtocolNumber(string protocol) => protocol.ToLowerInvariant() switch
    {
        ServiceProtocols.Tcp => (int)IpProtocol.Tcp,
        ServiceProtocols.Udp => (int)IpProtocol.Udp,
        _ => 255,
    };

    // ipvsadm sorts by address family first (IPv4 before IPv6), then by the address's value.
    private static UInt128 AddressValue(string address) =>
        Ipv4Address.TryParse(address, out var value) ? value
        : LvsNet.Packets.Ipv6.Ipv6Address.TryParse(address, out var v6) ? v6.Value : UInt128.Zero;

    // ipvsadm prints the mask unless it is the family's default: 255.255.255.255, or the prefix length 128 for IPv6.
    private static string DefaultNetmask(ServiceListing service) => IsIpv6(service.Address) ? "128" : "255.255.255.255";

    private static bool IsIpv6(string address) => address.Contains(':', StringComparison.Ordinal);
}
