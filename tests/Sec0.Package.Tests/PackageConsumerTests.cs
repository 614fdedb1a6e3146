using System.Text.Json;
using Sec0.Audit;
using Sec0.Signing;

namespace Sec0.Package.Tests;

/// <summary>
/// A console project outside the repository whose only Sec0 setting is the PackageReference: it builds
/// (warnings as errors, so no CS9137 and no generator warning), its hop call is intercepted, and the
/// audit log it leaves verifies.
/// </summary>
[Collection(nameof(PackageCollection))]
public sealed class PackageConsumerTests(PackedPackage package) : IDisposable
{
    private const string Program = """
        using Sec0;

        await using (var app = Sec0App.Initialize("sec0.config.yaml", new Sec0AppOptions { CreateSigningKeyIfMissing = true }))
        {
            Console.WriteLine(await new Greeter().Greet("package"));
        }

        public sealed class Greeter
        {
            [Sec0Hop(Type = HopType.Agent)]
            public async Task<string> Greet(string name)
            {
                HopGuard.Enter();
                await Task.Yield();
                return "hello " + name;
            }
        }
        """;

    private const string Config = """
        app:
          tenant: demo
          environment: dev
          client: { name: consumer, version: "1.0.0" }
          hops:
            Greeter.Greet: { type: agent, nodeId: greeter, agentName: greeter, agentVersion: "1.0.0" }
        controlPlane:
          sec0Dir: ./.sec0
          localSignerPath: ./.sec0/keys/ed25519.key
        """;

    private readonly TempDirectory _dir = new("consumer");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_project_with_only_the_package_reference_builds_runs_and_leaves_a_verifying_audit_log()
    {
        WriteConsumer();

        await DotnetCli.RunSuccessfullyAsync(_dir.Path, "build", "--disable-build-servers");
        var run = await DotnetCli.RunSuccessfullyAsync(_dir.Path, "run", "--no-build");
        Assert.Equal("hello package", run.StandardOutput.Trim());

        // The package came from the test feed into the consumer's own package folder, not the global one.
        Assert.True(Directory.Exists(_dir.Combine("packages", "sec0.instrumentation", package.Version)));

        var auditDirectory = _dir.Combine(".sec0", "logs");
        var envelopes = Directory.GetFiles(auditDirectory, "audit-*.ndjson").SelectMany(File.ReadAllLines)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(e => !e.TryGetProperty("record", out _))
            .ToList();
        var envelope = Assert.Single(envelopes);
        Assert.Equal("Greeter.Greet", envelope.GetProperty("hop").GetString());
        Assert.Equal("sec0-agent greeter@1.0.0", envelope.GetProperty("tool_ref").GetString());
        Assert.Equal("agent", envelope.GetProperty("node_type").GetString());
        Assert.Equal("ok", envelope.GetProperty("status").GetString());
        // Only the packaged generator computes the compile-time hop hash, so this proves interception.
        Assert.StartsWith("sha256:v1:", envelope.GetProperty("hop_hash").GetString(), StringComparison.Ordinal);

        using var signer = LocalDevSigner.FromFile(_dir.Combine(".sec0", "keys", "ed25519.key"), _dir.Path);
        using var verifier = signer.CreateVerifier();
        var report = new AuditLogVerifier(verifier).Verify(auditDirectory);
        Assert.True(report.IsIntact, string.Join('\n', report.Problems));
        Assert.Equal(1, report.ValidEnvelopes);
    }

