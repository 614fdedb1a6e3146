using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sec0.Config;
using Sec0.Gateway.Auth;
using Sec0.Gateway.State;
using Sec0.Gateway.Upstreams;
using Sec0.Signing;

namespace Sec0.Gateway.Tests.Config;

/// <summary>The <c>gateway:</c> block of sec0.config.yaml: what it builds, and that every mistake stops start-up with a message naming the key.</summary>
public sealed class GatewayConfigLoaderTests : IDisposable
{
    private const string Secret = "c2VjMC1nYXRld2F5LXRlc3Qtc2VjcmV0LTMyYnl0ZXMh";
    private readonly TempDirectory _directory = new("gateway-config");

    public void Dispose() => _directory.Dispose();

    private string Write(string gateway, string extra = "")
    {
        using (SigningKeyFile.Create(_directory.Combine(".sec0", "keys", "ed25519.key"), SigningAlgorithm.Ed25519))
        {
        }

        var path = _directory.Combine("sec0.config.yaml");
        File.WriteAllText(path, $"""
            app:
              tenant: demo
              environment: dev
            controlPlane:
              sec0Dir: ./.sec0
              localSignerPath: ./.sec0/keys/ed25519.key
              appenderDir: ./.sec0/gateway-logs
            {extra}
            gateway:
            {gateway}
            """);
        return path;
    }

    private static string? Env(string name) => name switch
    {
        "GW_SECRET" => Secret,
        "GW_PG" => "Host=127.0.0.1;Port=1;Username=sec0",
        _ => null,
    };

    private static async Task DisposeOwnedAsync(Sec0GatewayOptions options)
    {
        foreach (var owned in options.Owned)
        {
            if (owned is IAsyncDisposable a)
            {
                await a.DisposeAsync();
            }
            else
            {
                (owned as IDisposable)?.Dispose();
            }
        }
    }

    [Fact]
    public async Task Remote_decisions_come_from_controlPlane_runtime()
    {
        var path = Write("""
              port: 0
              targets:
                weather: { mcp: http://127.0.0.1:5001/mcp }
            """);
        string? Remote(string name) => name switch
        {
            "SEC0_RUNTIME_MODE" => "remote",
            "SEC0_RUNTIME_REMOTE_URL" => "http://127.0.0.1:9/v1/runtime/evaluate",
            "SEC0_RUNTIME_FAILURE_MODE" => "deny",
            _ => Env(name),
        };

        var local = GatewayConfigLoader.Load(path, Env);
        await DisposeOwnedAsync(local);
        Assert.Null(local.RemoteDecisions);

        var options = GatewayConfigLoader.Load(path, Remote);
        try
        {
            Assert.Equal(new Uri("http://127.0.0.1:9/v1/runtime/evaluate"), options.RemoteDecisions!.Endpoint);
            Assert.Equal(RemoteDecisionFailureMode.Deny, options.RemoteDecisions.FailureMode);
        }
        finally
        {
            await DisposeOwnedAsync(options);
        }
    }

