using Xunit;

// The data path's allocation tests measure the bytes allocated on the test's thread while frames
// pass. A garbage collection that another thread's allocations start in the middle of such a loop
// charges the unused rest of the thread's allocation context to it (AllocationMeter explains);
// one test class at a time keeps other classes' allocations out of those loops, and the suite
// stays under half a minute.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
