using System.Text.Json;
using Sec0.Hops;
using Sec0.Instrumentation.Tests.Support;
using Sec0.Policy;
using Sec0.Scanning;

namespace Sec0.Instrumentation.Tests.Scanning;

[Collection(nameof(Sec0AppCollection))]
public class DastHopTests
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

    private const string Policy = """
        tenant: demo
        enforcement:
          deny_on: [dast_pending, dast_failed]
        dast:
          enabled: true
          sandbox_url: http://127.0.0.1:9/
          mode: sync
          scope: server
          block_on_severity: high
        """;

    private static readonly HopDescriptor s_charge = new("Pay.Charge", HopType.Tool, "sha256:v1:" + new string('d', 64), "Pay.cs", 1, 5, "void Pay.Charge()");

    [Fact]
    public async Task Sync_mode_scans_the_sandbox_at_start_and_a_failed_scan_blocks_the_first_call()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("sec0.config.yaml"), Config);
        File.WriteAllText(dir.Combine("policy.yaml"), Policy);
        var requests = new List<DastScanInfo>();
        var scanner = new FakeDastScanner(info =>
        {
            lock (requests)
            {
                requests.Add(info);
            }

            return new DastScanResult { Status = ScanStatus.Fail, ScanId = "nuclei-1", Findings = [new DastFinding { Code = "sqli-error-based", Severity = ScanSeverity.Critical, Url = "http://127.0.0.1:9/api?id=1'" }] };
        });
        var app = Sec0App.Initialize(dir.Combine("sec0.config.yaml"), new Sec0AppOptions { CreateSigningKeyIfMissing = true, DastScanner = scanner, HopManifest = [] });
        string auditDir = app.AuditDirectory;
        try
        {
            // Initialize returned after the sync scan: the verdict is there before any call.
            var request = Assert.Single(requests);
            Assert.Equal(new Uri("http://127.0.0.1:9/"), request.SandboxUrl);
            var ran = false;
            var denied = Assert.Throws<Sec0PolicyDeniedException>(() =>
            {
                var invocation = HopRuntime.Begin(s_charge);
                ran = true;
                invocation.Complete();
            });
            Assert.Equal("dast_failed", denied.Violation);
            Assert.False(ran);
            Assert.Single(requests);
        }
        finally
        {
            await app.DisposeAsync();
        }

        var envelope = Directory.GetFiles(auditDir, "audit-*.ndjson").SelectMany(File.ReadAllLines)
            .Select(l => JsonDocument.Parse(l).RootElement).Single(e => !e.TryGetProperty("record", out _));
        Assert.Equal("fail", envelope.GetProperty("dast_status").GetString());
        Assert.Equal("nuclei-1", envelope.GetProperty("dast_scan_id").GetString());
        Assert.Equal("sqli-error-based", envelope.GetProperty("dast_findings")[0].GetProperty("code").GetString());
        Assert.False(envelope.TryGetProperty("sast_status", out _));
    }

    [Fact]
    public async Task InitializeAsync_awaits_a_sync_scan_without_blocking_and_routes_hops_only_once_it_has_a_verdict()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("sec0.config.yaml"), Config);
        File.WriteAllText(dir.Combine("policy.yaml"), Policy);
        var scanner = new GatedDastScanner();
        var options = new Sec0AppOptions { CreateSigningKeyIfMissing = true, DastScanner = scanner, HopManifest = [] };

        var init = Sec0App.InitializeAsync(dir.Combine("sec0.config.yaml"), options);
        await scanner.Started.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(init.IsCompleted);
        Assert.Null(Sec0App.Current);

        scanner.Release(new DastScanResult { Status = ScanStatus.Pass, ScanId = "nuclei-2" });
        await using var app = await init.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Same(app, Sec0App.Current);
        var invocation = HopRuntime.Begin(s_charge);
        invocation.Complete();
    }

    [Fact]
    public async Task Cancelling_InitializeAsync_during_a_sync_scan_leaves_no_app_and_frees_the_audit_log()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("sec0.config.yaml"), Config);
        File.WriteAllText(dir.Combine("policy.yaml"), Policy);
        var scanner = new GatedDastScanner();
        using var cancel = new CancellationTokenSource();

        var init = Sec0App.InitializeAsync(dir.Combine("sec0.config.yaml"), new Sec0AppOptions { CreateSigningKeyIfMissing = true, DastScanner = scanner, HopManifest = [] }, cancel.Token);
        await scanner.Started.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => init);
        Assert.Null(Sec0App.Current);
        scanner.Release(new DastScanResult { Status = ScanStatus.Pass, ScanId = "nuclei-3" });

        // The audit directory's lock and the key were released: the next start in the same folder works.
        var passing = new FakeDastScanner(_ => new DastScanResult { Status = ScanStatus.Pass, ScanId = "nuclei-4" });
        await using var app = await Sec0App.InitializeAsync(dir.Combine("sec0.config.yaml"), new Sec0AppOptions { DastScanner = passing, HopManifest = [] });
        Assert.Same(app, Sec0App.Current);
    }

    /// <summary>A scanner whose scans finish only when the test says so.</summary>
    private sealed class GatedDastScanner : IDastScanner
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<DastScanResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public void Release(DastScanResult result) => _result.TrySetResult(result);

        public Task<DastScanResult> ScanAsync(DastScanInfo info, CancellationToken cancellationToken)
        {
            _started.TrySetResult();
            return _result.Task;
        }
    }
}
