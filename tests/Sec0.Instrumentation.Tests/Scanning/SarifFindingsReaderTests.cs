using System.Diagnostics;
using Sec0.Hops;
using Sec0.Policy;
using Sec0.Scanning;

namespace Sec0.Instrumentation.Tests.Scanning;

public class SarifFindingsReaderTests
{
    // Lines 8-12 are Fingerprint (MD5: CA5351), 14-17 are Add (nothing to find).
    private const string Sample = """
        using System.Security.Cryptography;

        namespace Sample;

        public static class Payments
        {
            // Fingerprint: lines 8-12.
            public static byte[] Fingerprint(byte[] card)
            {
                using var md5 = MD5.Create();
                return md5.ComputeHash(card);
            }

            public static int Add(int a, int b)
            {
                return a + b;
            }
        }
        """;

    private const string Project = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <OutputType>Library</OutputType>
            <Nullable>enable</Nullable>
          </PropertyGroup>
        </Project>
        """;

    [Fact]
    public async Task A_real_compiler_error_log_maps_the_security_finding_to_the_hop_span()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("Sample.csproj"), Project);
        var source = dir.Combine("Payments.cs");
        File.WriteAllText(source, Sample.Replace("\r\n", "\n", StringComparison.Ordinal));
        var sarif = dir.Combine("build.sarif");

        await BuildAsync(dir.Path, "build", "--disable-build-servers", "-nologo", "-nodeReuse:false",
            $"-p:ErrorLog={sarif}%2Cversion=2.1", "-p:AnalysisMode=All", "-p:TreatWarningsAsErrors=false");

        var findings = SarifFindingsReader.ReadFile(sarif);
        var md5 = Assert.Single(findings, f => f.Code == "CA5351");
        Assert.Equal(10, md5.StartLine);
        Assert.Equal(["CWE-327"], md5.Cwe);
        Assert.Equal("Do Not Use Broken Cryptographic Algorithms", md5.Title);
        Assert.Equal(ScanSeverity.Medium, md5.Severity);

        // Non-security rules that fired in the same build (CA1850, performance) are not SAST findings.
        Assert.DoesNotContain(findings, f => f.Code == "CA1850");
        Assert.Contains(SarifFindingsReader.Read(File.ReadAllText(sarif), securityOnly: false), f => f.Code == "CA1850");

        HopManifestEntry[] manifest =
        [
            new("hop", "Payments.Fingerprint", "sha256:v1:fingerprint", source, 8, 12, "byte[] Payments.Fingerprint(byte[])", HopType.Tool),
            new("hop", "Payments.Add", "sha256:v1:add", source, 14, 17, "int Payments.Add(int, int)", HopType.Tool),
        ];
        var perHop = SarifFindingsReader.MapToHops(findings, manifest);
        Assert.Equal("CA5351", Assert.Single(perHop["sha256:v1:fingerprint"]).Code);
        Assert.Empty(perHop["sha256:v1:add"]);

        // As a scanner feeding the verdict cache: medium blocks at block_on_severity medium, and only that hop.
        using var cache = new SastVerdictCache(new SarifScanner(sarif), new SastPolicyOptions { Enabled = true, BlockOnSeverity = ScanSeverity.Medium });
        var verdicts = await Task.WhenAll(cache.ScanManifest(manifest, "payments", rescanAll: false));
        Assert.Equal([ScanStatus.Fail, ScanStatus.Pass], verdicts.Select(v => v.Status));
    }

    [Fact]
    public void Reads_codeql_style_logs_with_security_severity_relative_uris_and_cwe_tags()
    {
        const string codeql = """
            {
              "version": "2.1.0",
              "runs": [{
                "tool": { "driver": { "name": "CodeQL", "rules": [
                  { "id": "cs/sql-injection", "name": "cs/sql-injection", "shortDescription": { "text": "SQL query built from user-controlled sources" },
                    "defaultConfiguration": { "level": "error" },
                    "properties": { "tags": ["security", "external/cwe/cwe-089"], "security-severity": "8.8" } },
                  { "id": "cs/log-forging", "shortDescription": { "text": "Log entries created from user input" },
                    "properties": { "tags": ["security", "external/cwe/cwe-117"], "security-severity": "7.8" } }
                ] } },
                "results": [
                  { "ruleId": "cs/sql-injection", "ruleIndex": 0, "message": { "text": "This query depends on a user-provided value." },
                    "locations": [{ "physicalLocation": { "artifactLocation": { "uri": "src/Payments/Pay.cs", "uriBaseId": "%SRCROOT%" }, "region": { "startLine": 14, "endLine": 15 } } }] },
                  { "ruleId": "cs/log-forging", "level": "warning", "message": { "text": "Log entry depends on a user-provided value." },
                    "locations": [{ "physicalLocation": { "artifactLocation": { "uri": "src/Payments/Pay.cs" }, "region": { "startLine": 40 } } }] }
                ]
              }]
            }
            """;
        var findings = SarifFindingsReader.Read(codeql);
        Assert.Equal(2, findings.Count);
        Assert.Equal(ScanSeverity.High, findings[0].Severity);
        Assert.Equal(["CWE-89"], findings[0].Cwe);
        Assert.Equal(["security"], findings[0].Tags);
        Assert.Equal(ScanSeverity.High, findings[1].Severity);

        HopManifestEntry[] manifest = [new("hop", "Pay.Charge", "sha256:v1:charge", "/repo/src/Payments/Pay.cs", 12, 20, "void Pay.Charge()", HopType.Tool)];
        Assert.Equal("cs/sql-injection", Assert.Single(SarifFindingsReader.MapToHops(findings, manifest)["sha256:v1:charge"]).Code);

        // A relative path matches only at a folder boundary.
        HopManifestEntry[] other = [new("hop", "X", "sha256:v1:x", "/repo/src/NotPayments/Pay.cs", 12, 20, "void X()", HopType.Tool)];
        Assert.Empty(SarifFindingsReader.MapToHops(findings, other)["sha256:v1:x"]);
    }

    [Fact]
    public async Task A_missing_log_is_an_error_not_a_pass()
    {
        var scanner = new SarifScanner(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".sarif"));
        var result = await scanner.ScanAsync(new SastScanInfo { HandlerHash = "h", FilePath = "/x/Pay.cs" }, CancellationToken.None);
        Assert.Equal(ScanStatus.Error, result.Status);
    }

    private static async Task BuildAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        // dotnet test passes the outer build's MSBuild settings on; the child build must find its own SDK.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the sample build did not finish within 4 minutes");
        }

        Assert.True(process.ExitCode == 0, $"dotnet build exited {process.ExitCode}:\n{await stdout}\n{await stderr}");
    }
}
