namespace LvsNet.Core;

/// <summary>A virtual service's traffic counters (ipvsadm --stats), written by capture threads.</summary>
public sealed class ServiceCounters
{
    private long _connections;
    private long _inPackets;
    private long _inBytes;
    private long _outPackets;
    private long _outBytes;

    /// <summary>Connections scheduled.</summary>
    public long Connections => Volatile.Read(ref _connections);

    /// <summary>Packets from clients.</summary>
    public long InPackets => Volatile.Read(ref _inPackets);

    /// <summary>Bytes from clients.</summary>
    public long InBytes => Volatile.Read(ref _inBytes);

    /// <summary>Reply packets (NAT).</summary>
    public long OutPackets => Volatile.Read(ref _outPackets);

    /// <summary>Reply bytes (NAT).</summary>
    public long OutBytes => Volatile.Read(ref _outBytes);

    internal void AddConnection() => Interlocked.Increment(ref _connections);

    internal void AddInbound(int bytes)
    {
        Interlocked.Increment(ref _inPackets);
        Interlocked.Add(ref _inBytes, bytes);
    }

    internal void AddOutbound(int bytes)
    {
        Interlocked.Increment(ref _outPackets);
        Interlocked.Add(ref _outBytes, bytes);
    }
}
