namespace LvsNet.Core.Neighbours;

/// <summary>The resolution state of a neighbour (a subset of the kernel's NUD states).</summary>
public enum NeighbourState : byte
{
    /// <summary>An ARP request was sent; no answer yet.</summary>
    Incomplete = 0,

    /// <summary>The MAC is known and was confirmed recently.</summary>
    Reachable = 1,

    /// <summary>The MAC is known but old; the next packet to it starts a unicast probe.</summary>
    Stale = 2,

    /// <summary>Every request went unanswered; packets to it are dropped until the next attempt.</summary>
    Failed = 3,

    /// <summary>
    /// The known MAC is being verified (it grew old, or another MAC was claimed for the address):
    /// unicast probes to it, then broadcast probes; it stays in use meanwhile (the kernel's PROBE).
    /// </summary>
    Probe = 4,

    /// <summary>A MAC from the configuration (YAML <c>mac</c>): never probed, never changed by ARP (the kernel's PERMANENT).</summary>
    Permanent = 5,
}
