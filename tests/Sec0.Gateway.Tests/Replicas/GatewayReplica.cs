using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Sec0.Audit;
using Sec0.Signing;

namespace Sec0.Gateway.Tests.Replicas;

/// <summary>
/// One gateway replica as a real child process (tests/Sec0.Gateway.ReplicaHost) with its own config, key and audit
/// folder, sharing the state database given in its config. Stopped gracefully by closing its standard input, or
/// killed with SIGKILL.
/// </summary>
internal sealed class GatewayReplica : IAsyncDisposable
{
    private static readonly string s_hostPath =
        typeof(GatewayReplica).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ReplicaHostPath").Value!;

    private readonly Process _process;

    private GatewayReplica(Process process, string directory, Uri url)
    {
        _process = process;
        Directory = directory;
        Url = url;
    }

    public string Directory { get; }

    public Uri Url { get; }

    public string AuditDirectory => Path.Combine(Directory, "audit");

    public int ProcessId => _process.Id;

    /// <summary>Writes the replica's config (<paramref name="gatewayBlock"/> is the YAML under <c>gateway:</c>) and starts it.</summary>
    public static async Task<GatewayReplica> StartAsync(string directory, string gatewayBlock, IReadOnlyDictionary<string, string>? environment = null)
    {
        System.IO.Directory.CreateDirectory(directory);
        var keyPath = Path.Combine(directory, "keys", "ed25519.key");
        if (!File.Exists(keyPath))
        {
            using (SigningKeyFile.Create(keyPath, SigningAlgorithm.Ed25519))
            {
            }
        }

        var config = Path.Combine(directory, "sec0.config.yaml");
        File.WriteAllText(config, "app:\n  tenant: acme\n  environment: dev\ncontrolPlane:\n  sec0Dir: ./.sec0\n  localSignerPath: ./keys/ed25519.key\n  appenderDir: ./audit\ngateway:\n" + gatewayBlock);

        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { s_hostPath, config },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("the replica did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("listening ", StringComparison.Ordinal))
                {
                    _ = process.StandardOutput.ReadToEndAsync();
                    return new GatewayReplica(process, directory, new Uri(line["listening ".Length..]));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        throw new InvalidOperationException("the replica did not start: " + await stderr);
    }

    /// <summary>SIGKILL: no flush, no release; what a crashed replica leaves behind.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>A graceful stop: the replica drains, flushes and seals its audit log.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        _process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    /// <summary>The replica's gateway envelopes (call after it stopped, or accept what is flushed so far).</summary>
    public IReadOnlyList<JsonElement> Envelopes()
    {
        var envelopes = new List<JsonElement>();
        if (!System.IO.Directory.Exists(AuditDirectory))
        {
            return envelopes;
        }

        foreach (var file in System.IO.Directory.GetFiles(AuditDirectory, "audit-*.ndjson").Order(StringComparer.Ordinal))
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.Length > 0 && JsonDocument.Parse(line).RootElement.Clone() is { } e && e.TryGetProperty("node_type", out var type) && type.GetString() == "gateway")
                {
                    envelopes.Add(e);
                }
            }
        }

        return envelopes;
    }

    public AuditVerificationReport Verify()
    {
        using var signer = LocalDevSigner.FromFile(Path.Combine(Directory, "keys", "ed25519.key"), Directory);
        using var verifier = signer.CreateVerifier();
        return new AuditLogVerifier(verifier).Verify(AuditDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }
}
