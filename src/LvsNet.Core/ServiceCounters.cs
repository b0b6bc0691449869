namespace LvsNet.Core;

/// <summary>A virtual service's traffic counters (ipvsadm --stats), written by capture threads.</summary>
public sealed class ServiceCounters
{
    private long _connections;

    /// <summary>Connections scheduled.</summary>
    public long Connections => Volatile.Read(ref _connections);

    /// <summary>Packets from clients.</summary>
    public long InPackets => Traffic.InPackets;

    /// <summary>Bytes from clients.</summary>
    public long InBytes => Traffic.InBytes;

    /// <summary>Reply packets (NAT).</summary>
    public long OutPackets => Traffic.OutPackets;

    /// <summary>Reply bytes (NAT).</summary>
    public long OutBytes => Traffic.OutBytes;

    /// <summary>Packets and bytes, per capture worker.</summary>
    internal TrafficCounters Traffic { get; } = new();

    internal void AddConnection() => Interlocked.Increment(ref _connections);
}
