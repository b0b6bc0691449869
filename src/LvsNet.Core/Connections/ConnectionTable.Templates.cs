using LvsNet.Packets;

namespace LvsNet.Core.Connections;

/// <summary>Persistence templates: entries that bind a masked client to a real server (IPVS ip_vs_sched_persist).</summary>
public sealed partial class ConnectionTable
{
    /// <summary>The persistence template re-arm step while it still controls connections (IPVS: 60 s).</summary>
    public static readonly uint TemplateRearmTicks = ConnectionClock.ToTicks(TimeSpan.FromSeconds(60));

    /// <summary>Finds the persistence template of (protocol, masked client, VIP, port).</summary>
    /// <returns>The template's index, or -1.</returns>
    public int FindTemplate(IpProtocol protocol, uint maskedClient, uint virtualAddress, ushort virtualPort)
    {
        var index = _buckets[(int)ConnectionKey.Hash(protocol, maskedClient, 0, _hashKey) & _bucketMask];
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
    public int InsertTemplate(IpProtocol protocol, uint maskedClient, uint virtualAddress, ushort virtualPort, RealServerState server, uint timeoutTicks, uint now)
    {
        ArgumentNullException.ThrowIfNull(server);
        var index = Insert(new ConnectionKey(protocol, maskedClient, 0, virtualAddress, virtualPort), server.Id, ConnectionFlags.Template, now);
        if (index != None)
        {
            ref var entry = ref _entries[index];
            entry.TimeoutTicks = timeoutTicks;
            entry.ExpiresAt = now + timeoutTicks;
            server.OnTemplateBound();
        }

        return index;
    }

    /// <summary>Points a template at another server (its old server became unusable), keeping PersistConn counts exact.</summary>
    public void RebindTemplate(int template, RealServerState? oldServer, RealServerState server)
    {
        ArgumentNullException.ThrowIfNull(server);
        ref var entry = ref _entries[template];
        oldServer?.OnTemplateUnbound();
        server.OnTemplateBound();
        entry.RealServerId = server.Id;
        entry.Flags &= ~ConnectionFlags.Assured;
    }

    /// <summary>Links a new connection to the template controlling it and refreshes the template's timer.</summary>
    public void Attach(int connection, int template, uint now)
    {
        ref var tmpl = ref _entries[template];
        tmpl.Controlled++;
        tmpl.ExpiresAt = now + tmpl.TimeoutTicks;
        _entries[connection].Control = template;
    }

    /// <summary>
    /// Re-arms a persistence template's timer without a connection (one-packet scheduling). The
    /// entry stays in its wheel slot: a later expiry is found there and moved when the wheel passes.
    /// </summary>
    public void RefreshTemplate(int template, uint now)
    {
        ref var tmpl = ref _entries[template];
        tmpl.ExpiresAt = now + tmpl.TimeoutTicks;
    }
}
