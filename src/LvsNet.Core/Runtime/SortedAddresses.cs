using System.Runtime.CompilerServices;

namespace LvsNet.Core.Runtime;

/// <summary>
/// Membership in the snapshot's sorted address arrays, asked several times per packet (is the
/// destination a VIP, a local address; is the source a NAT server or an address of ours).
/// </summary>
/// <remarks>
/// <see cref="Array.BinarySearch{T}(T[], T)"/> goes through the generic sort helper and its
/// comparer (no inlining: about 10 ns a call). A director has a handful of VIPs, where one
/// vectorised scan of the array is faster than any search; larger sets take a binary search
/// over the span, which the JIT specialises for <see cref="uint"/>.
/// </remarks>
public static class SortedAddresses
{
    // Up to 32 addresses are 128 bytes: four 256-bit compares.
    private const int ScanLimit = 32;

    /// <summary>True when the ascending array <paramref name="sorted"/> holds <paramref name="address"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Contains(uint[] sorted, uint address) =>
        sorted.Length <= ScanLimit ? sorted.AsSpan().Contains(address) : sorted.AsSpan().BinarySearch(address) >= 0;
}
