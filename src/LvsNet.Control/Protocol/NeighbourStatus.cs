namespace LvsNet.Control.Protocol;

/// <summary>The daemon's own neighbour tables (ARP for IPv4, neighbour discovery for IPv6), summed over the capture workers.</summary>
public sealed record NeighbourStatus
{
    /// <summary>IPv4 neighbours in the table now.</summary>
    public int Entries { get; init; }

    /// <summary>The IPv4 table's capacity.</summary>
    public int Capacity { get; init; }

    /// <summary>ARP requests sent (resolutions and checks).</summary>
    public long RequestsSent { get; init; }

    /// <summary>IPv4 resolutions and checks that got no answer.</summary>
    public long Failed { get; init; }

    /// <summary>IPv4 entries given to a new address because the table was full (their address never answered or was unused).</summary>
    public long Reclaimed { get; init; }

    /// <summary>IPv6 neighbours in the table now.</summary>
    public int Entries6 { get; init; }

    /// <summary>The IPv6 table's capacity.</summary>
    public int Capacity6 { get; init; }

    /// <summary>Neighbour solicitations sent.</summary>
    public long SolicitationsSent { get; init; }

    /// <summary>IPv6 addresses given up after their solicitations went unanswered.</summary>
    public long Failed6 { get; init; }

    /// <summary>IPv6 entries given to a new address because the table was full.</summary>
    public long Reclaimed6 { get; init; }
}
