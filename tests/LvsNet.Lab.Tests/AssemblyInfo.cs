using Xunit;

// Lab tests share the machine's two cores and create network namespaces: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
