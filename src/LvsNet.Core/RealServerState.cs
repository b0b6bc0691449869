using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Core;

/// <summary>
/// The live state of one real server of one virtual service: its settings, connection counts and
/// traffic counters. It outlives snapshots: a reload that keeps the server keeps this object, so
/// counts and connections carry over.
/// </summary>
/// <remarks>
/// Connection counts are written by the capture threads with <see cref="Interlocked"/>, traffic
/// per worker (<see cref="TrafficCounters"/>), and read by the control plane. Connection entries refer to a server by <see cref="Id"/>, not by reference, so the
/// connection table holds no managed references.
/// </remarks>
public sealed class RealServerState
{
    // Bumped whenever any server's effective weight changes, so schedulers that precompute from
    // weights (wrr's gcd and maximum) notice a dynamic-weight update with one read per call.
    private static int _weightGeneration;

    // Serialises the control-plane writers of the weights (reload and the dynamic-weight driver).
    private readonly Lock _weightGate = new();
    private int _weight;
    private int _effectiveWeight;
    private int _lastWeight;
    private int _upperThreshold;
    private int _lowerThreshold;
    private volatile bool _isOverloaded;
    private int _activeConnections;
    private int _inactiveConnections;
    private int _persistentConnections;
    private long _connections;
    private readonly TrafficCounters _traffic = new();
    private readonly HandshakeCounters _handshakes = new();
    private volatile bool _isAvailable = true;
    private ServerHealthStatus? _health;

    /// <summary>Creates the state of a server.</summary>
    public RealServerState(int id, ServiceKey service, ServiceCounters serviceCounters, RealServerConfig config)
    {
        ArgumentNullException.ThrowIfNull(serviceCounters);
        ArgumentNullException.ThrowIfNull(config);
        Id = id;
        Service = service;
        ServiceCounters = serviceCounters;
        Address = config.Address;
        Address6 = config.Address6 ?? default;
        IsIpv6 = config.Address6 is not null;
        Port = config.Port;
        Apply(config, added: true);
    }

    /// <summary>The id connection entries use to refer to this server.</summary>
    public int Id { get; }

    /// <summary>The virtual service this server belongs to.</summary>
    public ServiceKey Service { get; }

    /// <summary>The counters of the virtual service this server belongs to.</summary>
    public ServiceCounters ServiceCounters { get; }

    /// <summary>The real server's address.</summary>
    public uint Address { get; }

    /// <summary>The real server's IPv6 address (an IPv6 server's <see cref="Address"/> is 0).</summary>
    public Packets.Ipv6.Ipv6Address Address6 { get; }

    /// <summary>True for an IPv6 server.</summary>
    public bool IsIpv6 { get; }

    /// <summary>The real server's port.</summary>
    public ushort Port { get; }

    /// <summary>The forwarding method.</summary>
    public ForwardingMethod Method { get; private set; }

    /// <summary>The configured weight (0 = quiescent).</summary>
    public int Weight => Volatile.Read(ref _weight);

    /// <summary>
    /// The weight the load-aware schedulers use: the configured <see cref="Weight"/>, or the value
    /// the dynamic-weight policy derived from it. It is 0 exactly when <see cref="Weight"/> is 0.
    /// </summary>
    public int EffectiveWeight => Volatile.Read(ref _effectiveWeight);

    /// <summary>The latest non-zero configured weight (the kernel's <c>last_weight</c>, used by mh so that quiescing does not rebuild its table).</summary>
    public int LastWeight => Volatile.Read(ref _lastWeight);

    /// <summary>The upper connection threshold (<c>ipvsadm -x</c>); 0 = unset.</summary>
    public int UpperThreshold => Volatile.Read(ref _upperThreshold);

    /// <summary>The lower connection threshold (<c>ipvsadm -y</c>); 0 = unset.</summary>
    public int LowerThreshold => Volatile.Read(ref _lowerThreshold);

