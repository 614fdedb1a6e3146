using System.Text.Json;
using Sec0.Hops;
using Sec0.Instrumentation.Tests.Support;
using Sec0.Policy;
using Sec0.Scanning;

namespace Sec0.Instrumentation.Tests.Scanning;

/// <summary>SAST verdicts decide hop calls before the body runs, through the policy's deny_on.</summary>
[Collection(nameof(Sec0AppCollection))]
public class SastHopTests
{
    private const string Config = """
        app:
          tenant: demo
          environment: dev
          client: { name: payments, version: "1.0.0" }
          hops:
            Pay.Charge: { type: tool, nodeId: pay, server: payments, tool: charge }
        controlPlane:
          sec0Dir: ./.sec0
          localSignerPath: ./.sec0/keys/ed25519.key
        policy: ./policy.yaml
        """;

    private static readonly string s_hash = "sha256:v1:" + new string('c', 64);
    private static readonly HopDescriptor s_charge = new("Pay.Charge", HopType.Tool, s_hash, "Pay.cs", 10, 20, "void Pay.Charge()");

    private static string Policy(bool failOnError = true) => $"""
        tenant: demo
        enforcement:
          deny_on: [sast_pending, sast_failed]
        sast:
          enabled: true
          block_on_change: true
          block_on_severity: high
          fail_on_error: {(failOnError ? "true" : "false")}
        """;

    private static Sec0App Start(TempDirectory dir, ISastScanner scanner, string policy, IReadOnlyList<HopManifestEntry>? manifest = null)
    {
        File.WriteAllText(dir.Combine("sec0.config.yaml"), Config);
        File.WriteAllText(dir.Combine("policy.yaml"), policy);
        return Sec0App.Initialize(dir.Combine("sec0.config.yaml"), new Sec0AppOptions
        {
            CreateSigningKeyIfMissing = true,
            SastScanner = scanner,
            HopManifest = manifest ?? [],
        });
    }

    /// <summary>What a generated interceptor does: Begin, body, Complete.</summary>
    private static void Call(HopDescriptor descriptor, Action body)
    {
        var invocation = HopRuntime.Begin(descriptor);
        body();
        invocation.Complete();
    }

