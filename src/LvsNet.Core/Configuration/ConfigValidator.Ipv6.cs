using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.Configuration;

/// <summary>The rules of IPv6 services: what is built for them today, and which addresses they may use.</summary>
public static partial class ConfigValidator
{
    /// <summary>The end of every error about an IPv6 feature that does not exist yet (see docs/forwarding-modes.md).</summary>
    internal const string NotBuiltForIpv6 = "is not built for IPv6 services yet (IPv6 services forward by dr, nat, tun or fullnat, and by fullnat to IPv4 servers: NAT64)";

    // director.address6 and gateway6: the director's IPv6 side (NAT replies' next hops).
    private static void ValidateDirector6(DirectorConfig director, Func<string, int?> lineOf, List<ConfigError> errors)
    {
        var line = lineOf("director");
        if (director.Address6 is { } address && Ipv6AddressProblem(address, "the director's address6") is { } problem)
        {
            errors.Add(new ConfigError("director.address6", line, problem));
        }

        if (director.Gateway6 is { } gateway)
        {
            // A router's link-local address is the usual IPv6 gateway: allowed here, unlike for VIPs.
            if (gateway.IsUnspecified || gateway.IsLoopback || gateway.IsMulticast || gateway.IsIpv4Mapped)
            {
                errors.Add(new ConfigError("director.gateway6", line, $"{gateway} cannot be a gateway: it must be a unicast address (global, unique-local or link-local)"));
            }
            else if (gateway == director.Address6)
            {
                errors.Add(new ConfigError("director.gateway6", line, "cannot be the director's own address6"));
            }
        }
    }

    private static void ValidateIpv6Service(LvsConfig config, VirtualServiceConfig service, string path, int? line, Func<string, int?> lineOf, List<ConfigError> errors)
    {
        // An IPv6 firewall-mark service has no VIP of its own (::): its rules' IPv6 destinations are checked as VIPs.
        var isMark = service.FirewallMark != 0;
        var vip = service.Address6!.Value;
        if (!isMark && Ipv6AddressProblem(vip, "a VIP") is { } vipProblem)
        {
            errors.Add(new ConfigError(path + ".address", line, vipProblem));
        }

        ValidateIpv6ToaAndSynProxy(service, path, line, lineOf, errors);

        ValidateIpv6LocalAddresses(config, service, path, line, errors);

        var seen = new Dictionary<(Ipv6Address, ushort), int>();
        var seen4 = new Dictionary<(uint, ushort), int>();
        for (var j = 0; j < service.RealServers.Length; j++)
        {
            var server = service.RealServers[j];
            var serverPath = $"{path}.real_servers[{j}]";
            var serverLine = lineOf(serverPath) ?? line;
            ValidateThresholds(server, serverPath, serverLine, errors);
            if (server.Method is ForwardingMethod.FullNat && service.OnePacketScheduling)
            {
                errors.Add(new ConfigError(serverPath + ".method", serverLine, "fullnat cannot be used with one_packet_scheduling: a reply needs the connection entry that maps it back"));
            }

            if (!server.IsIpv6 && server.Method == ForwardingMethod.FullNat)
            {
                ValidateNat64Server(config, service, server, serverPath, serverLine, seen4, j, errors);
                continue;
            }

            if (ValidateMixedFamilyServer(config, service, server, serverPath, serverLine, errors) || server.Address6 is not { } rip)
            {
                continue;
            }

            if (!seen.TryAdd((rip, server.Port), j))
            {
                errors.Add(new ConfigError(serverPath, serverLine, $"duplicates real_servers[{seen[(rip, server.Port)]}] ({server.EndpointText})"));
            }

            if (server.Method is ForwardingMethod.FullNat)
            {
                ValidateIpv6FullNatServer(service, serverPath, serverLine, errors);
            }
            else if (server.Method is not (ForwardingMethod.DirectRouting or ForwardingMethod.Nat or ForwardingMethod.Tunnel))
            {
                errors.Add(new ConfigError(serverPath + ".method", serverLine, $"{ForwardingMethods.ToConfigName(server.Method)} {NotBuiltForIpv6}"));
            }
            else if (server.Method is ForwardingMethod.DirectRouting or ForwardingMethod.Tunnel && server.Port != service.Port && !isMark)
            {
                errors.Add(new ConfigError(serverPath + ".port", serverLine, $"{ForwardingMethods.ToConfigName(server.Method)} cannot change the port: the real server must listen on the virtual port {service.Port} (got {server.Port})"));
            }

            if (server.Method == ForwardingMethod.Tunnel && config.Director.Address6 is null)
            {
                errors.Add(new ConfigError(serverPath + ".address", serverLine, "an IPv6 tunnel needs director.address6: the outer IPv6 header's source"));
            }

            if (rip == vip && !isMark)
            {
                errors.Add(new ConfigError(serverPath + ".address", serverLine, "a real server cannot be the VIP"));
            }
            else if (Ipv6AddressProblem(rip, "a real server") is { } serverProblem)
            {
                errors.Add(new ConfigError(serverPath + ".address", serverLine, serverProblem));
            }

            if (server.Mac is not null)
            {
                errors.Add(new ConfigError(serverPath + ".mac", serverLine, $"mac on a real server {NotBuiltForIpv6}"));
            }
        }
    }

