using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;

namespace Sec0.Generators.Tests.Infrastructure;

/// <summary>A compilation emitted and loaded into a collectible context, so its methods can be run.</summary>
internal sealed class LoadedAssembly : IDisposable
{
    private readonly AssemblyLoadContext _context = new("sec0-run-test", isCollectible: true);

    /// <param name="compilation">The assembly to emit and load.</param>
    /// <param name="dependencies">Images of assemblies it references, loaded into the same context first.</param>
    public LoadedAssembly(Compilation compilation, params byte[][] dependencies)
    {
        foreach (var dependency in dependencies)
        {
            using var image = new MemoryStream(dependency);
            _context.LoadFromStream(image);
        }

        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        stream.Position = 0;
        Assembly = _context.LoadFromStream(stream);
    }

    public Assembly Assembly { get; }

    public object? Call(string type, string method, params object?[] args)
        => Assembly.GetType(type, throwOnError: true)!.GetMethod(method)!.Invoke(null, BindingFlags.DoNotWrapExceptions, null, args, null);

    public void Dispose() => _context.Unload();

    public static LoadedAssembly Load(params (string Path, string Source)[] sources)
    {
        var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(sources));
        GeneratorHarness.AssertNoErrors(run);
        return new LoadedAssembly(run.Output);
    }
}
