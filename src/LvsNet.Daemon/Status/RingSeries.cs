namespace LvsNet.Daemon.Status;

/// <summary>
/// A fixed-size time series (the last <see cref="Capacity"/> samples, oldest overwritten) for the
/// status page's graphs. Not thread-safe: <see cref="StatusHistory"/> guards it.
/// </summary>
public sealed class RingSeries
{
    private readonly double[] _values;
    private int _next;
    private int _count;

    /// <summary>Creates an empty series of <paramref name="capacity"/> samples.</summary>
    public RingSeries(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _values = new double[capacity];
    }

    /// <summary>The most samples kept.</summary>
    public int Capacity => _values.Length;

    /// <summary>Samples held.</summary>
    public int Count => _count;

    /// <summary>Appends a sample, dropping the oldest when full.</summary>
    public void Add(double value)
    {
        _values[_next] = value;
        _next = (_next + 1) % _values.Length;
        _count = Math.Min(_count + 1, _values.Length);
    }

    /// <summary>The samples, oldest first (a copy).</summary>
    public double[] ToArray()
    {
        var result = new double[_count];
        var start = (_next - _count + _values.Length) % _values.Length;
        for (var i = 0; i < _count; i++)
        {
            result[i] = _values[(start + i) % _values.Length];
        }

        return result;
    }
}
