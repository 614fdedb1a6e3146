using System.Text;
using Sec0.Config;

namespace Sec0.Instrumentation.Tests.Config;

/// <summary>A temporary folder for config files and signing keys, deleted when disposed.</summary>
internal sealed class TempConfigDirectory : IDisposable
{
    public TempConfigDirectory()
    {
        Root = Path.Combine(Path.GetTempPath(), "sec0-config-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>Options with an empty environment (plus the given variables), so the process environment never leaks in.</summary>
    public static Sec0ConfigLoadOptions Options(bool checkSigningKey = true, params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return new Sec0ConfigLoadOptions
        {
            CheckSigningKeyExists = checkSigningKey,
            Environment = name => map.GetValueOrDefault(name),
        };
    }

    /// <summary>Writes a file below <see cref="Root"/> (creating folders) and returns its absolute path.</summary>
    public string Write(string relativePath, string content) => WriteBytes(relativePath, Encoding.UTF8.GetBytes(content));

    public string WriteBytes(string relativePath, byte[] content)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>Creates the signing key the sample configs point at (<c>.sec0/keys/ed25519.key</c> next to the config).</summary>
    public string WriteKey(string relativePath = ".sec0/keys/ed25519.key") => Write(relativePath, "not-a-real-key");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}
