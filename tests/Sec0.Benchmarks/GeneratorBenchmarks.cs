using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Sec0.Generators;

namespace Sec0.Benchmarks;

/// <summary>
/// Generator time on a synthetic project of 2,000 hops and 20,000 call sites: a cold run, a run after
/// an edit in a file without hop calls (what typing in most files costs), and a run after a body edit in
/// one hop. Each invocation gets fresh compilations, so Roslyn's binding caches don't carry over; the
/// cold run also gets freshly parsed trees, so the generator's per-tree caches don't either.
/// </summary>
/// <remarks>
/// Forty warm-up runs, whatever the command line says: each run calls most of the generator's and Roslyn's
/// per-run methods once, so the JIT takes 20–30 runs to finish tiering them up, and the warm runs fall from
/// ≈ 90 ms to ≈ 33 ms meanwhile. An IDE runs the generator on every edit, so the settled figure is the one it
/// sees; the cold run is measured with settled code too, which only makes it cheaper (and the ratio stricter).
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
[InvocationCount(1)]
[WarmupCount(40)]
public class GeneratorBenchmarks
{
    private const int HopFiles = 100;
    private const int HopsPerFile = 20;
    private const int CallFiles = 1000;
    private const int CallsPerFile = 20;
    private const int PlainFiles = 200;

    private static readonly CSharpParseOptions s_parse = new CSharpParseOptions(LanguageVersion.Latest)
        .WithFeatures([new KeyValuePair<string, string>("InterceptorsNamespaces", "Sec0.Generated")]);

    private MetadataReference[] _references = null!;
    private SyntaxTree[] _trees = null!;
    private int _plainIndex;
    private int _hopIndex;
    private SyntaxTree _plainEdited = null!;
    private SyntaxTree _hopEdited = null!;
    private GeneratorDriver _warm = null!;
    private CSharpCompilation _compilation = null!;

    [GlobalSetup]
    public void Setup()
    {
        var frameworkDir = System.IO.Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        _references = Directory.GetFiles(frameworkDir, "*.dll")
            .Where(p => !System.IO.Path.GetFileName(p).StartsWith("Microsoft.VisualBasic", StringComparison.Ordinal))
            .Select(p =>
            {
                try
                {
                    return (MetadataReference?)MetadataReference.CreateFromFile(p);
                }
                catch (BadImageFormatException)
                {
                    return null;
                }
            })
            .Where(r => r is not null)
            .Append(MetadataReference.CreateFromFile(typeof(Sec0HopAttribute).Assembly.Location))
            .ToArray()!;

        var trees = new List<SyntaxTree>();
        for (var f = 0; f < HopFiles; f++)
        {
            trees.Add(Parse($"/synthetic/Hops/Agents{f}.cs", HopFile(f, edit: false)));
        }

        for (var f = 0; f < CallFiles; f++)
        {
            var sb = new StringBuilder("namespace Synthetic.Calls;\npublic static class Caller" + f + "\n{\n    public static async System.Threading.Tasks.Task<int> Run()\n    {\n        var n = 0;\n");
            for (var c = 0; c < CallsPerFile; c++)
            {
                var hopFile = (f * 7 + c) % HopFiles;
                var hop = (f + c * 3) % HopsPerFile;
                sb.Append("        n += await new Synthetic.Hops.Agents").Append(hopFile).Append("().Step").Append(hop).Append("(n);\n");
            }

            sb.Append("        return n;\n    }\n}\n");
            trees.Add(Parse($"/synthetic/Calls/Caller{f}.cs", sb.ToString()));
        }

        for (var f = 0; f < PlainFiles; f++)
        {
            trees.Add(Parse($"/synthetic/Plain/Util{f}.cs", PlainFile(f, "x + 1")));
        }

        _trees = trees.ToArray();
        _plainIndex = HopFiles + CallFiles + 17;
        _hopIndex = 3;
        _plainEdited = Parse($"/synthetic/Plain/Util17.cs", PlainFile(17, "x + 2"));
        _hopEdited = Parse($"/synthetic/Hops/Agents3.cs", HopFile(3, edit: true));
        _warm = NewDriver().RunGenerators(Compilation(_trees));
        var generated = _warm.GetRunResult();
        if (generated.Diagnostics.Length > 0 || generated.GeneratedTrees.Length < CallFiles)
        {
            throw new InvalidOperationException($"the synthetic project did not generate as expected: {generated.GeneratedTrees.Length} files, {generated.Diagnostics.Length} diagnostics");
        }
    }

    // Cold means trees the generator has never seen: it keeps per-syntax-tree side caches (models of call
    // sites are reused while a tree and the project's declarations are unchanged), so a cold run re-parses.
    [IterationSetup(Target = nameof(Cold))]
    public void ColdSetup()
    {
        _compilation = Compilation(_trees.Select(t => Parse(t.FilePath, t.GetText().ToString())));
        CollectSetupGarbage();
    }

    [IterationSetup(Target = nameof(UnrelatedEdit))]
    public void UnrelatedSetup()
    {
        _compilation = Compilation(Replace(_plainIndex, _plainEdited));
        CollectSetupGarbage();
    }

    [IterationSetup(Target = nameof(HopBodyEdit))]
    public void HopBodySetup()
    {
        _compilation = Compilation(Replace(_hopIndex, _hopEdited));
        CollectSetupGarbage();
    }

    // The previous invocation left hundreds of MB of garbage; with one invocation per iteration its
    // collection would otherwise land inside the next measurement instead of the run that made it.
    private static void CollectSetupGarbage()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    [Benchmark(Baseline = true, Description = "cold run")]
    public GeneratorDriver Cold() => NewDriver().RunGenerators(_compilation);

    [Benchmark(Description = "after an edit in a file without hop calls")]
    public GeneratorDriver UnrelatedEdit() => _warm.RunGenerators(_compilation);

    [Benchmark(Description = "after a body edit in one hop")]
    public GeneratorDriver HopBodyEdit() => _warm.RunGenerators(_compilation);

    /// <summary>The compilation the last iteration setup built (for <see cref="GeneratorQuickTiming"/>).</summary>
    internal CSharpCompilation CurrentCompilation => _compilation;

    private static GeneratorDriver NewDriver() => CSharpGeneratorDriver.Create([new HopGenerator().AsSourceGenerator()], parseOptions: s_parse);

    private static SyntaxTree Parse(string path, string text) => CSharpSyntaxTree.ParseText(text, s_parse, path);

    private SyntaxTree[] Replace(int index, SyntaxTree tree)
    {
        var copy = (SyntaxTree[])_trees.Clone();
        copy[index] = tree;
        return copy;
    }

    private CSharpCompilation Compilation(IEnumerable<SyntaxTree> trees)
        => CSharpCompilation.Create("Synthetic", trees, _references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

    private static string HopFile(int f, bool edit)
    {
        var sb = new StringBuilder("using Sec0;\nnamespace Synthetic.Hops;\npublic class Agents" + f + "\n{\n");
        for (var h = 0; h < HopsPerFile; h++)
        {
            var body = edit && h == 5 ? "x * 3" : "x + " + h;
            sb.Append("    [Sec0Hop] public System.Threading.Tasks.Task<int> Step").Append(h).Append("(int x) => System.Threading.Tasks.Task.FromResult(").Append(body).Append(");\n");
        }

        return sb.Append("}\n").ToString();
    }

    private static string PlainFile(int f, string body)
        => "namespace Synthetic.Plain;\npublic static class Util" + f + "\n{\n    public static int Next(int x) => " + body + ";\n    public static string Name() => nameof(Util" + f + ");\n}\n";
}
