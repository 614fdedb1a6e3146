using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Sec0.Gateway.Tests.Auth;

/// <summary>
/// A real OIDC issuer on 127.0.0.1 (Kestrel, a free port): serves a discovery document and a JWKS with an RSA and
/// an EC key made for the test, counts the fetches, and issues tokens signed with those keys.
/// </summary>
internal sealed class LocalOidcIssuer : IAsyncDisposable
{
    public const string RsaKeyId = "rsa-1";
    public const string EcKeyId = "ec-1";

    private readonly WebApplication _app;
    private int _jwksFetches;
    private int _metadataFetches;

    private LocalOidcIssuer(WebApplication app, RSA rsa, ECDsa ec)
    {
        _app = app;
        Rsa = rsa;
        Ec = ec;
        RsaKey = new RsaSecurityKey(rsa) { KeyId = RsaKeyId };
        EcKey = new ECDsaSecurityKey(ec) { KeyId = EcKeyId };
    }

    public RSA Rsa { get; }

    public ECDsa Ec { get; }

    public RsaSecurityKey RsaKey { get; }

    public ECDsaSecurityKey EcKey { get; }

    public string Issuer { get; private set; } = "";

    public Uri JwksUri => new(Issuer + "/jwks");

    public Uri MetadataAddress => new(Issuer + "/.well-known/openid-configuration");

    public int JwksFetches => Volatile.Read(ref _jwksFetches);

    public int MetadataFetches => Volatile.Read(ref _metadataFetches);

    /// <summary>While true, /jwks answers 500.</summary>
    public bool FailJwks { get; set; }

    public static async Task<LocalOidcIssuer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var issuer = new LocalOidcIssuer(app, RSA.Create(2048), ECDsa.Create(ECCurve.NamedCurves.nistP256));

        app.MapGet("/.well-known/openid-configuration", (HttpContext context) =>
        {
            Interlocked.Increment(ref issuer._metadataFetches);
            return Results.Text(
                $$"""{"issuer":"{{issuer.Issuer}}","jwks_uri":"{{issuer.JwksUri}}","id_token_signing_alg_values_supported":["RS256","ES256"]}""",
                "application/json");
        });
        app.MapGet("/jwks", () =>
        {
            Interlocked.Increment(ref issuer._jwksFetches);
            return issuer.FailJwks
                ? Results.StatusCode(500)
                : Results.Text(issuer.JwksJson(), "application/json");
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        issuer.Issuer = address.TrimEnd('/');
        return issuer;
    }

    public string CreateToken(Action<SecurityTokenDescriptor>? configure = null, SigningCredentials? credentials = null, bool sign = true)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = "sec0-gateway",
            IssuedAt = now,
            NotBefore = now.AddSeconds(-5),
            Expires = now.AddMinutes(10),
            Claims = new Dictionary<string, object>
            {
                ["tenant"] = "acme",
                ["sub"] = "alice",
                ["roles"] = new[] { "reader", "writer" },
            },
            SigningCredentials = sign ? credentials ?? new SigningCredentials(RsaKey, SecurityAlgorithms.RsaSha256) : null,
        };
        configure?.Invoke(descriptor);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    private string JwksJson()
    {
        var rsa = Rsa.ExportParameters(false);
        var ec = Ec.ExportParameters(false);
        return $$"""
            {"keys":[
              {"kty":"RSA","use":"sig","alg":"RS256","kid":"{{RsaKeyId}}","n":"{{Base64UrlEncoder.Encode(rsa.Modulus)}}","e":"{{Base64UrlEncoder.Encode(rsa.Exponent)}}"},
              {"kty":"EC","use":"sig","alg":"ES256","kid":"{{EcKeyId}}","crv":"P-256","x":"{{Base64UrlEncoder.Encode(ec.Q.X)}}","y":"{{Base64UrlEncoder.Encode(ec.Q.Y)}}"}
            ]}
            """;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Rsa.Dispose();
        Ec.Dispose();
    }
}