    [Fact]
    public async Task The_package_targets_add_the_interceptors_namespace_the_config_as_an_additional_file_and_the_cache_switch()
    {
        WriteConsumer(
            extraProperties: "<Sec0ConfigFile>config/app.sec0.yaml</Sec0ConfigFile><Sec0GeneratorCache>false</Sec0GeneratorCache>",
            configPath: Path.Combine("config", "app.sec0.yaml"));

        await DotnetCli.RunSuccessfullyAsync(_dir.Path, "restore", "--disable-build-servers");
        var evaluation = await DotnetCli.RunSuccessfullyAsync(_dir.Path, "msbuild", "-nologo", "-getProperty:InterceptorsNamespaces", "-getProperty:Features", "-getItem:AdditionalFiles");

        using var json = JsonDocument.Parse(evaluation.StandardOutput);
        var namespaces = json.RootElement.GetProperty("Properties").GetProperty("InterceptorsNamespaces").GetString()!;
        Assert.Contains("Sec0.Generated", namespaces.Split(';'));
        // Sec0GeneratorCache=false reaches the generator as a compiler feature (its syntax transforms see parse options).
        var features = json.RootElement.GetProperty("Properties").GetProperty("Features").GetString()!;
        Assert.Contains("Sec0GeneratorCache=false", features.Split(';'));
        var additionalFile = Assert.Single(json.RootElement.GetProperty("Items").GetProperty("AdditionalFiles").EnumerateArray());
        Assert.Equal(_dir.Combine("config", "app.sec0.yaml"), additionalFile.GetProperty("FullPath").GetString());
        Assert.Equal("true", additionalFile.GetProperty("Sec0Config").GetString());
    }

    [Fact]
    public async Task A_missing_hop_entry_is_SEC0001_in_the_build_and_goes_away_once_the_entry_is_added()
    {
        WriteConsumer(extraProperties: "<TreatWarningsAsErrors>false</TreatWarningsAsErrors>");
        File.WriteAllText(_dir.Combine("sec0.config.yaml"), Config.Replace(
            "    Greeter.Greet: { type: agent, nodeId: greeter, agentName: greeter, agentVersion: \"1.0.0\" }\n", "    {}\n", StringComparison.Ordinal).Replace("  hops:\n    {}", "  hops: {}", StringComparison.Ordinal));

        var missing = await DotnetCli.RunSuccessfullyAsync(_dir.Path, "build", "--disable-build-servers", "-nologo");
        Assert.Contains("warning SEC0001", missing.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("No hop configuration found for \"Greeter.Greet\"", missing.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Program.cs(", missing.StandardOutput, StringComparison.Ordinal);

        File.WriteAllText(_dir.Combine("sec0.config.yaml"), Config);
        var fixedBuild = await DotnetCli.RunSuccessfullyAsync(_dir.Path, "build", "--disable-build-servers", "-nologo");
        Assert.DoesNotContain("SEC0001", fixedBuild.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("warning SEC0", fixedBuild.StandardOutput, StringComparison.Ordinal);
    }

    private void WriteConsumer(string extraProperties = "", string configPath = "sec0.config.yaml")
    {
        // Empty Directory.* files stop MSBuild from picking up whatever lies above the temp folder.
        File.WriteAllText(_dir.Combine("Directory.Build.props"), "<Project />");
        File.WriteAllText(_dir.Combine("Directory.Build.targets"), "<Project />");
        File.WriteAllText(_dir.Combine("Directory.Packages.props"), "<Project />");

        // The test feed in addition to the sources this machine already restores from (not cleared).
        // The global package folder is only a read-only fallback: the test version is extracted into
        // the consumer's own folder (RestorePackagesPath), so it never lands in the global cache.
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var fallback = Directory.Exists(globalPackages)
            ? $"""<fallbackPackageFolders><add key="global" value="{globalPackages}" /></fallbackPackageFolders>"""
            : "";
        File.WriteAllText(_dir.Combine("nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="sec0-test-feed" value="{package.FeedDirectory}" />
              </packageSources>
              {fallback}
            </configuration>
            """);

        File.WriteAllText(_dir.Combine("Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <RestorePackagesPath>{_dir.Combine("packages")}</RestorePackagesPath>
                {extraProperties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Sec0.Instrumentation" Version="{package.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(_dir.Combine("Program.cs"), Program);
        Directory.CreateDirectory(Path.GetDirectoryName(_dir.Combine(configPath))!);
        File.WriteAllText(_dir.Combine(configPath), Config);
    }
}
