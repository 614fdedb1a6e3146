using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Sec0.Benchmarks -- --filter '*'   (see docs/performance.md)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>The benchmark entry point.</summary>
internal partial class Program;