    /// <summary>Changes every time some server's <see cref="EffectiveWeight"/> changes.</summary>
    internal static int WeightGeneration => Volatile.Read(ref _weightGeneration);

    /// <summary>The configuration this state was last updated from.</summary>
    public RealServerConfig Config { get; private set; } = null!;

    /// <summary>False once the server was removed from the configuration: packets of its connections are then dropped.</summary>
    public bool IsAvailable
    {
        get => _isAvailable;
        internal set => _isAvailable = value;
    }

    /// <summary>
    /// What health checks made of this server in the latest snapshot (up or down, in the pool,
    /// inhibited at weight 0, removed or displaced by the sorry server); null when it is not checked.
    /// </summary>
    public ServerHealthStatus? Health
    {
        get => Volatile.Read(ref _health);
        internal set => Volatile.Write(ref _health, value);
    }

    /// <summary>True while a connection threshold marks the server overloaded (the kernel's OVERLOAD flag): every scheduler skips it.</summary>
    public bool IsOverloaded
    {
        get => _isOverloaded;
        internal set => _isOverloaded = value;
    }

    /// <summary>Connections counted active (TCP ESTABLISHED, SYN_SENT, SYN_RECV, SYNACK).</summary>
    public int ActiveConnections => Volatile.Read(ref _activeConnections);

    /// <summary>Connections counted inactive (every other state, and all UDP).</summary>
    public int InactiveConnections => Volatile.Read(ref _inactiveConnections);

    /// <summary>Persistence templates pointing at this server (ipvsadm's PersistConn).</summary>
    public int PersistentConnections => Volatile.Read(ref _persistentConnections);

    /// <summary>Connections scheduled to this server since start (or the last zeroing).</summary>
    public long Connections => Volatile.Read(ref _connections);

    /// <summary>Packets forwarded from clients to this server.</summary>
    public long InPackets => _traffic.InPackets;

    /// <summary>Bytes (IP length) forwarded from clients to this server.</summary>
    public long InBytes => _traffic.InBytes;

    /// <summary>Reply packets from this server forwarded to clients (NAT only).</summary>
    public long OutPackets => _traffic.OutPackets;

    /// <summary>Reply bytes from this server forwarded to clients (NAT only).</summary>
    public long OutBytes => _traffic.OutBytes;

    /// <summary>Updates the settings that may change in place (weight, method, thresholds).</summary>
    /// <remarks>A server that was removed and comes back counts as added, as a destination restored from the kernel's trash does.</remarks>
    internal void Apply(RealServerConfig config) => Apply(config, added: !_isAvailable);

    /// <summary>
    /// Sets the weight the load-aware schedulers use (called by the dynamic-weight driver). It is
    /// kept at least 1 while the configured weight is positive and 0 when it is 0, so weight-0
    /// semantics stay the operator's; only a drain (<paramref name="allowZero"/>: a server's agent
    /// said drain, maint or down) takes a positive weight to 0.
    /// </summary>
    internal void SetEffectiveWeight(int weight, bool allowZero = false)
    {
        lock (_weightGate)
        {
            var configured = _weight;
            weight = configured <= 0 ? 0 : Math.Max(allowZero ? 0 : 1, weight);
            if (Interlocked.Exchange(ref _effectiveWeight, weight) != weight)
            {
                Interlocked.Increment(ref _weightGeneration);
            }
        }
    }

    /// <summary>Sets the connection counts directly (tests, and state restored from elsewhere).</summary>
    internal void SetConnectionCounts(int active, int inactive)
    {
        Volatile.Write(ref _activeConnections, active);
        Volatile.Write(ref _inactiveConnections, inactive);
    }

    /// <summary>
    /// A connection was bound to this server (new connections start inactive). Sets OVERLOAD when
    /// the upper threshold is reached, as ip_vs_bind_dest() does: the test counts active plus
    /// inactive connections.
    /// </summary>
    internal void OnConnectionCreated()
    {
        Interlocked.Increment(ref _connections);
        var inactive = Interlocked.Increment(ref _inactiveConnections);
        ServiceCounters.AddConnection();
        var upper = Volatile.Read(ref _upperThreshold);
        if (upper != 0 && (long)Volatile.Read(ref _activeConnections) + inactive >= upper)
        {
            _isOverloaded = true;
        }
    }

