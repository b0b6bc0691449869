namespace LvsNet.Testing;

/// <summary>Starts the measurement of an allocation test: the bytes allocated on this thread so far.</summary>
public static class AllocationMeter
{
    /// <summary>
    /// Collects first, so that the measured loop begins with a fresh generation-0 budget: a
    /// collection that other threads' allocations start in the middle of the loop charges the
    /// unused rest of this thread's allocation context to it, which read as a few kilobytes
    /// allocated by a loop that allocated nothing.
    /// </summary>
    public static long Start()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetAllocatedBytesForCurrentThread();
    }
}
