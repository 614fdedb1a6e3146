using System.Text.Json;

namespace Sec0.Generators.Tests.Infrastructure;

/// <summary>
/// A real Sec0 app over a temporary folder: sec0.config.yaml with the given <c>app.hops</c> block (and an
/// optional policy.yaml), initialized with a fresh signing key; <see cref="Envelopes"/> reads back the
/// audit lines the calls left, keyed by their <c>tool</c> (the hop key for every hop type but tool).
/// </summary>
internal sealed class AuditedApp : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sec0-e2e", Guid.NewGuid().ToString("N"));

    /// <param name="hopsYaml">The <c>app.hops</c> entries.</param>
    /// <param name="policyYaml">policy.yaml, when the app has one.</param>
    /// <param name="environment">The <c>app.environment</c>.</param>
    /// <param name="rootYaml">More top-level blocks of sec0.config.yaml (e.g. <c>approvals:</c>).</param>
    public AuditedApp(string hopsYaml, string? policyYaml = null, string environment = "dev", string? rootYaml = null)
    {
        Directory.CreateDirectory(_dir);
        if (policyYaml is not null)
        {
            File.WriteAllText(Path.Combine(_dir, "policy.yaml"), policyYaml);
        }

        File.WriteAllText(
            Path.Combine(_dir, "sec0.config.yaml"),
            "app:\n  tenant: demo\n  environment: " + environment + "\n  client: { name: e2e, version: \"1.0.0\" }\n  hops:\n"
            + Indent(hopsYaml, "    ") + "\n"
            + (policyYaml is null ? string.Empty : "policy: ./policy.yaml\n")
            + (rootYaml is null ? string.Empty : rootYaml.TrimEnd('\n') + "\n")
            + "controlPlane:\n  sec0Dir: ./.sec0\n  localSignerPath: ./.sec0/keys/ed25519.key\n");
        App = Sec0App.Initialize(Path.Combine(_dir, "sec0.config.yaml"), new Sec0AppOptions { CreateSigningKeyIfMissing = true });
    }

    public Sec0App App { get; }

    /// <summary>Every hop envelope written so far (checkpoint records left out), in log order.</summary>
    public IReadOnlyList<JsonElement> Envelopes()
    {
        App.FlushAsync().AsTask().GetAwaiter().GetResult();
        return Directory.GetFiles(App.AuditDirectory, "audit-*.ndjson")
            .Order(StringComparer.Ordinal)
            .SelectMany(File.ReadAllLines)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(e => !e.TryGetProperty("record", out _))
            .ToList();
    }

    /// <summary>The <c>tool</c> of every envelope, in log order.</summary>
    public IReadOnlyList<string> Tools() => Envelopes().Select(e => e.GetProperty("tool").GetString()!).ToList();

    public void Dispose()
    {
        App.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Indent(string text, string prefix)
        => string.Join("\n", text.Split('\n').Select(line => line.Length == 0 ? line : prefix + line));
}