    /// <summary>
    /// A connection was unbound. Clears OVERLOAD as ip_vs_unbind_dest() does: below the lower
    /// threshold when one is set, else below three quarters of the upper threshold, else at once.
    /// </summary>
    internal void OnConnectionFreed(bool wasActive)
    {
        Interlocked.Decrement(ref wasActive ? ref _activeConnections : ref _inactiveConnections);
        if (!_isOverloaded)
        {
            return;
        }

        long total = Volatile.Read(ref _activeConnections) + Volatile.Read(ref _inactiveConnections);
        var lower = Volatile.Read(ref _lowerThreshold);
        var upper = Volatile.Read(ref _upperThreshold);
        if (lower != 0)
        {
            if (total < lower)
            {
                _isOverloaded = false;
            }
        }
        else if (upper != 0)
        {
            if (total * 4 < (long)upper * 3)
            {
                _isOverloaded = false;
            }
        }
        else
        {
            _isOverloaded = false;
        }
    }

    /// <summary>A connection received from the master's sync daemon was bound to this server: counted inactive (its state then moves it), not as a scheduled connection.</summary>
    internal void OnSyncedConnectionBound() => Interlocked.Increment(ref _inactiveConnections);

    internal void OnTemplateBound() => Interlocked.Increment(ref _persistentConnections);

    internal void OnTemplateUnbound() => Interlocked.Decrement(ref _persistentConnections);

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

    /// <summary>Counts a packet to this server, on the capture worker's own counters.</summary>
    internal void OnInbound(int worker, int bytes)
    {
        _traffic.AddInbound(worker, bytes);
        ServiceCounters.Traffic.AddInbound(worker, bytes);
    }

    /// <summary>The SYN-to-established times of this server's NAT/FULLNAT connections (per-worker counters, summed when read).</summary>
    public HandshakeCounters Handshakes => _handshakes;

    /// <summary>Counts one completed handshake of <paramref name="microseconds"/>, on the capture worker's own counters.</summary>
    internal void OnHandshake(int worker, uint microseconds) => _handshakes.Add(worker, microseconds);

    /// <summary>Counts a reply from this server, on the capture worker's own counters.</summary>
    internal void OnOutbound(int worker, int bytes)
    {
        _traffic.AddOutbound(worker, bytes);
        ServiceCounters.Traffic.AddOutbound(worker, bytes);
    }

    // __ip_vs_update_dest(): last_weight keeps the latest non-zero weight (any weight when the
    // destination is added); editing clears OVERLOAD when the new upper threshold is 0 or raised.
    private void Apply(RealServerConfig config, bool added)
    {
        lock (_weightGate)
        {
            var weightChanged = Config is null || Config.Weight != config.Weight;
            Config = config;
            Method = config.Method;
            if (added || config.Weight != 0)
            {
                Volatile.Write(ref _lastWeight, config.Weight);
            }

            Volatile.Write(ref _weight, config.Weight);
            if (weightChanged)
            {
                // A new configured weight restarts the dynamic policy from it.
                Volatile.Write(ref _effectiveWeight, config.Weight);
                Interlocked.Increment(ref _weightGeneration);
            }

            if (config.UpperThreshold == 0 || config.UpperThreshold > _upperThreshold)
            {
                _isOverloaded = false;
            }

            Volatile.Write(ref _upperThreshold, config.UpperThreshold);
            Volatile.Write(ref _lowerThreshold, config.LowerThreshold);
        }
    }

    /// <summary>"10.0.0.1:80".</summary>
    public override string ToString() => IsIpv6 ? $"[{Address6}]:{Port}" : $"{Ipv4Address.Format(Address)}:{Port}";
}
