using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(LvsNet.Benchmarks.DataPathBenchmarks).Assembly).Run(args);
