namespace LvsNet.Core.Neighbours;

/// <summary>The resolution state of a neighbour (a subset of the kernel's NUD states).</summary>
public enum NeighbourState : byte
{
    /// <summary>An ARP request was sent; no answer yet.</summary>
    Incomplete = 0,

    /// <summary>The MAC is known and was confirmed recently.</summary>
    Reachable = 1,

    /// <summary>The MAC is known but old; it is used while a refresh request is out.</summary>
    Stale = 2,

    /// <summary>Every request went unanswered; packets to it are dropped until the next attempt.</summary>
    Failed = 3,
}
