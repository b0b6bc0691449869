using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Core;

/// <summary>
/// The live state of one real server of one virtual service: its settings, connection counts and
/// traffic counters. It outlives snapshots: a reload that keeps the server keeps this object, so
/// counts and connections carry over.
/// </summary>
/// <remarks>
/// Counters are written by the capture threads with <see cref="Interlocked"/> and read by the
/// control plane. Connection entries refer to a server by <see cref="Id"/>, not by reference, so the
/// connection table holds no managed references.
/// </remarks>
public sealed class RealServerState
{
    private int _weight;
    private int _activeConnections;
    private int _inactiveConnections;
    private long _connections;
    private long _inPackets;
    private long _inBytes;
    private long _outPackets;
    private long _outBytes;
    private volatile bool _isAvailable = true;

    /// <summary>Creates the state of a server.</summary>
    public RealServerState(int id, ServiceKey service, ServiceCounters serviceCounters, RealServerConfig config)
    {
        ArgumentNullException.ThrowIfNull(serviceCounters);
        ArgumentNullException.ThrowIfNull(config);
        Id = id;
        Service = service;
        ServiceCounters = serviceCounters;
        Address = config.Address;
        Port = config.Port;
        Apply(config);
    }

    /// <summary>The id connection entries use to refer to this server.</summary>
    public int Id { get; }

    /// <summary>The virtual service this server belongs to.</summary>
    public ServiceKey Service { get; }

    /// <summary>The counters of the virtual service this server belongs to.</summary>
    public ServiceCounters ServiceCounters { get; }

    /// <summary>The real server's address.</summary>
    public uint Address { get; }

    /// <summary>The real server's port.</summary>
    public ushort Port { get; }

    /// <summary>The forwarding method.</summary>
    public ForwardingMethod Method { get; private set; }

    /// <summary>The current weight (0 = quiescent).</summary>
    public int Weight => Volatile.Read(ref _weight);

    /// <summary>The configuration this state was last updated from.</summary>
    public RealServerConfig Config { get; private set; } = null!;

    /// <summary>False once the server was removed from the configuration: packets of its connections are then dropped.</summary>
    public bool IsAvailable
    {
        get => _isAvailable;
        internal set => _isAvailable = value;
    }

    /// <summary>True while a connection threshold marks the server overloaded.</summary>
    public bool IsOverloaded { get; internal set; }

    /// <summary>Connections counted active (TCP ESTABLISHED, SYN_SENT, SYN_RECV, SYNACK).</summary>
    public int ActiveConnections => Volatile.Read(ref _activeConnections);

    /// <summary>Connections counted inactive (every other state, and all UDP).</summary>
    public int InactiveConnections => Volatile.Read(ref _inactiveConnections);

    /// <summary>Connections scheduled to this server since start (or the last zeroing).</summary>
    public long Connections => Volatile.Read(ref _connections);

    /// <summary>Packets forwarded from clients to this server.</summary>
    public long InPackets => Volatile.Read(ref _inPackets);

    /// <summary>Bytes (IP length) forwarded from clients to this server.</summary>
    public long InBytes => Volatile.Read(ref _inBytes);

    /// <summary>Reply packets from this server forwarded to clients (NAT only).</summary>
    public long OutPackets => Volatile.Read(ref _outPackets);

    /// <summary>Reply bytes from this server forwarded to clients (NAT only).</summary>
    public long OutBytes => Volatile.Read(ref _outBytes);

    /// <summary>Updates the settings that may change in place (weight, method).</summary>
    internal void Apply(RealServerConfig config)
    {
        Config = config;
        Method = config.Method;
        Volatile.Write(ref _weight, config.Weight);
    }

    internal void OnConnectionCreated()
    {
        Interlocked.Increment(ref _connections);
        Interlocked.Increment(ref _inactiveConnections);
        ServiceCounters.AddConnection();
    }

    internal void OnConnectionFreed(bool wasActive) =>
        Interlocked.Decrement(ref wasActive ? ref _activeConnections : ref _inactiveConnections);

    internal void OnActivityChanged(bool nowActive)
    {
        if (nowActive)
        {
            Interlocked.Decrement(ref _inactiveConnections);
            Interlocked.Increment(ref _activeConnections);
        }
        else
        {
            Interlocked.Decrement(ref _activeConnections);
            Interlocked.Increment(ref _inactiveConnections);
        }
    }

    internal void OnInbound(int bytes)
    {
        Interlocked.Increment(ref _inPackets);
        Interlocked.Add(ref _inBytes, bytes);
        ServiceCounters.AddInbound(bytes);
    }

    internal void OnOutbound(int bytes)
    {
        Interlocked.Increment(ref _outPackets);
        Interlocked.Add(ref _outBytes, bytes);
        ServiceCounters.AddOutbound(bytes);
    }

    /// <summary>"10.0.0.1:80".</summary>
    public override string ToString() => $"{Ipv4Address.Format(Address)}:{Port}";
}