    private static async Task<List<JsonElement>> EnvelopesAsync(Sec0App app)
    {
        var dir = app.AuditDirectory;
        await app.DisposeAsync();
        return [.. Directory.GetFiles(dir, "audit-*.ndjson").SelectMany(File.ReadAllLines)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).Where(e => !e.TryGetProperty("record", out _))];
    }

    [Fact]
    public async Task Block_on_change_denies_the_first_call_of_a_new_hash_and_the_body_never_runs()
    {
        using var dir = new TempDirectory();
        var release = new TaskCompletionSource<SastScanResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var scanner = new FakeSastScanner((_, _) => release.Task);
        var app = Start(dir, scanner, Policy());
        try
        {
            var ran = false;
            var denied = Assert.Throws<Sec0PolicyDeniedException>(() => Call(s_charge, () => ran = true));
            Assert.False(ran);
            Assert.Equal("sast_pending", denied.Violation);

            // The denied call started the scan; once it passes, the hop runs.
            release.SetResult(new SastScanResult { Status = ScanStatus.Pass, ScanId = "scan-7" });
            var verdict = await app.Sast!.ScanAsync(new SastScanInfo { HandlerHash = s_hash });
            Assert.Equal(ScanStatus.Pass, verdict.Status);
            Call(s_charge, () => ran = true);
            Assert.True(ran);
            Assert.Equal(1, scanner.Calls);
            Assert.Equal("Pay.cs", scanner.Requests[0].FilePath);
            Assert.Equal(10, scanner.Requests[0].StartLine);
        }
        finally
        {
            var envelopes = await EnvelopesAsync(app);
            Assert.Equal(2, envelopes.Count);
            Assert.Equal("pending", envelopes[0].GetProperty("sast_status").GetString());
            Assert.Equal("sast_pending", envelopes[0].GetProperty("denial_reason").GetString());
            Assert.Equal("pass", envelopes[1].GetProperty("sast_status").GetString());
            Assert.Equal("scan-7", envelopes[1].GetProperty("sast_scan_id").GetString());
            Assert.Equal(JsonValueKind.Array, envelopes[1].GetProperty("sast_findings").ValueKind);
        }
    }

    [Fact]
    public async Task A_hash_that_fails_at_the_threshold_is_blocked_before_its_first_call()
    {
        using var dir = new TempDirectory();
        var scanner = FakeSastScanner.Returning(new SastScanResult
        {
            Status = ScanStatus.Pass,
            Findings = [new SastFinding { Code = "csharp.lang.security.sqli", Severity = ScanSeverity.High, Message = "SQL built from input", Cwe = ["CWE-89"] }],
        });
        HopManifestEntry[] manifest = [new("hop", "Pay.Charge", s_hash, "Pay.cs", 10, 20, "void Pay.Charge()", HopType.Tool)];
        var app = Start(dir, scanner, Policy(), manifest);
        try
        {
            // The start-up scan of the manifest produced the verdict: no call has happened yet.
            var verdict = await app.Sast!.ScanAsync(new SastScanInfo { HandlerHash = s_hash });
            Assert.Equal(ScanStatus.Fail, verdict.Status);
            Assert.Equal(1, scanner.Calls);

            var ran = false;
            var denied = Assert.Throws<Sec0PolicyDeniedException>(() => Call(s_charge, () => ran = true));
            Assert.False(ran);
            Assert.Equal("sast_failed", denied.Violation);
            Assert.True(File.Exists(dir.Combine(".sec0", "scans", "sast-manifest-hashes.txt")));
        }
        finally
        {
            var envelope = Assert.Single(await EnvelopesAsync(app));
            Assert.Equal("fail", envelope.GetProperty("sast_status").GetString());
            Assert.Equal("CWE-89", envelope.GetProperty("sast_findings")[0].GetProperty("cwe")[0].GetString());
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_crashing_scanner_blocks_when_fail_closed_and_is_recorded_as_error_when_fail_open(bool failOnError)
    {
        using var dir = new TempDirectory();
        var scanner = new FakeSastScanner((_, _) => throw new IOException("semgrep: exit 2"));
        HopManifestEntry[] manifest = [new("hop", "Pay.Charge", s_hash, "Pay.cs", 10, 20, "void Pay.Charge()", HopType.Tool)];
        var app = Start(dir, scanner, Policy(failOnError), manifest);
        var ran = false;
        try
        {
            Assert.Equal(ScanStatus.Error, (await app.Sast!.ScanAsync(new SastScanInfo { HandlerHash = s_hash })).Status);
            if (failOnError)
            {
                var denied = Assert.Throws<Sec0PolicyDeniedException>(() => Call(s_charge, () => ran = true));
                Assert.Equal("sast_failed", denied.Violation);
                Assert.False(ran);
            }
            else
            {
                Call(s_charge, () => ran = true);
                Assert.True(ran);
            }
        }
        finally
        {
            var envelope = Assert.Single(await EnvelopesAsync(app));
            Assert.Equal("error", envelope.GetProperty("sast_status").GetString());
            Assert.Equal(failOnError ? "error" : "ok", envelope.GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Verdicts_survive_a_restart_and_scan_all_on_server_change_rescans_when_the_hashes_changed()
    {
        using var dir = new TempDirectory();
        var scanner = FakeSastScanner.Returning(new SastScanResult { Status = ScanStatus.Pass, ScanId = "first" });
        var policy = Policy() + "\n  scan_all_on_server_change: true\n";
        HopManifestEntry[] one = [new("hop", "Pay.Charge", s_hash, "Pay.cs", 10, 20, "void Pay.Charge()", HopType.Tool)];
        var other = "sha256:v1:" + new string('e', 64);
        HopManifestEntry[] two = [.. one, new("hop", "Pay.Refund", other, "Pay.cs", 22, 30, "void Pay.Refund()", HopType.Tool)];

        async Task RunAsync(IReadOnlyList<HopManifestEntry> manifest)
        {
            var app = Start(dir, scanner, policy, manifest);
            await Task.WhenAll(manifest.Select(m => app.Sast!.ScanAsync(new SastScanInfo { HandlerHash = m.BodyHash })));
            Call(s_charge, () => { });
            await app.DisposeAsync();
        }

        await RunAsync(one);
        Assert.Equal(1, scanner.Calls);
        Assert.True(File.Exists(dir.Combine(".sec0", "scans", "sast-verdicts.json")));

        // Same code: the saved pass is used, nothing is rescanned and the first call is not pending.
        await RunAsync(one);
        Assert.Equal(1, scanner.Calls);

        // A new hash changed the server: every hop is rescanned, the unchanged one too.
        await RunAsync(two);
        Assert.Equal(3, scanner.Calls);
        Assert.Equal(2, scanner.Requests.Count(r => r.HandlerHash == s_hash));
    }

    [Fact]
    public void A_policy_that_enables_sast_without_a_scanner_does_not_start()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("sec0.config.yaml"), Config);
        File.WriteAllText(dir.Combine("policy.yaml"), Policy());
        var ex = Assert.Throws<InvalidOperationException>(() => Sec0App.Initialize(dir.Combine("sec0.config.yaml"), new Sec0AppOptions { CreateSigningKeyIfMissing = true }));
        Assert.Contains("SastScanner", ex.Message, StringComparison.Ordinal);
        Assert.Null(Sec0App.Current);
    }
}
