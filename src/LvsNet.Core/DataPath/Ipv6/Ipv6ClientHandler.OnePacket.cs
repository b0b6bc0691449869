using System.Runtime.CompilerServices;
using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.Runtime;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.DataPath.Ipv6;

internal sealed partial class Ipv6ClientHandler
{
    /// <summary>
    /// One-packet scheduling (ipvsadm <c>-o</c>) of an IPv6 UDP datagram: a server for this datagram
    /// alone, no entry kept, counted as a connection that lives for one packet (as IPVS counts OPS
    /// connections). A persistent service still keeps (and re-arms) its template. Forwarded by dr,
    /// tun or nat; fullnat needs an entry to map the reply back, which the validator refuses.
    /// </summary>
    private void ForwardOnePacket(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, int offset, in Ipv6ConnectionKey key, VirtualServiceState service)
    {
        if (!_defence.AdmitsNewConnectionFrom(key.ClientAddress))
        {
            _counters.Drop(DropReason.SourceRateLimited);
            return;
        }

        if (_defence.ShouldDropNewConnection())
        {
            _counters.Drop(DropReason.DefenceDropPacket);
            return;
        }

        var flow = new FlowInfo(key.Protocol, key.ClientAddress.Fold(), key.ClientPort, key.VirtualAddress.Fold(), key.VirtualPort);
        var template = -1;
        var server = service.Config.PersistenceTimeout is null ? Schedule(service, in flow) : SchedulePersistent(in key, service, in flow, out template);
        if (server is null)
        {
            if (template != -2)
            {
                RefuseNoDestination(frame, ip, offset, key.Protocol);
            }

            return;
        }

        if (template >= 0)
        {
            _table.RefreshTemplate(template, _state.Now);
        }

        if (server.Method == ForwardingMethod.FullNat)
        {
            _counters.Drop(DropReason.NoLocalPort);
            return;
        }

        server.OnConnectionCreated();
        server.OnConnectionFreed(wasActive: false);
        _counters._connectionsCreated++;
        var chain = new Ipv6Chain { UpperLayer = (byte)key.Protocol, UpperLayerOffset = offset, FragmentHeaderOffset = -1 };
        if (server.Method == ForwardingMethod.Nat)
        {
            _nat.Forward(frame, l2Length, ip, in chain, server, key.VirtualPort);
            return;
        }

        // dr and tun look at no connection entry.
        ForwardFragment(frame, l2Length, ip, in chain, server, index: -1);
    }

    // IPVS ip_vs_leave: port unreachable for TCP and UDP alike (rate-limited).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RefuseNoDestination(ReadOnlySpan<byte> frame, Ipv6Header ip, int offset, IpProtocol protocol)
    {
        _counters.Drop(DropReason.NoDestination);
        _errors.SendPortUnreachable(frame, ip, new Ipv6Chain { UpperLayer = (byte)protocol, UpperLayerOffset = offset, FragmentHeaderOffset = -1 });
    }
}
