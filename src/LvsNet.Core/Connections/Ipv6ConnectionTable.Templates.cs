using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.Connections;

/// <summary>
/// Persistence templates over IPv6: entries that bind a client prefix to a real server (IPVS
/// ip_vs_sched_persist with ipv6_addr_prefix), keyed like a connection with client port 0 and
/// hashed into the same chains. Clients never reach them by <see cref="Find"/>: a client packet
/// with port 0 is dropped before any lookup.
/// </summary>
public sealed partial class Ipv6ConnectionTable
{
    /// <summary>Finds the persistence template of (protocol, client prefix, VIP, port).</summary>
    /// <returns>The template's index, or -1.</returns>
    public int FindTemplate(IpProtocol protocol, Ipv6Address maskedClient, Ipv6Address virtualAddress, ushort virtualPort)
    {
        var index = _buckets[(int)Ipv6ConnectionKey.Hash(protocol, maskedClient, 0, _hashKey) & _bucketMask];
        while (index != None)
        {
            ref var entry = ref _entries[index];
            if ((entry.Flags & ConnectionFlags.Template) != 0
                && entry.ClientAddress == maskedClient
                && entry.VirtualAddress == virtualAddress
                && entry.VirtualPort == virtualPort
                && entry.Protocol == protocol)
            {
                return index;
            }

            index = entry.BucketNext;
        }

        return None;
    }

    /// <summary>Adds a persistence template bound to <paramref name="server"/>, expiring after <paramref name="timeoutTicks"/>.</summary>
    /// <returns>Its index, or -1 when the table is full.</returns>
    public int InsertTemplate(IpProtocol protocol, Ipv6Address maskedClient, Ipv6Address virtualAddress, ushort virtualPort, RealServerState server, uint timeoutTicks, uint now)
    {
        ArgumentNullException.ThrowIfNull(server);
        var index = Insert(new Ipv6ConnectionKey(protocol, maskedClient, 0, virtualAddress, virtualPort), server.Id, ConnectionFlags.Template, now);
        if (index != None)
        {
            ref var entry = ref _entries[index];
            entry.TemplateTimeoutTicks = timeoutTicks;
            entry.ExpiresAt = now + timeoutTicks;
            server.OnTemplateBound();
        }

        return index;
    }

    /// <summary>Points a template at another server (its old one became unusable), keeping PersistConn counts exact.</summary>
    public void RebindTemplate(int template, RealServerState? oldServer, RealServerState server)
    {
        ArgumentNullException.ThrowIfNull(server);
        ref var entry = ref _entries[template];
        oldServer?.OnTemplateUnbound();
        server.OnTemplateBound();
        entry.RealServerId = server.Id;
        entry.Flags &= ~ConnectionFlags.Assured;
    }

    /// <summary>
    /// Links a new connection to the template controlling it and re-arms the template's timer to the
    /// persistence timeout (it stays in its wheel slot: a later expiry is found there and moved).
    /// </summary>
    public void Attach(int connection, int template, uint now)
    {
        ref var tmpl = ref _entries[template];
        tmpl.Controlled++;
        tmpl.ExpiresAt = now + tmpl.TemplateTimeoutTicks;
        _entries[connection].ControlPlusOne = template + 1;
    }

    /// <summary>
    /// Re-arms a persistence template's timer without a connection (one-packet scheduling). The
    /// entry stays in its wheel slot: a later expiry is found there and moved when the wheel passes.
    /// </summary>
    public void RefreshTemplate(int template, uint now)
    {
        ref var tmpl = ref _entries[template];
        tmpl.ExpiresAt = now + tmpl.TemplateTimeoutTicks;
    }
}
