namespace LvsNet.Core.DataPath.Fragments;

/// <summary>What <see cref="FragmentQueues"/>'s Add did with a fragment.</summary>
internal enum FragmentVerdict
{
    /// <summary>Held: its datagram is not complete yet.</summary>
    Held,

    /// <summary>Held, and its datagram is now complete: the caller forwards and releases the queue.</summary>
    Complete,

    /// <summary>An exact copy of a held fragment: not held, the datagram goes on.</summary>
    Duplicate,

    /// <summary>Overlaps a held fragment: not held; the caller drops the whole datagram.</summary>
    Overlap,

    /// <summary>Cannot belong to a valid datagram: not held, the datagram goes on.</summary>
    Malformed,

    /// <summary>No queue or buffer was free: not held.</summary>
    NoBuffer,
}
