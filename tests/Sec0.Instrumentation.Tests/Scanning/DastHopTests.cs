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
}
