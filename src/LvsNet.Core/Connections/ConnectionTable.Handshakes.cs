using System.Runtime.CompilerServices;

namespace LvsNet.Core.Connections;

/// <summary>NAT/FULLNAT handshake timing (SYN to ESTABLISHED), kept beside the entries in a small direct-mapped array.</summary>
public sealed partial class ConnectionTable
{
    /// <summary>
    /// Records when a NAT/FULLNAT connection's SYN was seen (microseconds, wrapping) to time its
    /// handshake. With more than <see cref="HandshakeSlots"/> handshakes in flight, a connection
    /// whose slot a later one took goes untimed (the timing is a statistic, not state).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void MarkHandshakeStart(int index, uint microseconds) =>
        _handshakes[index & _handshakeMask] = new HandshakeMark(index, microseconds | 1);

    /// <summary>Takes the SYN time recorded by <see cref="MarkHandshakeStart"/> (once); false when none was recorded or its slot was taken since.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TakeHandshakeStart(int index, out uint microseconds)
    {
        ref var mark = ref _handshakes[index & _handshakeMask];
        if (mark.Index != index || mark.Microseconds == 0)
        {
            microseconds = 0;
            return false;
        }

        microseconds = mark.Microseconds;
        mark = default;
        return true;
    }

    // A new occupant of a slot index must not take the mark of the connection it replaces.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ClearHandshakeMark(int index)
    {
        ref var mark = ref _handshakes[index & _handshakeMask];
        if (mark.Index == index)
        {
            mark = default;
        }
    }

    /// <summary>A SYN time and the entry it belongs to.</summary>
    private readonly record struct HandshakeMark(int Index, uint Microseconds);
}
