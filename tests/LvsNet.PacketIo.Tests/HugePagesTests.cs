using System.Globalization;
using System.Runtime.InteropServices;
using Xunit;

namespace LvsNet.PacketIo.Tests;

/// <summary>
/// The huge-page advice, checked against the kernel's own account of the mapping
/// (/proc/self/smaps: the VMA's THPeligible flag and its huge-page backing).
/// </summary>
public class HugePagesTests
{
    private const int Mib = 1024 * 1024;

    [Fact]
    public void Advise_MarksTheAlignedPartEligible_AndTheFirstWritesGetHugePages()
    {
        var array = GC.AllocateArray<byte>(16 * Mib, pinned: true);
        var address = Marshal.UnsafeAddrOfPinnedArrayElement(array, 0);

        var advised = HugePages.AdvisePinned(array);

        // The 2 MiB-aligned part of a 16 MiB range: 14 or 16 MiB, never more than the range.
        Assert.InRange(advised, 14L * Mib, 16L * Mib);
        var mode = File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled");
        var expectEligible = !mode.Contains("[never]", StringComparison.Ordinal);
        var middle = (address + 8 * Mib) & ~(nint)(2 * Mib - 1);
        Assert.Equal(expectEligible ? 1 : 0, SmapsField(middle, "THPeligible:"));

        Array.Fill(array, (byte)1);
        if (expectEligible)
        {
            // Faults in an advised range take a huge page when the kernel has one free; at least one of
            // the seven whole huge pages must have found one on a host with 24 GiB.
            Assert.True(SmapsField(middle, "AnonHugePages:") >= 2048, "no huge page backs the advised range");
        }

        GC.KeepAlive(array);
    }

    [Fact]
    public void Advise_LeavesARangeWithoutAWholeHugePageAlone()
    {
        var array = GC.AllocateArray<byte>(Mib, pinned: true);
        Assert.Equal(0, HugePages.AdvisePinned(array));
        Assert.Equal(0, HugePages.Advise(4096, 2 * Mib - 8192));
    }

    [Fact]
    public void Advise_ReportsTheKernelsRefusalAsNegativeErrno()
    {
        // An unmapped range: madvise fails with ENOMEM (12).
        Assert.Equal(-12, HugePages.Advise(2 * Mib, 2 * Mib));
    }

    // One field of the /proc/self/smaps block of the VMA that contains the address (kB for sizes).
    private static long SmapsField(nint address, string field)
    {
        var inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var dash = line.IndexOf('-', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash > 0 && space > dash && ulong.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start)
                && ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var end))
            {
                inside = (ulong)address >= start && (ulong)address < end;
                continue;
            }

            if (inside && line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(field.Length).Trim().ToString().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"no {field} for the mapping of 0x{address:x}");
    }
}