    /// <summary>
    /// Why an IPv6 address cannot be a VIP or a real server: it must be a global or unique-local
    /// unicast address. Link-local addresses need a zone (which interface), multicast and the
    /// special addresses belong to no single host, IPv4-mapped ones never appear on the wire.
    /// </summary>
    internal static string? Ipv6AddressProblem(Ipv6Address address, string role)
    {
        var kind = address switch
        {
            { IsUnspecified: true } => "the unspecified address",
            { IsLoopback: true } => "the loopback address",
            { IsMulticast: true } => "a multicast address",
            { IsLinkLocal: true } => "a link-local address",
            { IsIpv4Mapped: true } => "an IPv4-mapped address",
            _ => null,
        };
        return kind is null ? null : $"{address} is {kind}; {role} must be a global or unique-local unicast address";
    }

    // toa: FULLNAT's option, to IPv6 real servers (20-byte IPv6 TOA) and to NAT64's IPv4 ones (the
    // same 20-byte option, as DPVS sends it for an IPv6 client). syn_proxy: NAT and FULLNAT to IPv6
    // real servers, and NAT64 (fullnat to IPv4 ones).
    private static void ValidateIpv6ToaAndSynProxy(VirtualServiceConfig service, string path, int? line, Func<string, int?> lineOf, List<ConfigError> errors)
    {
        if (service.Toa && service.Protocol != IpProtocol.Tcp)
        {
            errors.Add(new ConfigError(path + ".toa", line, "toa is a TCP option; this service is udp"));
        }
        else if (service.Toa && !service.RealServers.Any(r => r.Method == ForwardingMethod.FullNat))
        {
            errors.Add(new ConfigError(path + ".toa", line, "toa applies to fullnat servers (IPv6, or IPv4 through NAT64), and this service has none"));
        }

        if (!service.SynProxy)
        {
            return;
        }

        if (service.Protocol != IpProtocol.Tcp)
        {
            errors.Add(new ConfigError(path + ".syn_proxy", line, "syn_proxy is for TCP services; this service is udp"));
            return;
        }

        for (var j = 0; j < service.RealServers.Length; j++)
        {
            var server = service.RealServers[j];
            var serverPath = $"{path}.real_servers[{j}]";
            if (server.Method is not (ForwardingMethod.Nat or ForwardingMethod.FullNat))
            {
                errors.Add(new ConfigError(serverPath + ".method", lineOf(serverPath) ?? line, $"syn_proxy needs every real server to use method nat or fullnat (the director must see both directions to splice sequence numbers); this one is {ForwardingMethods.ToConfigName(server.Method)}"));
            }
        }
    }
}
