using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sec0.Gateway.Tests.GatewayAuth;

/// <summary>
/// A local OIDC issuer: Kestrel on 127.0.0.1 (a free port) serving <c>/.well-known/openid-configuration</c> and a JWKS
/// with an RSA key made for the test, counting how often each is fetched. It also signs tokens with that key.
/// </summary>
internal sealed class TestOidcIssuer : IAsyncDisposable
{
    public const string Audience = "sec0-gateway";
    public const string KeyId = "test-key-1";

    private readonly WebApplication _app;
    private int _discoveryFetches;
    private int _jwksFetches;

    private TestOidcIssuer(WebApplication app, RSA key)
    {
        _app = app;
        Key = key;
    }

    public RSA Key { get; }

    /// <summary>The issuer, <c>http://127.0.0.1:port</c>: every token's <c>iss</c>.</summary>
    public string Issuer { get; private set; } = null!;

    public Uri MetadataAddress => new(Issuer + "/.well-known/openid-configuration");

    public int DiscoveryFetches => Volatile.Read(ref _discoveryFetches);

    public int JwksFetches => Volatile.Read(ref _jwksFetches);

    public static async Task<TestOidcIssuer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var issuer = new TestOidcIssuer(app, RSA.Create(2048));
        app.MapGet("/.well-known/openid-configuration", () =>
        {
            Interlocked.Increment(ref issuer._discoveryFetches);
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = issuer.Issuer,
                ["jwks_uri"] = issuer.Issuer + "/jwks",
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            });
        });
        app.MapGet("/jwks", () =>
        {
            Interlocked.Increment(ref issuer._jwksFetches);
            var p = issuer.Key.ExportParameters(includePrivateParameters: false);
            return Results.Json(new Dictionary<string, object>
            {
                ["keys"] = new[]
                {
                    new Dictionary<string, string>
                    {
                        ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = KeyId,
                        ["n"] = Base64Url.EncodeToString(p.Modulus), ["e"] = Base64Url.EncodeToString(p.Exponent),
                    },
                },
            });
        });
        await app.StartAsync();
        issuer.Issuer = $"http://127.0.0.1:{new Uri(app.Urls.Single()).Port}";
        return issuer;
    }

    /// <summary>A signed RS256 JWT for <paramref name="subject"/> of <paramref name="tenant"/>; <paramref name="edit"/> changes the claims.</summary>
    public string Token(string subject, string tenant = "acme", TimeSpan? expiresIn = null, Action<Dictionary<string, object>>? edit = null, RSA? signWith = null, string? kid = KeyId, string alg = "RS256")
    {
        var now = DateTimeOffset.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["sub"] = subject,
            ["tenant"] = tenant,
            ["iat"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["exp"] = now.Add(expiresIn ?? TimeSpan.FromMinutes(10)).ToUnixTimeSeconds(),
        };
        edit?.Invoke(claims);
        var header = new Dictionary<string, object> { ["alg"] = alg, ["typ"] = "JWT" };
        if (kid is not null)
        {
            header["kid"] = kid;
        }

        var signingInput = Part(header) + "." + Part(claims);
        if (alg == "none")
        {
            return signingInput + ".";
        }

        var signature = (signWith ?? Key).SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    private static string Part(object value) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(value));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Key.Dispose();
    }
}
