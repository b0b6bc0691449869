using System.Collections.Immutable;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Cli.Import;

/// <summary>
/// Turns one read <c>virtual_server</c> into LvsNet services, one per endpoint (a group gives several,
/// sharing the real servers, as keepalived applies the block to every group member), with the
/// corrections keepalived makes when it validates the block (check_data.c): UDP when no protocol is
/// given, NAT when no method, persistence 360 s for port 0, ops only for UDP, duplicate real servers
/// dropped, quorum lowered to the total weight and hysteresis below the quorum.
/// </summary>
internal static class KeepalivedServiceBuilder
{
    /// <summary>The services of <paramref name="vs"/> on <paramref name="endpoints"/>.</summary>
    public static List<VirtualServiceConfig> Build(KeepalivedVirtualServerSettings vs, IReadOnlyList<(uint Address, ushort Port, uint Mark, Ipv6Address? Address6)> endpoints, ImportNotes notes)
    {
        var title = vs.Title;
        var protocol = vs.Protocol ?? IpProtocol.Udp;

        // A firewall-mark service has no protocol of its own (keepalived passes one to IPVS, which ignores it).
        var marksOnly = endpoints.All(e => e.Mark != 0);
        if (vs.Protocol is null && !marksOnly)
        {
            notes.Adjusted(vs.Line, $"{title}: no protocol given; keepalived's default UDP is used (add 'protocol TCP' if that is what you meant)");
        }

        if (vs.Method is null)
        {
            notes.Adjusted(vs.Line, $"{title}: no lvs_method given; keepalived's default NAT is used");
        }

        var persistence = vs.Persistence ?? (vs.Granularity ? IpvsadmDefaults.Persistence : null);
        if (persistence is null && endpoints.Any(e => e.Port == 0 && e.Mark == 0))
        {
            persistence = IpvsadmDefaults.Persistence;
            notes.Adjusted(vs.Line, $"{title}: port 0 needs persistence; keepalived forces it on, so persistence_timeout 360 is used");
        }

        var onePacket = vs.OnePacket;
        if (onePacket && protocol != IpProtocol.Udp && !marksOnly)
        {
            onePacket = false;
            notes.Adjusted(vs.Line, $"{title}: ops is for UDP only; keepalived resets it, so does the import");
        }

        var servers = Deduplicate(vs, notes);
        if (vs.HaSuspend && !servers.Any(s => s.HealthCheck is not null))
        {
            notes.Adjusted(vs.HaSuspendLine, $"{title}: ha_suspend: no real server has a checker, so there is nothing to suspend");
        }

        var (quorum, hysteresis) = Quorum(vs, servers, notes);
        var services = new List<VirtualServiceConfig>();
        foreach (var (address, port, mark, address6) in endpoints)
        {
            // ip_family inet6 makes a fwmark service an IPv6 one (ipvsadm -f N -6), keyed by ::.
            var vip6 = mark != 0 && vs.Inet6 ? Ipv6Address.Unspecified : address6;

            var realServers = ImmutableArray.CreateBuilder<RealServerConfig>(servers.Count);
            foreach (var server in servers)
            {
                // keepalived adds real servers in file order; each lands at the head of the kernel's list.
                realServers.Insert(0, server.ToConfig(port, vs.Weight, vs.EffectiveMethod, title, notes, firewallMark: mark != 0));
            }

            services.Add(new VirtualServiceConfig
            {
                Protocol = mark != 0 ? 0 : protocol,
                Address = address,
                Address6 = vip6,
                Port = port,
                FirewallMark = mark,
                OnePacketScheduling = onePacket && (mark != 0 || protocol == IpProtocol.Udp),
                Scheduler = vs.Scheduler,
                PersistenceTimeout = persistence,
                PersistenceNetmask = vip6 is null ? vs.Netmask : uint.MaxValue,
                PersistencePrefixLength = vip6 is null ? 128 : vs.PrefixLength ?? 128,
                SchedulerFlags = vs.Flags.ToImmutable(),
                RealServers = realServers.MoveToImmutable(),
                HealthCheck = servers.Any(s => s.HealthCheck is not null) || vs.Omega
                    ? new HealthCheckConfig { Parameters = vs.Parameters, InhibitOnFailure = vs.Inhibit, Checks = [], Omega = vs.Omega, HaSuspend = vs.HaSuspend }
                    : null,
                Quorum = QuorumConfig(vs, quorum, hysteresis, port, mark != 0, notes),
            });
        }

        return services;
    }

    private static List<KeepalivedRealServer> Deduplicate(KeepalivedVirtualServerSettings vs, ImportNotes notes)
    {
        var servers = new List<KeepalivedRealServer>();
        foreach (var server in vs.Servers)
        {
            if (servers.Any(s => s.Address == server.Address && s.Address6 == server.Address6 && s.Port == server.Port))
            {
                notes.Adjusted(server.Line, $"{vs.Title}: {server.Text} is listed twice; keepalived removes the second, so does the import");
                continue;
            }

            servers.Add(server);
        }

        return servers;
    }

    // keepalived lowers a quorum above the total weight (it could never be reached) and keeps hysteresis below the quorum.
    private static (int? Quorum, int? Hysteresis) Quorum(KeepalivedVirtualServerSettings vs, List<KeepalivedRealServer> servers, ImportNotes notes)
    {
        var quorum = vs.Quorum;
        var hysteresis = vs.Hysteresis;
        var total = servers.Sum(s => (long)(s.Weight ?? vs.Weight));
        if (quorum is { } q && q > total && total >= 1)
        {
            notes.Adjusted(vs.QuorumLine, $"{vs.Title}: quorum {q} exceeds the total weight {total} of the real servers; keepalived lowers it to {total}, so does the import");
            quorum = (int)total;
        }

        var effective = quorum ?? 1;
        if (hysteresis is { } h && h >= effective)
        {
            notes.Adjusted(vs.QuorumLine ?? vs.Line, $"{vs.Title}: hysteresis {h} is not below the quorum {effective}; keepalived sets it to {effective - 1}, so does the import");
            hysteresis = effective - 1;
        }

        return (quorum, hysteresis);
    }

    private static QuorumConfig? QuorumConfig(KeepalivedVirtualServerSettings vs, int? quorum, int? hysteresis, ushort port, bool firewallMark, ImportNotes notes)
    {
        SorryServerConfig? sorry = null;
        if (vs.SorryAddress is { } address)
        {
            var method = vs.SorryMethod ?? vs.EffectiveMethod;
            var sorryPort = vs.SorryPort ?? port;
            if (method != ForwardingMethod.Nat && sorryPort != port && !firewallMark)
            {
                notes.Adjusted(vs.SorryLine, $"{vs.Title}: sorry_server port {sorryPort}: {ForwardingMethods.ToConfigName(method)} cannot change the port; keepalived uses the virtual port {port}, so does the import");
                sorryPort = port;
            }

            sorry = new SorryServerConfig { Address = address, Address6 = vs.SorryAddress6, Port = sorryPort, Method = method, Inhibit = vs.SorryInhibit };
        }

        if (quorum is null && hysteresis is null && vs.QuorumUp is null && vs.QuorumDown is null && sorry is null)
        {
            return null;
        }

        return new QuorumConfig
        {
            Quorum = quorum ?? Core.Configuration.QuorumConfig.Default.Quorum,
            Hysteresis = hysteresis ?? Core.Configuration.QuorumConfig.Default.Hysteresis,
            UpCommand = vs.QuorumUp,
            DownCommand = vs.QuorumDown,
            SorryServer = sorry,
        };
    }
}
