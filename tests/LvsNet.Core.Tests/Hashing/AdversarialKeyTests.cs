using LvsNet.Core.Connections;
using LvsNet.Core.Hashing;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests.Hashing;

/// <summary>
/// Key families a remote sender can produce (spoofed source addresses and ports) against the
/// tables' bucket functions. The bound: with n keys thrown uniformly into m buckets, the chance
/// that any bucket gets k or more is at most m·C(n,k)/m^k ≤ m·(n/m)^k/k!; each bound below keeps
/// that under 2·10⁻⁴, so a correct keyed hash fails a test about once in thousands of runs,
/// while the old seeded mix puts a whole family in one chain.
/// </summary>
public class AdversarialKeyTests
{
    private const int Buckets = 1 << 16;
    private const int Mask = Buckets - 1;

    // Families of 65,536 (protocol, address, port) keys.
    public static TheoryData<string> Families => ["xor-equal", "equal-low-bits", "sequential-ports", "one-address-all-ports", "sequential-addresses", "templates"];

    private static IEnumerable<(uint Address, ushort Port)> Family(string name)
    {
        for (var i = 0; i < Buckets; i++)
        {
            yield return name switch
            {
                // address ^ (port << 16) equal for all: the old hash XORed both into one word.
                "xor-equal" => (0x0A4D0064u ^ ((uint)i << 16), (ushort)i),

                // Addresses equal in their low 16 bits, the bits a plain mask would index by.
                "equal-low-bits" => (((uint)i << 16) | 0x1234u, 80),

                // One /24 and consecutive source ports, as a port scanner or a NAT sends.
                "sequential-ports" => (0xC0A80100u | (uint)(i & 0xff), (ushort)(1024 + (i >> 8))),
                "one-address-all-ports" => (0xC0A80105u, (ushort)i),
                "sequential-addresses" => (0x0A000000u + (uint)i, 443),

                // Persistence templates: client masked to a /16 network (port 0), so only high bits vary.
                _ => ((uint)i << 16, 0),
            };
        }
    }

    // Reproduces the hash this project used before keyed hashing (a seed XORed in before a murmur3
    // finaliser), to show that these families are the attack it was open to.
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

    private static int MaxChain(IEnumerable<int> buckets, int size)
    {
        var counts = new int[size];
        var max = 0;
        foreach (var b in buckets)
        {
            max = Math.Max(max, ++counts[b]);
        }

        return max;
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void ConnectionHash_AdversarialFamily_ChainsStayNearRandom(string family)
    {
        // n = m = 65536: m/k! < 2e-4 for k = 13.
        var key = SipHashKey.Random();
        var max = MaxChain(Family(family).Select(k => (int)ConnectionKey.Hash(IpProtocol.Tcp, k.Address, k.Port, key) & Mask), Buckets);
        Assert.True(max <= 12, $"{family}: longest chain {max}");
    }

    [Fact]
    public void OldSeededMix_XorEqualFamily_PutsEveryKeyInOneChain()
    {
        var seed = (uint)Random.Shared.Next();
        var max = MaxChain(Family("xor-equal").Select(k => (int)OldHash(IpProtocol.Tcp, k.Address, k.Port, seed) & Mask), Buckets);
        Assert.Equal(Buckets, max);
    }

    [Fact]
    public void ConnectionTable_AdversarialFamily_FindsEveryFlow()
    {
        var table = new ConnectionTable(Buckets);
        var keys = Family("xor-equal").Select(k => new ConnectionKey(IpProtocol.Tcp, k.Address, k.Port, 0x0A4D0064, 80)).ToArray();
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.True(table.Insert(keys[i], i, ConnectionFlags.None, 0) >= 0);
        }

        // Every lookup is a short walk: 65,536 finds finish well within a second even on a busy
        // machine; with every key in one chain they would take minutes (2·10⁹ entry compares).
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(i, table[table.Find(keys[i])].RealServerId);
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"lookups took {watch.Elapsed}");
    }

    [Fact]
    public void LocalityCacheBuckets_KernelHashCollisions_AreSpread()
    {
        // 2048 destinations that hash_32(x, 10) puts in bucket 0, as an attacker would pick them.
        var colliding = new List<uint>();
        for (var x = 0u; colliding.Count < 2048; x++)
        {
            if (KernelHash.Hash32(x, LocalityCache.TableBits) == 0)
            {
                colliding.Add(x);
            }
        }

        // n = 2048, m = 1024: m·2^k/k! < 2e-4 for k = 14.
        Assert.Equal(2048, MaxChain(colliding.Select(x => (int)KernelHash.Hash32(x, LocalityCache.TableBits)), LocalityCache.TableSize));
        var max = MaxChain(colliding.Select(LocalityCache.BucketOf), LocalityCache.TableSize);
        Assert.True(max <= 13, $"longest chain {max}");
    }

    [Fact]
    public void NeighbourComparer_MultiplesOfABucketCount_AreSpread()
    {
        // The default uint hash is the value, so multiples of a dictionary's prime size share a bucket.
        const int Prime = 4099;
        var comparer = KeyedAddressComparer.Process;
        var keys = Enumerable.Range(1, 4096).Select(i => (uint)(i * Prime)).ToArray();
        Assert.Equal(4096, MaxChain(keys.Select(k => (int)((uint)k.GetHashCode() % Prime)), Prime));

        // n = 4096, m = 4099: m/k! < 2e-4 for k = 11.
        var max = MaxChain(keys.Select(k => (int)((uint)comparer.GetHashCode(k) % Prime)), Prime);
        Assert.True(max <= 10, $"longest chain {max}");
        Assert.True(comparer.Equals(5, 5));
        Assert.False(comparer.Equals(5, 6));
    }
}
