using LvsNet.Core.Connections;
using LvsNet.Core.Runtime;
using LvsNet.Core.Scheduling;

namespace LvsNet.Core.DataPath.Ipv6;

internal sealed partial class Ipv6ClientHandler
{
    /// <summary>
    /// Asks the service's scheduler. With several workers the scheduler's state is shared under the
    /// service's lock, as IPVS takes its per-service scheduler lock; only new flows pay for it.
    /// </summary>
    private RealServerState? Schedule(VirtualServiceState service, in FlowInfo flow)
    {
        if (!_sharedSchedulers)
        {
            return service.Scheduler.Schedule(flow);
        }

        lock (service)
        {
            return service.Scheduler.Schedule(flow);
        }
    }

    /// <summary>
    /// Persistence over IPv6 (IPVS ip_vs_sched_persist): the template key is the client's address
    /// cut to the service's prefix length (<c>ipv6_addr_prefix</c> with the netmask, which is a
    /// prefix length for IPv6), port 0, the VIP and the service port. A valid template sends the
    /// flow to its server without asking the scheduler; otherwise the scheduler picks, and the
    /// template is created or re-pointed. <paramref name="template"/> is the template's index, or
    /// -2 when the table had no room for one (already counted). An IPv6 firewall-mark service's
    /// template is keyed as the kernel keys it (<c>ip_vs_sched_persist</c> fills the virtual address
    /// with <c>{ .ip = htonl(fwmark) }</c>): protocol 0 ("IP"), the mark in the first 32 bits of the
    /// virtual address and zeros after it, port 0; so every port and protocol of the mark sticks to one server.
    /// </summary>
    private RealServerState? SchedulePersistent(in Ipv6ConnectionKey key, VirtualServiceState service, in FlowInfo flow, out int template)
    {
        var config = service.Config;
        var masked = key.ClientAddress.Mask(config.PersistencePrefixLength);
        var serviceKey = service.Key;
        var port = serviceKey.Port;
        var protocol = serviceKey.IsFirewallMark ? (Packets.IpProtocol)0 : key.Protocol;
        var virtualAddress = serviceKey.IsFirewallMark ? MarkAddress(serviceKey.FirewallMark) : key.VirtualAddress;
        template = _table.FindTemplate(protocol, masked, virtualAddress, port);
        RealServerState? bound = null;
        if (template >= 0)
        {
            bound = _state.ServerOf(_table[template].RealServerId);
            if (bound is not null && bound.IsAvailable && !(_state.ExpireQuiescent && bound.Weight == 0))
            {
                return bound;
            }
        }

        var server = Schedule(service, in flow);
        if (server is null)
        {
            return null;
        }

        if (template >= 0)
        {
            _table.RebindTemplate(template, bound, server);
            return server;
        }

        template = _table.InsertTemplate(protocol, masked, virtualAddress, port, server, ConnectionClock.ToTicks(config.PersistenceTimeout!.Value), _state.Now);
        if (template < 0)
        {
            _counters.Drop(DropReason.TableFull);
            template = -2;
            return null;
        }

        return server;
    }

    /// <summary>The virtual address of an IPv6 firewall-mark template: the mark in network order in the first four bytes (<c>0:1::</c> for mark 1).</summary>
    internal static Packets.Ipv6.Ipv6Address MarkAddress(uint mark) => new((UInt128)mark << 96);
}
