namespace LvsNet.Core.DataPath.SynProxy;

/// <summary>
/// Per connection of a capture thread's table, the SYN proxy's number: the cookie while the real
/// server's half opens, then the shift Δ = server ISN − cookie that the NAT forwarder applies (server
/// → client: seq − Δ; client → server: ack + Δ). Allocated the first time a service asks for the
/// proxy, so a director without it pays nothing.
/// </summary>
internal sealed class SequenceShifts
{
    private uint[] _values = [];

    /// <summary>The value of connection <paramref name="index"/>.</summary>
    public ref uint this[int index] => ref _values[index];

    /// <summary>Allocates one value per table entry, once.</summary>
    public void EnsureAllocated(int capacity)
    {
        if (_values.Length == 0)
        {
            _values = new uint[capacity];
        }
    }
}