    [Fact]
    public async Task A_full_block_builds_targets_auth_entitlements_quotas_dedupe_and_policy()
    {
        var path = Write("""
              name: edge
              version: 2.1.0
              port: 0
              targets:
                weather: { mcp: http://127.0.0.1:5001/mcp }
                legacy: http://127.0.0.1:4000
                files: { http: http://127.0.0.1:4001 }
                local: { stdio: dotnet, args: [server.dll], pool: 2, env: { A: "1" } }
              authn:
                service_token: { secret_env: GW_SECRET, clock_skew_seconds: 5 }
              entitlements:
                default_plan: free
                plans: { free: { calls_per_day: 100 } }
                tenants:
                  demo:
                    allowlist: ["mcp://weather/*@*"]
                    per_tool: { "mcp://weather/forecast@1.0.0": { rate_per_sec: 2, calls_per_day: 10 } }
                    users: { alice: { allowlist: ["mcp://files/*@*"] } }
              quotas: { store: memory }
              dedupe: { ttlSec: 60, wait_ms: 500 }
              privacy: { redact_identities: true }
              reviewer_page: false
              enforcement: { mode: enforce, deny_on: [tool_not_in_allowlist] }
            """);

        var options = GatewayConfigLoader.Load(path, Env);
        try
        {
            Assert.Equal("edge", options.Name);
            Assert.Equal("2.1.0", options.Version);
            Assert.Equal("demo", options.Tenant);
            Assert.Equal(0, options.Port);
            Assert.Equal(GatewayTargetKind.McpHttp, options.Targets["weather"].Kind);
            Assert.Equal(GatewayTargetKind.LegacyHttp, options.Targets["legacy"].Kind);
            Assert.Equal(GatewayTargetKind.LegacyHttp, options.Targets["files"].Kind);
            Assert.Equal(GatewayTargetKind.McpStdio, options.Targets["local"].Kind);
            Assert.Equal(["server.dll"], options.Targets["local"].Arguments);
            Assert.Equal(2, options.Targets["local"].PoolSize);
            Assert.IsType<ServiceTokenValidator>(Assert.Single(options.CredentialValidators));
            Assert.Equal(100, options.Entitlements!.Plans["free"]);
            Assert.Equal(2, options.Entitlements.Tenants["demo"].PerTool["mcp://weather/forecast@1.0.0"].RatePerSecond);
            Assert.Single(options.Entitlements.Tenants["demo"].Users["alice"].Allowlist);
            Assert.IsType<InMemoryQuotaStore>(options.QuotaStore);
            Assert.Equal(TimeSpan.FromSeconds(60), options.Dedupe.Ttl);
            Assert.Equal(TimeSpan.FromMilliseconds(500), options.Dedupe.WaitForFirst);
            Assert.True(options.RedactIdentities);
            Assert.False(options.ReviewerPage);
            Assert.Equal(EnforcementMode.Enforce, options.Policy!.Enforcement.Mode);
            Assert.NotNull(options.Appender);
        }
        finally
        {
            await DisposeOwnedAsync(options);
        }
    }

