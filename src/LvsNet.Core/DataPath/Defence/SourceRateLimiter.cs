using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.Hashing;
using LvsNet.Packets;

namespace LvsNet.Core.DataPath.Defence;

/// <summary>
/// Limits the new connections of each source prefix (connections.per_source_rate/_burst/_prefix):
/// a token bucket a prefix, refilled every clock tick. IPVS has no such limit (operators add an
/// iptables hashlimit rule in front of it); here it sits where a new flow is about to be scheduled,
/// so established connections are never touched and a refused SYN costs no table entry.
/// </summary>
/// <remarks>
/// The buckets are a fixed array indexed by a keyed hash of the prefix: no allocation, bounded
/// memory whatever the number of sources, and prefixes that share a bucket share its tokens. The
/// hash key is secret, so a spoofer cannot choose addresses that fall into a victim's bucket. Each
/// capture worker holds its own buckets and the flow fanout spreads one client's connections over
/// the workers, so each worker allows its share of the rate (at least one a second).
/// </remarks>
internal sealed class SourceRateLimiter
{
    // 2^16 buckets: 1 MiB a worker; a flood from more prefixes than this shares buckets, which
    // limits it harder, never less.
    private const int BucketBits = 16;
    private const int Buckets = 1 << BucketBits;

    private readonly SipHashKey _key = SipHashKey.Process;
    private readonly int _workers;
    private long[] _tokens = [];
    private uint[] _stamps = [];
    private long _refillPerTick;
    private long _capacity;
    private uint _mask;
    private (int Rate, int? Burst, int Prefix) _settings;

    public SourceRateLimiter(int workers) => _workers = Math.Max(1, workers);

    /// <summary>Whether a limit is configured.</summary>
    public bool Enabled => _refillPerTick > 0;

    /// <summary>Takes the connections settings of a new snapshot; changed settings start every bucket full.</summary>
    public void Configure(ConnectionTableConfig config)
    {
        var settings = (config.PerSourceRate, config.PerSourceBurst, config.PerSourcePrefix);
        if (settings == _settings)
        {
            return;
        }

        _settings = settings;
        if (config.PerSourceRate <= 0)
        {
            _refillPerTick = 0;
            _tokens = [];
            _stamps = [];
            return;
        }

        // Tokens count in quarters of a connection when the clock ticks four times a second: a tick
        // adds the per-second rate, a connection costs TicksPerSecond.
        var rate = Math.Max(1, config.PerSourceRate / _workers);
        var burst = Math.Max(1, (config.PerSourceBurst ?? config.PerSourceRate) / _workers);
        _refillPerTick = rate;
        _capacity = (long)burst * ConnectionClock.TicksPerSecond;
        _mask = Ipv4Address.PrefixToMask(config.PerSourcePrefix);
        _tokens = new long[Buckets];
        _stamps = new uint[Buckets];
        Array.Fill(_tokens, _capacity);
    }

    /// <summary>Takes a token for a new connection from <paramref name="source"/>; false when its prefix has none left.</summary>
    public bool TryAcquire(uint source, uint now) => TryTake((int)(SipHash.Hash13(source & _mask, _key) & (Buckets - 1)), now);

    /// <summary>
    /// Takes a token for a new connection from an IPv6 <paramref name="source"/>: the source is its
    /// /64 (the first 64 bits), whatever <c>per_source_prefix</c> says for IPv4. A /64 is one link
    /// (RFC 4291 §2.5.1 interface identifiers, RFC 7421): one host with SLAAC privacy addresses
    /// (RFC 8981) or a spoofer on it picks any of 2^64 addresses at will, so a per-address limit
    /// would not limit it, while a shorter prefix would lump together the sites of a provider.
    /// </summary>
    public bool TryAcquire6(Packets.Ipv6.Ipv6Address source, uint now) =>
        TryTake((int)(SipHash.Hash13(source.High, 8, _key) & (Buckets - 1)), now);

    private bool TryTake(int bucket, uint now)
    {
        var tokens = _tokens[bucket] + ((long)(now - _stamps[bucket]) * _refillPerTick);
        _stamps[bucket] = now;
        if (tokens > _capacity)
        {
            tokens = _capacity;
        }

        if (tokens < ConnectionClock.TicksPerSecond)
        {
            _tokens[bucket] = tokens;
            return false;
        }

        _tokens[bucket] = tokens - ConnectionClock.TicksPerSecond;
        return true;
    }
}
