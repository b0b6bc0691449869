using LvsNet.Core.Connections;
using LvsNet.Core.Runtime;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.DataPath.Ipv6;

/// <summary>FULLNAT and NAT64 over IPv6: the local address a new connection comes from.</summary>
internal sealed partial class Ipv6ClientHandler
{
    /// <summary>
    /// The client's folded address and port pick the first candidate of the service's IPv6 pool
    /// (one client's connections spread over the pool without shared state); an address whose ports
    /// are all in use passes to the next one, as the IPv4 FULLNAT path does.
    /// </summary>
    private bool TryPickLocalAddress(in Ipv6ConnectionKey key, VirtualServiceState service, out Ipv6Address localAddress)
    {
        var pool = service.Config.LocalAddresses6;
        if (!pool.IsEmpty)
        {
            var start = (int)((key.ClientAddress.Fold() ^ key.ClientPort) % (uint)pool.Length);
            for (var i = 0; i < pool.Length; i++)
            {
                localAddress = pool[(start + i) % pool.Length];
                if (_table.HasFreeLocalPort(key.Protocol, localAddress))
                {
                    return true;
                }
            }
        }

        localAddress = default;
        return false;
    }

    /// <summary>
    /// NAT64: the same pick over the service's IPv4 local addresses, held in the IPv6 table in their
    /// IPv4-mapped form; their ports come from the IPv4 pool that IPv4 FULLNAT uses.
    /// </summary>
    private bool TryPickLocalAddress4(in Ipv6ConnectionKey key, VirtualServiceState service, out Ipv6Address localAddress)
    {
        var pool = service.Config.LocalAddresses;
        if (!pool.IsEmpty)
        {
            var start = (int)((key.ClientAddress.Fold() ^ key.ClientPort) % (uint)pool.Length);
            for (var i = 0; i < pool.Length; i++)
            {
                localAddress = Nat64Translator.MapIpv4(pool[(start + i) % pool.Length]);
                if (_table.HasFreeLocalPort(key.Protocol, localAddress))
                {
                    return true;
                }
            }
        }

        localAddress = default;
        return false;
    }
}