    [Fact]
    public async Task A_gateway_loaded_from_the_config_serves_and_signs_into_the_configured_folder()
    {
        await using var upstream = await TestServers.LegacyToolTestServer.StartAsync();
        var path = Write($"""
              port: 0
              targets:
                legacy: {upstream.Url}
              authn: {"{"} allowUnauthenticated: true {"}"}
            """);

        await using (var gateway = await Sec0Gateway.StartAsync(path))
        {
            using var http = new HttpClient { BaseAddress = gateway.Url };
            using var request = new HttpRequestMessage(HttpMethod.Post, "mcp/legacy/echo@1.0.0") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add("x-idempotency-key", "cfg");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var log = Assert.Single(Directory.GetFiles(_directory.Combine(".sec0", "gateway-logs"), "audit-*.ndjson"));
        Assert.Contains("\"node_type\":\"gateway\"", File.ReadAllText(log), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  port: 1\n", "gateway.targets is required")]
    [InlineData("  targets: { a: { mcp: http://x/mcp, http: http://y } }\n", "gateway.targets.a must name exactly one of mcp")]
    [InlineData("  targets: { a: { mcp: ftp://x/mcp } }\n", "gateway.targets.a.mcp must be an absolute http:// or https:// URL")]
    [InlineData("  targets: { a: not-a-url }\n", "gateway.targets.a must be an absolute http:// or https:// URL")]
    [InlineData("  port: 70000\n  targets: { a: http://127.0.0.1:1 }\n", "gateway.port must be a TCP port")]
    [InlineData("  targets: { a: http://127.0.0.1:1 }\n  authn: {}\n", "gateway.authn names no credential")]
    [InlineData("  targets: { a: http://127.0.0.1:1 }\n  authn: { service_token: { secret_env: NOT_SET_ANYWHERE } }\n", "NOT_SET_ANYWHERE, which is not set")]
    [InlineData("  targets: { a: http://127.0.0.1:1 }\n  authn: { oidc: { issuer: https://i } }\n", "gateway.authn.oidc.audience is required")]
    [InlineData("  targets: { a: http://127.0.0.1:1 }\n  entitlements: { tenants: { demo: { plan: gold } } }\n", "names the plan \"gold\"")]
    [InlineData("  targets: { a: http://127.0.0.1:1 }\n  entitlements: { tenants: { demo: { allowlist: [\"http://nope\"] } } }\n", "gateway.entitlements.tenants.demo.allowlist")]
    [InlineData("  targets: { a: http://127.0.0.1:1 }\n  quotas: { store: redis }\n", "gateway.quotas.store is \"redis\"")]
    [InlineData("  targets: { a: http://127.0.0.1:1 }\n  dedupe: { duplicatePolicy: maybe }\n", "gateway.dedupe.duplicatePolicy is \"maybe\"")]
    [InlineData("  targets: { a: http://127.0.0.1:1 }\n  state: { store: redis }\n", "gateway.state.store is \"redis\": use memory")]
    [InlineData("  targets: { a: http://127.0.0.1:1 }\n  state: { store: postgres }\n", "the environment variable SEC0_GATEWAY_POSTGRES is not set")]
    [InlineData("  targets: { a: http://127.0.0.1:1 }\n  state: { store: postgres, connection_string_env: MY_PG }\n", "the environment variable MY_PG is not set")]
    [InlineData("  targets: { a: http://127.0.0.1:1 }\n  state: { store: postgres, connection_string_env: GW_PG, schema: \"a;drop\" }\n", "gateway.state.schema is \"a;drop\": use a lower-case identifier")]
    [InlineData("  targets: { a: http://127.0.0.1:1 }\n  state: { schema: gw }\n", "gateway.state.schema applies to store: postgres only")]
    [InlineData("  targets: { a: http://127.0.0.1:1 }\n  state: { store: postgres, connection_string_env: GW_PG }\n  quotas: { store: memory }\n", "gateway.quotas.store is memory, but gateway.state.store is postgres")]
    [InlineData("  targets: { a: http://127.0.0.1:1 }\n  state: { store: postgres, connection_string_env: GW_PG }\n  dedupe: { store: memory }\n", "gateway.dedupe.store is memory, but gateway.state.store is postgres")]
    [InlineData("  targets: { a: http://127.0.0.1:1 }\n  quotas: { store: postgres }\n", "gateway.quotas.store is postgres, but gateway.state.store is memory")]
    public void A_mistake_in_the_block_is_a_config_error_that_names_the_key(string block, string expected)
    {
        var path = Write(block);

        var error = Assert.Throws<Sec0ConfigException>(() => GatewayConfigLoader.Load(path, Env));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task State_postgres_takes_the_connection_string_from_the_environment_and_replaces_both_stores()
    {
        var path = Write("  targets: { a: http://127.0.0.1:1 }\n  state: { store: postgres, connection_string_env: GW_PG, schema: gw_state, fail_open: true }\n  quotas: { store: postgres }\n");

        var options = GatewayConfigLoader.Load(path, Env);
        try
        {
            Assert.Equal("Host=127.0.0.1;Port=1;Username=sec0", options.PostgresState!.ConnectionString);
            Assert.Equal("gw_state", options.PostgresState.Schema);
            Assert.True(options.StateFailOpen);
            Assert.Null(options.QuotaStore);
            Assert.Null(options.Dedupe.Store);
        }
        finally
        {
            await DisposeOwnedAsync(options);
        }
    }

    [Fact]
    public async Task State_postgres_with_an_unreachable_database_stops_start_up_without_showing_the_password()
    {
        var port = FreePort();
        var path = Write($"  port: 0\n  targets: {{ a: http://127.0.0.1:1 }}\n  state: {{ store: postgres, connection_string_env: PG_UNREACHABLE }}\n");
        var options = GatewayConfigLoader.Load(path, name => name == "PG_UNREACHABLE" ? $"Host=127.0.0.1;Port={port};Username=sec0;Password=hunter2-secret;Timeout=2" : Env(name));

        var error = await Assert.ThrowsAsync<Sec0GatewayOptionsException>(() => Sec0Gateway.StartAsync(options));

        Assert.StartsWith("[sec0-gateway] gateway.state: the PostgreSQL state store could not be opened", error.Message, StringComparison.Ordinal);
        Assert.Contains("SEC0_GATEWAY_POSTGRES", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approvals_open_when_the_policy_approves_high_risk_calls_and_the_escalation_timeout_comes_from_the_environment()
    {
        var path = Write("  targets: { a: http://127.0.0.1:1 }\n  security: { side_effects: { approve_high_risk: true } }\n");
        var with = GatewayConfigLoader.Load(path, name => name == "SEC0_ESCALATION_TIMEOUT_MS" ? "900" : Env(name));
        try
        {
            Assert.NotNull(with.Approvals);
            Assert.Equal(TimeSpan.FromMilliseconds(900), with.EscalationTimeout);
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(path)!, ".sec0", "approvals", "token.key")));
        }
        finally
        {
            await DisposeOwnedAsync(with);
        }

        var error = Assert.Throws<Sec0ConfigException>(() => GatewayConfigLoader.Load(path, name => name == "SEC0_ESCALATION_TIMEOUT_MS" ? "soon" : Env(name)));
        Assert.Contains("SEC0_ESCALATION_TIMEOUT_MS is \"soon\": set it to a number of milliseconds", error.Message, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public void A_config_without_a_gateway_block_says_how_to_add_one()
    {
        var path = Write("  port: 1\n").Replace("gateway:", "other:", StringComparison.Ordinal);
        File.WriteAllText(path, File.ReadAllText(path).Replace("gateway:", "unrelated:", StringComparison.Ordinal));

        var error = Assert.Throws<Sec0ConfigException>(() => GatewayConfigLoader.Load(path, Env));

        Assert.Contains("has no gateway block", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inline_policy_and_a_policy_file_at_once_are_refused()
    {
        File.WriteAllText(_directory.Combine("policy.yaml"), "tenant: demo\n");
        var path = Write("  targets: { a: http://127.0.0.1:1 }\n  enforcement: { mode: enforce }\n", extra: "policy: ./policy.yaml");

        var error = Assert.Throws<Sec0ConfigException>(() => GatewayConfigLoader.Load(path, Env));

        Assert.Contains("keep them in one place", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_control_plane_policy_decides_and_its_refreshes_reach_the_running_gateway()
    {
        await using var controlPlane = await ReferenceControlPlane.StartAsync();
        controlPlane.SetPolicy("tenant: demo\n", nodeId: "edge");
        await using var upstream = await TestServers.LegacyToolTestServer.StartAsync();
        var path = Write(
            $"""
              port: 0
              targets:
                legacy: {upstream.Url}
              authn: {"{"} allowUnauthenticated: true {"}"}
            """,
            extra: $"""
            policy: {"{"} source: control-plane, level: gateway, nodeId: edge, refreshTtlMs: 1000 {"}"}
            auth: {"{"} sec0ApiKey: {controlPlane.ApiKey} {"}"}
            """);
        File.WriteAllText(path, File.ReadAllText(path).Replace("  appenderDir:", $"  apiBaseUrl: {controlPlane.BaseUrl.AbsoluteUri}\n  appenderDir:", StringComparison.Ordinal));

        const string deny = "tenant: demo\ntools:\n  allowlist: [\"mcp://other/*@*\"]\nenforcement:\n  deny_on: [tool_not_in_allowlist]\n";
        await using (var gateway = await Sec0Gateway.StartAsync(path))
        {
            using var http = new HttpClient { BaseAddress = gateway.Url };
            async Task<HttpStatusCode> CallAsync()
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "mcp/legacy/echo@1.0.0") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
                request.Headers.Add("x-idempotency-key", Guid.NewGuid().ToString("N"));
                using var response = await http.SendAsync(request);
                return response.StatusCode;
            }

            Assert.Equal(HttpStatusCode.OK, await CallAsync());
            Assert.Contains(controlPlane.Requests, r => r.PathAndQuery == "/api/policy/demo?level=gateway&nodeId=edge");

            // The control plane now allows only another server: the gateway's background refresh picks it up.
            controlPlane.SetPolicy(deny, nodeId: "edge");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            var status = HttpStatusCode.OK;
            while (status == HttpStatusCode.OK && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
                status = await CallAsync();
            }

            Assert.Equal(HttpStatusCode.Forbidden, status);
        }

        // The allowed and the denied requests name the policy that decided each.
        var lines = Directory.GetFiles(_directory.Combine(".sec0", "gateway-logs"), "audit-*.ndjson").SelectMany(File.ReadAllLines).Where(l => l.Contains("\"tool_ref\"", StringComparison.Ordinal)).ToList();
        string Hash(string yaml) => "\"policy_hash\":\"" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(yaml.Trim()))) + "\"";
        Assert.Contains(lines, l => l.Contains("\"status\":\"ok\"", StringComparison.Ordinal) && l.Contains(Hash("tenant: demo\n"), StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("\"denial_reason\":\"tool_not_in_allowlist\"", StringComparison.Ordinal) && l.Contains(Hash(deny), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Gateway_escalations_are_mirrored_and_the_control_plane_can_approve_them()
    {
        await using var controlPlane = await ReferenceControlPlane.StartAsync();
        await using var upstream = await TestServers.LegacyToolTestServer.StartAsync();
        File.WriteAllText(_directory.Combine("policy.yaml"), """
            tenant: demo
            tools:
              allowlist: ["mcp://other/*@*"]
            security:
              side_effects:
                approve_high_risk: true
                human_escalation: { approval_set_id: ops }
            enforcement:
              deny_on: [tool_not_in_allowlist]
            """);
        var path = Write(
            $"""
              port: 0
              targets:
                legacy: {upstream.Url}
              authn: {"{"} allowUnauthenticated: true {"}"}
            """,
            extra: $"""
            policy: ./policy.yaml
            auth: {"{"} sec0ApiKey: {controlPlane.ApiKey} {"}"}
            approvals:
              groups:
                ops: [{"{"} user: olga, roles: [ops] {"}"}]
            """);
        File.WriteAllText(path, File.ReadAllText(path).Replace("  appenderDir:", $"  apiBaseUrl: {controlPlane.BaseUrl.AbsoluteUri}\n  escalations: mirror\n  appenderDir:", StringComparison.Ordinal));

        await using var gateway = await Sec0Gateway.StartAsync(path);
        using var http = new HttpClient { BaseAddress = gateway.Url };
        using var request = new HttpRequestMessage(HttpMethod.Post, "mcp/legacy/echo@1.0.0") { Content = new StringContent("{\"secret\":\"s3cr3t-value\"}", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("x-idempotency-key", "mirror-1");
        request.Headers.Add("x-node-id", "order-agent");
        using var denied = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        var id = System.Text.Json.JsonDocument.Parse(await denied.Content.ReadAsStringAsync()).RootElement.GetProperty("escalation_id").GetString()!;

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (controlPlane.Escalations.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var (remoteId, reported) = controlPlane.Escalations.Single();
        Assert.Equal(id, reported.Body.GetProperty("metadata").GetProperty("local_escalation_id").GetString());
        Assert.Equal("gateway", reported.Body.GetProperty("metadata").GetProperty("layer").GetString());
        Assert.DoesNotContain("s3cr3t-value", reported.Body.GetRawText(), StringComparison.Ordinal);

        controlPlane.SetEscalationStatus(remoteId, "approved");
        var status = "pending";
        while (status == "pending" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            using var poll = new HttpRequestMessage(HttpMethod.Get, "approvals/" + id);
            poll.Headers.Add("x-node-id", "order-agent");
            using var answer = await http.SendAsync(poll);
            status = System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("escalation_status").GetString()!;
        }

        Assert.Equal("approved", status);
    }

    [Fact]
    public void Inline_policy_and_a_control_plane_policy_at_once_are_refused()
    {
        var path = Write("  targets: { a: http://127.0.0.1:1 }\n  enforcement: { mode: enforce }\n", extra: "policy: { source: control-plane }");

        var error = Assert.Throws<Sec0ConfigException>(() => GatewayConfigLoader.Load(path, Env));

        Assert.Contains("also names the control plane's policy: keep them in one place", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quotas_without_a_store_stop_start_up_with_the_sec0_text()
    {
        var path = Write("""
              port: 0
              targets: { a: http://127.0.0.1:1 }
              authn: { allowUnauthenticated: true }
              entitlements:
                plans: { free: { calls_per_day: 5 } }
                default_plan: free
                tenants: { demo: { allowlist: ["mcp://a/*@*"] } }
            """);

        var error = await Assert.ThrowsAsync<Sec0GatewayOptionsException>(() => Sec0Gateway.StartAsync(path));

        Assert.StartsWith("[sec0-gateway] quotas adapter required: use the in-memory store for development", error.Message, StringComparison.Ordinal);

        // The failed start released the audit folder: a second start may open it.
        File.WriteAllText(path, File.ReadAllText(path).Replace("tenants:", "", StringComparison.Ordinal).Replace("{ demo: { allowlist: [\"mcp://a/*@*\"] } }", "{}", StringComparison.Ordinal));
        var options = GatewayConfigLoader.Load(path, Env);
        await DisposeOwnedAsync(options);
    }

    [Fact]
    public async Task An_app_without_an_audit_appender_fails_when_the_host_starts_not_at_the_first_request()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSec0Gateway(o =>
        {
            o.Tenant = "demo";
            o.Targets["a"] = new GatewayTarget { Kind = GatewayTargetKind.LegacyHttp, Url = new Uri("http://127.0.0.1:1") };
        });
        await using var app = builder.Build();
        app.MapSec0Gateway();

        var error = await Assert.ThrowsAsync<Sec0GatewayOptionsException>(() => app.StartAsync());

        Assert.StartsWith("[sec0-gateway] an audit appender is required", error.Message, StringComparison.Ordinal);
    }
}
