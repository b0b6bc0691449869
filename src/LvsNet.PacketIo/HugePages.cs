using System.Runtime.InteropServices;

namespace LvsNet.PacketIo;

/// <summary>
/// Asks the kernel to back a large, long-lived memory range with transparent huge pages
/// (madvise(2) <c>MADV_HUGEPAGE</c>), for the connection table: a random lookup in a table of
/// hundreds of megabytes misses the TLB on almost every access with 4 KiB pages, and the page walk
/// itself misses the caches; 2 MiB pages leave a few hundred TLB entries for the whole table.
/// </summary>
/// <remarks>
/// The advice applies to this process's own memory only and changes no host setting. It matters
/// when <c>/sys/kernel/mm/transparent_hugepage/enabled</c> is <c>madvise</c> (the common default);
/// with <c>always</c> the range gets huge pages anyway, with <c>never</c> the advice is accepted and
/// does nothing. Pages already written keep their 4 KiB mapping until the kernel's khugepaged
/// collapses them, so the advice is given before the range is first written.
/// </remarks>
public static class HugePages
{
    private const int HugePageSize = 2 * 1024 * 1024;

    /// <summary>
    /// Advises huge pages for the 2 MiB-aligned part of [<paramref name="address"/>,
    /// <paramref name="address"/> + <paramref name="length"/>); a range that holds no whole huge page is
    /// left alone.
    /// </summary>
    /// <returns>The bytes advised (0 when the range holds no whole huge page), or -errno when madvise failed.</returns>
    public static long Advise(nint address, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var start = (address + (HugePageSize - 1)) & ~(nint)(HugePageSize - 1);
        var end = (address + (nint)length) & ~(nint)(HugePageSize - 1);
        if (end <= start)
        {
            return 0;
        }

        return Interop.Libc.madvise(start, (nuint)(end - start), Interop.Libc.MADV_HUGEPAGE) == 0
            ? end - start
            : -Marshal.GetLastPInvokeError();
    }

    /// <summary>Advises huge pages for the whole of a pinned array (see <see cref="Advise(nint, long)"/>).</summary>
    /// <returns>The bytes advised, or -errno.</returns>
    public static long AdvisePinned<T>(T[] pinnedArray)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(pinnedArray);
        if (pinnedArray.Length == 0)
        {
            return 0;
        }

        return Advise(Marshal.UnsafeAddrOfPinnedArrayElement(pinnedArray, 0), (long)pinnedArray.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
    }
}
