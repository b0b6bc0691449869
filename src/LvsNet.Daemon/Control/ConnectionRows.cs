using LvsNet.Control.Protocol;
using LvsNet.Core;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath;
using LvsNet.Packets;

namespace LvsNet.Daemon.Control;

/// <summary>
/// Connection entries as <c>lvsnetadm -L -c</c> receives them, from the IPv4 table
/// (<see cref="ConnectionInfo"/>) and from the IPv6 table, whose entries it reads directly:
/// addresses as text (IPv6 in RFC 5952 form, as ipvsadm's inet_ntop prints them).
/// </summary>
public static class ConnectionRows
{
    /// <summary>The row of an IPv4 entry.</summary>
    public static ConnectionRow Of(ConnectionInfo entry) => new()
    {
        Protocol = ProtocolName(entry.Protocol),
        ClientAddress = Ipv4Address.Format(entry.ClientAddress),
        ClientPort = entry.ClientPort,
        VirtualAddress = Ipv4Address.Format(entry.VirtualAddress),
        VirtualPort = entry.VirtualPort,
        DestinationAddress = Ipv4Address.Format(entry.DestinationAddress),
        DestinationPort = entry.DestinationPort,
        State = entry.StateName,
        ExpiresSeconds = (long)entry.Expires.TotalSeconds,
        LocalAddress = entry.LocalAddress != 0 ? Ipv4Address.Format(entry.LocalAddress) : null,
        LocalPort = entry.LocalPort,
    };

    /// <summary>The row of an IPv6 entry whose real server is <paramref name="server"/> (null when the snapshot no longer has it).</summary>
    public static ConnectionRow Of(in Ipv6ConnectionEntry entry, RealServerState? server, uint now)
    {
        var left = (int)(entry.ExpiresAt - now);
        var template = (entry.Flags & ConnectionFlags.Template) != 0;
        return new ConnectionRow
        {
            Protocol = ProtocolName(entry.Protocol),
            ClientAddress = entry.ClientAddress.ToString(),
            ClientPort = entry.ClientPort,
            VirtualAddress = entry.VirtualAddress.ToString(),
            VirtualPort = entry.VirtualPort,
            DestinationAddress = server is { IsIpv6: true } ? server.Address6.ToString() : server is not null ? Ipv4Address.Format(server.Address) : "::",
            DestinationPort = server?.Port ?? 0,
            State = template ? ((entry.Flags & ConnectionFlags.Assured) != 0 ? "ASSURED" : "NONE") : ConnectionStates.Name(entry.State),
            ExpiresSeconds = left > 0 ? (long)ConnectionClock.ToTimeSpan((uint)left).TotalSeconds : 0,
        };
    }

    /// <summary>
    /// Calls <paramref name="visit"/> with up to <paramref name="max"/> entries of the IPv6 table of
    /// <paramref name="processor"/> and their real servers. Call it on the table's capture thread.
    /// </summary>
    public static void VisitIpv6(PacketProcessor processor, Action<Ipv6ConnectionEntry, RealServerState?> visit, int max = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(processor);
        ArgumentNullException.ThrowIfNull(visit);
        var servers = processor.Snapshot?.ServersById ?? [];
        var table = processor.Table6;
        table.ForEach(
            index =>
            {
                var entry = table[index];
                var id = entry.RealServerId;
                visit(entry, (uint)id < (uint)servers.Length ? servers[id] : null);
            },
            max);
    }

    /// <summary>Up to <paramref name="max"/> rows of the IPv6 table of <paramref name="processor"/> (on its capture thread).</summary>
    public static List<ConnectionRow> ListIpv6(PacketProcessor processor, int max)
    {
        ArgumentNullException.ThrowIfNull(processor);
        var now = processor.Now;
        var rows = new List<ConnectionRow>(Math.Min(max, processor.Table6.Count));
        VisitIpv6(processor, (entry, server) => rows.Add(Of(entry, server, now)), max);
        return rows;
    }

    private static string ProtocolName(IpProtocol protocol) => protocol switch
    {
        IpProtocol.Tcp => "TCP",
        IpProtocol.Udp => "UDP",
        IpProtocol.Sctp => "SCTP",
        _ => "IP",
    };
}
