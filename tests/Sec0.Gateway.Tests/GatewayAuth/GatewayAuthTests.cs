using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Sec0.Gateway.Auth;
using Sec0.Gateway.Entitlements;
using Sec0.Gateway.Tests.Fuzz;
using Sec0.Gateway.Tests.Gateway;
using Sec0.Gateway.Tests.TestServers;
using Sec0.Gateway.Upstreams;
using Sec0.Policy;

namespace Sec0.Gateway.Tests.GatewayAuth;

/// <summary>
/// Authentication through a real gateway: service tokens and OIDC JWTs (against a local issuer), what a refusal looks
/// like, who the envelope names (or a hash of it), and entitlements per user and role. Every request leaves one
/// envelope and the log verifies.
/// </summary>
public sealed class GatewayAuthTests : IAsyncLifetime
{
    private static readonly byte[] s_secret = RandomNumberGenerator.GetBytes(32);

    private TestOidcIssuer _issuer = null!;
    private McpHttpTestServer _upstream = null!;
    private GatewayHarness? _gateway;

    public async Task InitializeAsync()
    {
        _issuer = await TestOidcIssuer.StartAsync();
        _upstream = await McpHttpTestServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        await _upstream.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    private async Task<GatewayHarness> StartAsync(Action<Sec0GatewayOptions>? configure = null)
    {
        _gateway = await GatewayHarness.StartAsync(o =>
        {
            o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = _upstream.Url };
            o.CredentialValidators.Add(ServiceTokenValidator.FromBase64Secret(Convert.ToBase64String(s_secret)));
            o.CredentialValidators.Add(new OidcJwtValidator(new OidcJwtValidatorOptions
            {
                Issuer = _issuer.Issuer,
                Audience = TestOidcIssuer.Audience,
                MetadataAddress = _issuer.MetadataAddress,
            }));
            configure?.Invoke(o);
        });
        return _gateway;
    }

    private static string ServiceToken(string tenant = "acme", string? user = "svc-orders", IEnumerable<string>? roles = null, TimeSpan? expiresIn = null)
        => ServiceTokenValidator.Issue(s_secret, tenant, user, roles, DateTimeOffset.UtcNow.Add(expiresIn ?? TimeSpan.FromMinutes(10)));

    private static Task<HttpResponseMessage> Call(GatewayHarness gateway, string? token, Action<HttpRequestMessage>? configure = null)
        => gateway.PostAsync("mcp/tools/echo@1.0.0", """{"q":1}""", configure: r =>
        {
            if (token is not null)
            {
                GatewayHarness.SetBearer(r, token);
            }

            configure?.Invoke(r);
        });

