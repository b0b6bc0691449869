using LvsNet.Core.Connections;
using LvsNet.Core.Runtime;

namespace LvsNet.Core.DataPath.NewFlows;

internal sealed partial class NewFlowScheduler
{
    /// <summary>
    /// Persistence (IPVS ip_vs_sched_persist): a valid template for the masked client sends the
    /// connection to the template's server without asking the scheduler; otherwise the scheduler
    /// picks, and the template is created or re-pointed. <paramref name="template"/> is the
    /// template's index, or -2 when the table had no room for one (already counted). A firewall-mark
    /// service's template is keyed as the kernel keys it, by protocol 0 ("IP"), the masked client and
    /// the mark in the virtual address with port 0, so that every port and protocol the mark covers
    /// sticks to one server (http and https together).
    /// </summary>
    private RealServerState? SchedulePersistent(in ConnectionKey key, VirtualServiceState service, out int template)
    {
        var config = service.Config;
        var masked = key.ClientAddress & config.PersistenceNetmask;
        var serviceKey = service.Key;
        var protocol = serviceKey.IsFirewallMark ? (Packets.IpProtocol)0 : key.Protocol;
        var virtualAddress = serviceKey.IsFirewallMark ? serviceKey.FirewallMark : key.VirtualAddress;
        var port = serviceKey.Port;
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

        var server = Schedule(in key, service);
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
            WarnTableFull();
            template = -2;
            return null;
        }

        return server;
    }
}
