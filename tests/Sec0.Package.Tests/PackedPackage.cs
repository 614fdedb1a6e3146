using System.Globalization;
using System.IO.Compression;

namespace Sec0.Package.Tests;

/// <summary>
/// Sec0.Instrumentation packed once per test run, with a version no real release has, into a local
/// folder that consumer projects use as a package source.
/// </summary>
public sealed class PackedPackage : IAsyncLifetime
{
    private readonly TempDirectory _work = new("pack");

    /// <summary>A unique prerelease version, so no package cache can answer with an older build.</summary>
    public string Version { get; } = string.Create(CultureInfo.InvariantCulture, $"0.0.0-it{DateTime.UtcNow.Ticks}");

    /// <summary>The folder holding the .nupkg: a local package source.</summary>
    public string FeedDirectory => _work.Combine("feed");

    public string NupkgPath => Path.Combine(FeedDirectory, $"Sec0.Instrumentation.{Version}.nupkg");

    /// <summary>The package's entry names (forward slashes).</summary>
    public IReadOnlySet<string> Entries { get; private set; } = new HashSet<string>();

    public async Task InitializeAsync()
    {
        // Own artifacts folder: the pack neither races with nor reuses the repository's bin/obj, so it
        // proves the pack builds the generator itself. No build servers: nothing outlives the test.
        await DotnetCli.RunSuccessfullyAsync(
            RepositoryPaths.Root,
            "pack", RepositoryPaths.RuntimeProject,
            "-c", "Release",
            "-o", FeedDirectory,
            "--artifacts-path", _work.Combine("artifacts"),
            "--disable-build-servers",
            $"-p:PackageVersion={Version}");
        Assert.True(File.Exists(NupkgPath), $"{NupkgPath} was not created.");
        using var zip = ZipFile.OpenRead(NupkgPath);
        Entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Reads one entry of the package as text.</summary>
    public string ReadText(string entryName)
    {
        using var zip = ZipFile.OpenRead(NupkgPath);
        var entry = zip.GetEntry(entryName) ?? throw new InvalidOperationException($"{entryName} is not in the package.");
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    /// <summary>Reads one entry of the package as bytes.</summary>
    public byte[] ReadBytes(string entryName)
    {
        using var zip = ZipFile.OpenRead(NupkgPath);
        var entry = zip.GetEntry(entryName) ?? throw new InvalidOperationException($"{entryName} is not in the package.");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public Task DisposeAsync()
    {
        _work.Dispose();
        return Task.CompletedTask;
    }
}
