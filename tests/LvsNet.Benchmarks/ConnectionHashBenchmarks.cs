using BenchmarkDotNet.Attributes;
using LvsNet.Core.Connections;
using LvsNet.Core.Hashing;
using LvsNet.Packets;

namespace LvsNet.Benchmarks;

/// <summary>
/// Cost per connection lookup with the old bucket hash (a seed XORed in before a murmur3
/// finaliser) and with the keyed SipHash-1-3 now in use, on the same chained layout, for ordinary
/// clients and for the family an attacker picks against the old hash (equal
/// <c>address ^ (port &lt;&lt; 16)</c>); plus <see cref="ConnectionTable.Find"/> itself.
/// </summary>
[MemoryDiagnoser]
public class ConnectionHashBenchmarks
{
    private const uint Vip = 0x0A4D0064;

    private readonly SipHashKey _key = SipHashKey.Random();
    private readonly uint _seed = (uint)Random.Shared.Next();
    private uint[] _addresses = null!;
    private ushort[] _ports = null!;
    private int[] _oldBuckets = null!;
    private int[] _oldNext = null!;
    private int[] _newBuckets = null!;
    private int[] _newNext = null!;
    private ConnectionKey[] _keys = null!;
    private ConnectionTable _table = null!;
    private int _mask;

    [Params(4096)]
    public int Flows { get; set; }

    [Params("random-clients", "xor-equal")]
    public string Keys { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _addresses = new uint[Flows];
        _ports = new ushort[Flows];
        _keys = new ConnectionKey[Flows];
        for (var i = 0; i < Flows; i++)
        {
            (_addresses[i], _ports[i]) = Keys == "xor-equal"
                ? (0xC0A80000u ^ ((uint)i << 16), (ushort)i)
                : ((uint)random.Next(), (ushort)random.Next(1024, 65536));
            _keys[i] = new ConnectionKey(IpProtocol.Tcp, _addresses[i], _ports[i], Vip, 80);
        }

        var buckets = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Flows);
        _mask = buckets - 1;
        (_oldBuckets, _oldNext) = Build(buckets, i => OldHash(IpProtocol.Tcp, _addresses[i], _ports[i], _seed));
        (_newBuckets, _newNext) = Build(buckets, i => ConnectionKey.Hash(IpProtocol.Tcp, _addresses[i], _ports[i], _key));
        _table = new ConnectionTable(Flows);
        for (var i = 0; i < Flows; i++)
        {
            _table.Insert(_keys[i], 0, ConnectionFlags.None, 0);
        }
    }

    [Benchmark(Baseline = true, Description = "lookup, old seeded mix (before)", OperationsPerInvoke = 4096)]
    public int LookupOld()
    {
        var found = 0;
        for (var i = 0; i < _addresses.Length; i++)
        {
            var index = _oldBuckets[(int)OldHash(IpProtocol.Tcp, _addresses[i], _ports[i], _seed) & _mask];
            while (index >= 0 && (_addresses[index] != _addresses[i] || _ports[index] != _ports[i]))
            {
                index = _oldNext[index];
            }

            found += index;
        }

        return found;
    }

    [Benchmark(Description = "lookup, keyed SipHash-1-3 (after)", OperationsPerInvoke = 4096)]
    public int LookupSipHash()
    {
        var found = 0;
        for (var i = 0; i < _addresses.Length; i++)
        {
            var index = _newBuckets[(int)ConnectionKey.Hash(IpProtocol.Tcp, _addresses[i], _ports[i], _key) & _mask];
            while (index >= 0 && (_addresses[index] != _addresses[i] || _ports[index] != _ports[i]))
            {
                index = _newNext[index];
            }

            found += index;
        }

        return found;
    }

    [Benchmark(Description = "ConnectionTable.Find (product, keyed)", OperationsPerInvoke = 4096)]
    public int TableFind()
    {
        var found = 0;
        for (var i = 0; i < _keys.Length; i++)
        {
            found += _table.Find(_keys[i]);
        }

        return found;
    }

    // The bucket hash before keyed hashing, kept here as the baseline.
    private static uint OldHash(IpProtocol protocol, uint address, ushort port, uint seed)
    {
        var h = address ^ seed;
        h ^= ((uint)port << 16) | (uint)protocol;
        h ^= h >> 16;
        h *= 0x85EBCA6B;
        h ^= h >> 13;
        h *= 0xC2B2AE35;
        h ^= h >> 16;
        return h;
    }

    private (int[] Buckets, int[] Next) Build(int size, Func<int, uint> hash)
    {
        var buckets = new int[size];
        var next = new int[_addresses.Length];
        Array.Fill(buckets, -1);
        for (var i = 0; i < _addresses.Length; i++)
        {
            ref var head = ref buckets[(int)hash(i) & _mask];
            next[i] = head;
            head = i;
        }

        return (buckets, next);
    }
}
