using BenchmarkDotNet.Attributes;
using LvsNet.Core.Connections;
using LvsNet.Packets;

namespace LvsNet.Benchmarks;

/// <summary>
/// Lookups in a full table of millions of entries, random keys (every lookup misses the caches):
/// <see cref="ConnectionTable.Find"/> one key at a time against <see cref="ConnectionTable.FindBatch"/>
/// over batches of 8 and 32 keys, as a receive batch would hand them over.
/// </summary>
[MemoryDiagnoser]
public class ConnectionTableBenchmarks
{
    private const int Lookups = 4096;

    private ConnectionTable _table = null!;
    private ConnectionKey[] _keys = null!;
    private readonly int[] _results = new int[ConnectionTable.MaxBatch];

    [Params(1_000_000, 10_000_000)]
    public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _table = new ConnectionTable(Entries, seed: 12345);
        for (var i = 0; i < Entries; i++)
        {
            _table.Insert(Key(i), i & 7, ConnectionFlags.None, 0);
        }

        // Many more keys than one invocation uses, so that no run finds its keys' entries cached.
        var random = new Random(7);
        _keys = new ConnectionKey[1 << 20];
        for (var i = 0; i < _keys.Length; i++)
        {
            _keys[i] = Key(random.Next(Entries));
        }
    }

    private int _offset;

    [Benchmark(Baseline = true, Description = "Find, one key at a time", OperationsPerInvoke = Lookups)]
    public int FindOneByOne()
    {
        var keys = NextKeys();
        var found = 0;
        foreach (ref readonly var key in keys)
        {
            found += _table.Find(key) >= 0 ? 1 : 0;
        }

        return found;
    }

    [Benchmark(Description = "FindBatch of 8", OperationsPerInvoke = Lookups)]
    public int FindBatch8() => Batched(8);

    [Benchmark(Description = "FindBatch of 32", OperationsPerInvoke = Lookups)]
    public int FindBatch32() => Batched(32);

    private int Batched(int size)
    {
        var keys = NextKeys();
        var found = 0;
        for (var i = 0; i < keys.Length; i += size)
        {
            _table.FindBatch(keys.Slice(i, size), _results);
            for (var j = 0; j < size; j++)
            {
                found += _results[j] >= 0 ? 1 : 0;
            }
        }

        return found;
    }

    private ReadOnlySpan<ConnectionKey> NextKeys()
    {
        _offset = (_offset + Lookups) & (_keys.Length - 1);
        return _keys.AsSpan(_offset, Lookups);
    }

    private static ConnectionKey Key(int i) => new(IpProtocol.Tcp, 0x0B000000u + (uint)(i >> 4) * 2654435761u % 0xFFFFFF, (ushort)(1024 + (i & 0xF) * 3001 % 64000), 0x0A4D0064, 80);
}