    private static async Task<JsonElement> AssertOkAsync(GatewayHarness gateway, HttpResponseMessage response, string user)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        GatewayHarness.AssertTraceHeaders(response);
        var e = await AuditWait.EnvelopeAsync(gateway, response);
        Assert.Equal(200, e.GetProperty("http_status").GetInt32());
        Assert.Equal("ok", e.GetProperty("status").GetString());
        Assert.Equal(GatewayHarness.Tenant, e.GetProperty("tenant").GetString());
        Assert.Equal(user, e.GetProperty("user").GetString());
        return e;
    }

    private static async Task<JsonElement> AssertUnauthenticatedAsync(GatewayHarness gateway, HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        GatewayHarness.AssertTraceHeaders(response);
        Assert.Equal("Bearer", GatewayHarness.Header(response, "WWW-Authenticate"));
        Assert.Equal("""{"error":"UNAUTHENTICATED","message":"UNAUTHENTICATED: missing or invalid credentials"}""", await response.Content.ReadAsStringAsync());
        var e = await AuditWait.EnvelopeAsync(gateway, response);
        Assert.Equal(401, e.GetProperty("http_status").GetInt32());
        Assert.Equal("error", e.GetProperty("status").GetString());
        Assert.Equal("unauthenticated", e.GetProperty("denial_reason").GetString());
        Assert.False(e.TryGetProperty("user", out var user) && user.ValueKind == JsonValueKind.String, "a refused caller has no user in the envelope");
        return e;
    }

    private static void AssertIntact(GatewayHarness gateway)
    {
        var report = gateway.Verify();
        Assert.True(report.IsIntact, string.Join("\n", report.Problems));
    }

    [Fact]
    public async Task A_valid_service_token_is_a_200_and_the_envelope_names_its_tenant_and_user()
    {
        var gateway = await StartAsync();

        using var response = await Call(gateway, ServiceToken(user: "svc-orders"));

        await AssertOkAsync(gateway, response, "svc-orders");
        AssertIntact(gateway);
    }

    [Fact]
    public async Task A_missing_authorization_is_a_401_with_the_sec0_text_trace_headers_and_www_authenticate()
    {
        var gateway = await StartAsync();

        using var response = await Call(gateway, token: null);

        await AssertUnauthenticatedAsync(gateway, response);
        Assert.Empty(_upstream.PostHeaders);
        AssertIntact(gateway);
    }

    [Fact]
    public async Task An_expired_or_tampered_service_token_is_a_401()
    {
        var gateway = await StartAsync();
        var valid = ServiceToken(user: "svc-orders");
        var dot = valid.IndexOf('.', StringComparison.Ordinal);
        var payload = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(valid.AsSpan(0, dot)));
        var tamperedPayload = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.Replace("svc-orders", "svc-admin", StringComparison.Ordinal)));
        var flipped = valid[..^2] + (valid[^2] == 'A' ? 'B' : 'A') + valid[^1];
        string[] tokens =
        [
            ServiceToken(expiresIn: TimeSpan.FromMinutes(-10)),
            tamperedPayload + valid[dot..],
            flipped,
            ServiceTokenValidator.Issue(RandomNumberGenerator.GetBytes(32), "acme", "svc-orders", null, DateTimeOffset.UtcNow.AddMinutes(10)),
        ];

        foreach (var token in tokens)
        {
            using var response = await Call(gateway, token);
            await AssertUnauthenticatedAsync(gateway, response);
        }

        Assert.Empty(_upstream.PostHeaders);
        AssertIntact(gateway);
    }

    [Fact]
    public async Task A_token_of_one_tenant_with_x_tenant_naming_another_is_a_401()
    {
        var gateway = await StartAsync();

        using var response = await Call(gateway, ServiceToken(tenant: "acme"), r => r.Headers.TryAddWithoutValidation("x-tenant", "globex"));
        using var matching = await Call(gateway, ServiceToken(tenant: "acme"), r => r.Headers.TryAddWithoutValidation("x-tenant", "acme"));

        await AssertUnauthenticatedAsync(gateway, response);
        await AssertOkAsync(gateway, matching, "svc-orders");
        AssertIntact(gateway);
    }

    [Fact]
    public async Task Two_authorization_headers_are_a_401_even_when_both_are_valid()
    {
        var gateway = await StartAsync();
        var port = gateway.Gateway.Url.Port;
        var raw = Encoding.ASCII.GetBytes($"POST /mcp/tools/echo@1.0.0 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nx-idempotency-key: two-auth\r\n"
            + $"Authorization: Bearer {ServiceToken(user: "svc-a")}\r\nAuthorization: Bearer {ServiceToken(user: "svc-b")}\r\n"
            + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");

        var response = await RawHttp.SendAsync(port, raw, halfClose: false, TimeSpan.FromSeconds(15));

        Assert.NotNull(response);
        Assert.Equal(401, response.Status);
        Assert.Equal("Bearer", response.Header("WWW-Authenticate"));
        Assert.Equal("""{"error":"UNAUTHENTICATED","message":"UNAUTHENTICATED: missing or invalid credentials"}""", Encoding.UTF8.GetString(response.Body));
        var e = await AuditWait.EnvelopeAsync(gateway, response.Header("x-trace-id"), response.Header("x-span-id"));
        Assert.Equal(401, e.GetProperty("http_status").GetInt32());
        Assert.Empty(_upstream.PostHeaders);
        AssertIntact(gateway);
    }

    [Fact]
    public async Task A_valid_oidc_jwt_is_a_200_and_the_envelope_names_its_user()
    {
        var gateway = await StartAsync();

        using var response = await Call(gateway, _issuer.Token("alice@example.com"));

        await AssertOkAsync(gateway, response, "alice@example.com");
        AssertIntact(gateway);
    }

    [Fact]
    public async Task An_invalid_jwt_is_a_401_never_a_500()
    {
        var gateway = await StartAsync();
        using var otherKey = RSA.Create(2048);
        var invalid = new Dictionary<string, string>
        {
            ["wrong key, same kid"] = _issuer.Token("alice", signWith: otherKey),
            ["wrong key, unknown kid"] = _issuer.Token("alice", signWith: otherKey, kid: "other"),
            ["expired"] = _issuer.Token("alice", expiresIn: TimeSpan.FromMinutes(-10)),
            ["alg none"] = _issuer.Token("alice", alg: "none"),
            ["alg none, no kid"] = _issuer.Token("alice", alg: "none", kid: null),
            ["HS256 header on an RSA signature"] = _issuer.Token("alice", alg: "HS256"),
            ["wrong audience"] = _issuer.Token("alice", edit: c => c["aud"] = "someone-else"),
            ["wrong issuer"] = _issuer.Token("alice", edit: c => c["iss"] = "http://127.0.0.1:1"),
            ["no exp"] = _issuer.Token("alice", edit: c => c.Remove("exp")),
            ["no tenant"] = _issuer.Token("alice", edit: c => c.Remove("tenant")),
            ["tenant not a string"] = _issuer.Token("alice", edit: c => c["tenant"] = new[] { "acme", "globex" }),
            ["not yet valid"] = _issuer.Token("alice", edit: c => c["nbf"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()),
            ["garbage parts"] = "a.b.c",
            ["empty signature"] = string.Join('.', _issuer.Token("alice").Split('.')[..2]) + ".",
        };

        foreach (var (name, token) in invalid)
        {
            using var response = await Call(gateway, token);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{name}: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await AssertUnauthenticatedAsync(gateway, response);
        }

        Assert.Empty(_upstream.PostHeaders);
        AssertIntact(gateway);
    }

    [Fact]
    public async Task The_jwks_is_fetched_once_for_many_requests()
    {
        var gateway = await StartAsync();

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Call(gateway, _issuer.Token($"user-{i}"))));
        for (var i = 0; i < 10; i++)
        {
            using var response = await Call(gateway, _issuer.Token($"later-{i}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.All(concurrent, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, _issuer.DiscoveryFetches);
        Assert.Equal(1, _issuer.JwksFetches);
        var e = await AuditWait.EnvelopeAsync(gateway, concurrent[7]);
        Assert.Equal("user-7", e.GetProperty("user").GetString());
        foreach (var r in concurrent)
        {
            r.Dispose();
        }

        AssertIntact(gateway);
    }

    [Fact]
    public async Task With_redacted_identities_the_envelope_holds_hashes_of_the_user_and_node_not_the_names()
    {
        var gateway = await StartAsync(o => o.RedactIdentities = true);

        using var response = await Call(gateway, _issuer.Token("alice@example.com"), r => r.Headers.TryAddWithoutValidation("x-node-id", "order-agent"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var e = await AuditWait.EnvelopeAsync(gateway, response);
        var user = e.GetProperty("user").GetString()!;
        var node = e.GetProperty("nodeId").GetString()!;
        Assert.Matches("^sha256:[0-9a-f]{64}$", user);
        Assert.Matches("^sha256:[0-9a-f]{64}$", node);
        Assert.Equal("sha256:" + GatewayHarness.Sha256(Encoding.UTF8.GetBytes("alice@example.com")), user);
        Assert.Equal("sha256:" + GatewayHarness.Sha256(Encoding.UTF8.GetBytes("order-agent")), node);
        var line = e.GetRawText();
        Assert.DoesNotContain("alice", line, StringComparison.Ordinal);
        Assert.DoesNotContain("order-agent", line, StringComparison.Ordinal);
        AssertIntact(gateway);
    }

    [Fact]
    public async Task Entitlements_per_user_and_role_allow_alice_and_the_ops_role_and_refuse_bob()
    {
        var gateway = await StartAsync(o =>
        {
            o.Entitlements = new GatewayEntitlements
            {
                DefaultPlan = "free",
                Plans = new Dictionary<string, long?> { ["free"] = null },
                Tenants = new Dictionary<string, TenantEntitlement>
                {
                    [GatewayHarness.Tenant] = new()
                    {
                        Allowlist = [],
                        Users = new Dictionary<string, PrincipalEntitlement> { ["alice"] = new() { Allowlist = [ToolRefPattern.Parse("mcp://tools/echo@*")] } },
                        Roles = new Dictionary<string, PrincipalEntitlement> { ["ops"] = new() { Allowlist = [ToolRefPattern.Parse("mcp://tools/echo@*")] } },
                    },
                },
            };
            o.Policy = PolicyLoader.Parse("tenant: acme\nenforcement: { mode: enforce, deny_on: [tool_not_in_allowlist] }\n", "p.yaml");
        });

        using var alice = await Call(gateway, ServiceToken(user: "alice"));
        using var aliceJwt = await Call(gateway, _issuer.Token("alice"));
        using var carol = await Call(gateway, _issuer.Token("carol", edit: c => c["roles"] = new[] { "ops" }));
        using var bob = await Call(gateway, ServiceToken(user: "bob", roles: ["dev"]));

        await AssertOkAsync(gateway, alice, "alice");
        await AssertOkAsync(gateway, aliceJwt, "alice");
        await AssertOkAsync(gateway, carol, "carol");
        Assert.Equal(HttpStatusCode.Forbidden, bob.StatusCode);
        GatewayHarness.AssertTraceHeaders(bob);
        var body = await GatewayHarness.JsonAsync(bob);
        Assert.Equal("TOOL_NOT_ALLOWED", body.GetProperty("error").GetString());
        Assert.Equal("TOOL_NOT_ALLOWED: add mcp://tools/echo@1.0.0 to tenant 'acme' allowlist", body.GetProperty("message").GetString());
        Assert.Equal("tool_not_in_allowlist", body.GetProperty("denial_reason").GetString());
        var e = await AuditWait.EnvelopeAsync(gateway, bob);
        Assert.Equal(403, e.GetProperty("http_status").GetInt32());
        Assert.Equal("bob", e.GetProperty("user").GetString());
        Assert.Equal("deny", e.GetProperty("policy").GetProperty("decision").GetString());
        Assert.Equal("tool_not_in_allowlist", e.GetProperty("denial_reason").GetString());
        Assert.Equal(3, _upstream.PostHeaders.Count(h => h.ContainsKey("x-idempotency-key")));
        AssertIntact(gateway);
    }
}
