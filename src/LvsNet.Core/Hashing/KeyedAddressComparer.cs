namespace LvsNet.Core.Hashing;

/// <summary>
/// An equality comparer for IPv4 addresses (as <see cref="uint"/>) whose hash is SipHash-1-3 under
/// the process key, for dictionaries whose keys a remote peer can choose: the default
/// <see cref="uint"/> hash is the value itself, so addresses equal modulo the bucket count collide.
/// </summary>
public sealed class KeyedAddressComparer : IEqualityComparer<uint>
{
    private readonly SipHashKey _key;

    /// <summary>Creates a comparer with <paramref name="key"/>.</summary>
    public KeyedAddressComparer(SipHashKey key) => _key = key;

    /// <summary>The comparer under <see cref="SipHashKey.Process"/>.</summary>
    public static KeyedAddressComparer Process { get; } = new(SipHashKey.Process);

    /// <inheritdoc />
    public bool Equals(uint x, uint y) => x == y;

    /// <inheritdoc />
    public int GetHashCode(uint obj) => (int)SipHash.Hash13(obj, _key);
}
