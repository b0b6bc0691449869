using System.Runtime.CompilerServices;

namespace LvsNet.Core.Connections;

/// <summary>The marks the SYN proxy and FULLNAT's TOA option keep on IPv6 connections.</summary>
public sealed partial class Ipv6ConnectionTable
{
    /// <summary>Sets and clears flags of a connection (the SYN proxy's marks).</summary>
    public void SetFlags(int index, ConnectionFlags set, ConnectionFlags clear) =>
        _entries[index].Flags = (_entries[index].Flags & ~clear) | set;

    /// <summary>FULLNAT or NAT64 with TOA: claims the one packet of the connection that carries the client's address.</summary>
    /// <returns>True the first time only.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryClaimToa(int index)
    {
        ref var entry = ref _entries[index];
        if ((entry.Flags & ConnectionFlags.ToaDone) != 0)
        {
            return false;
        }

        entry.Flags |= ConnectionFlags.ToaDone;
        return true;
    }
}
