using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Sec0.Benchmarks;

/// <summary>
/// A quick Stopwatch look at <see cref="GeneratorBenchmarks"/> (no BenchmarkDotNet): the three cases a few
/// times each, and the slowest tracked steps of the last run. <c>dotnet run -c Release --project tests/Sec0.Benchmarks -- --quick-generator</c>
/// </summary>
internal static class GeneratorQuickTiming
{
    public static void Run(int rounds)
    {
        var bench = new GeneratorBenchmarks();
        bench.Setup();
        Steps(bench);
        var cases = new (string Name, Action Setup, Func<GeneratorDriver> Run)[]
        {
            ("cold", bench.ColdSetup, bench.Cold),
            ("unrelated edit", bench.UnrelatedSetup, bench.UnrelatedEdit),
            ("hop body edit", bench.HopBodySetup, bench.HopBodyEdit),
        };
        foreach (var (name, setup, run) in cases)
        {
            var times = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                setup();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                var sw = Stopwatch.StartNew();
                run();
                sw.Stop();
                times.Add(sw.Elapsed.TotalMilliseconds);
                if (i == rounds - 1)
                {
                    Console.WriteLine($"{name,-16} median {Median(times),8:F1} ms  [{string.Join(", ", times.Select(t => t.ToString("F0")))}]  alloc(last, this thread) {(GC.GetAllocatedBytesForCurrentThread() - allocated) / 1e6:F0} MB");
                }
            }
        }
    }

    /// <summary>Per tracked step: the summed elapsed time of a warm run after each edit.</summary>
    private static void Steps(GeneratorBenchmarks bench)
    {
        bench.ColdSetup();
        var driver = (GeneratorDriver)CSharpGeneratorDriver.Create(
            [new Sec0.Generators.HopGenerator().AsSourceGenerator()],
            parseOptions: (CSharpParseOptions)bench.CurrentCompilation.SyntaxTrees.First().Options,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGenerators(bench.CurrentCompilation);
        foreach (var (name, setup) in new (string, Action)[] { ("unrelated edit", bench.UnrelatedSetup), ("hop body edit", bench.HopBodySetup) })
        {
            setup();
            var sw = Stopwatch.StartNew();
            var run = driver.RunGenerators(bench.CurrentCompilation).GetRunResult().Results.Single();
            Console.WriteLine($"{name}: generator {sw.Elapsed.TotalMilliseconds:F0} ms; steps: " + string.Join(", ", run.TrackedSteps
                .Select(s => (s.Key, Ms: s.Value.Sum(step => step.ElapsedTime.TotalMilliseconds)))
                .OrderByDescending(s => s.Ms)
                .Select(s => $"{s.Key} {s.Ms:F0} ms")));
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted[sorted.Count / 2];
    }
}
