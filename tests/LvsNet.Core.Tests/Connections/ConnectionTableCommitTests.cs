using System.Globalization;
using System.Runtime.CompilerServices;
using LvsNet.Core.Connections;
using Xunit;

namespace LvsNet.Core.Tests.Connections;

public class ConnectionTableCommitTests
{
    [Fact]
    public void Commit_MakesTheEntryArrayResident()
    {
        // A fresh large array is zero pages the kernel maps on first write: creating the table
        // leaves most of it out of the resident set, Commit brings all of it in.
        const int Capacity = 1 << 20;
        var entryBytes = (long)Unsafe.SizeOf<ConnectionEntry>() * Capacity;
        var beforeCreate = ResidentBytes();
        var table = new ConnectionTable(Capacity, seed: 1);
        var created = ResidentBytes();
        table.Commit();
        var committed = ResidentBytes();

        Assert.True(created - beforeCreate < entryBytes / 2, $"creating the table made {created - beforeCreate} of {entryBytes} bytes resident");
        Assert.True(committed - created > entryBytes / 2, $"Commit made {committed - created} of {entryBytes} bytes resident");
        Assert.Equal(0, table.Count);
        GC.KeepAlive(table);
    }

    [Fact]
    public void ALargeTable_IsAdvisedForHugePages_UnlessAskedNotTo()
    {
        const int Capacity = 1 << 20;
        var arrays = (long)Unsafe.SizeOf<ConnectionEntry>() * Capacity + 4L * Capacity;

        // Every whole 2 MiB page of both arrays: at most one partial page at each end of each.
        var table = new ConnectionTable(Capacity, seed: 1);
        Assert.Equal(arrays, table.ArrayBytes);
        Assert.InRange(table.HugePageBytes, arrays - 8 * 1024 * 1024, arrays);
        Assert.Equal(0, new ConnectionTable(Capacity, seed: 1, hugePages: false).HugePageBytes);
        Assert.Equal(0, new ConnectionTable(1024, seed: 1).HugePageBytes);
        GC.KeepAlive(table);
    }

    private static long ResidentBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
