using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Sec0.Gateway.Auth;

namespace Sec0.Gateway.Tests.Auth;

public sealed class OidcJwtValidatorTests : IAsyncLifetime
{
    private LocalOidcIssuer _issuer = null!;

    public async Task InitializeAsync() => _issuer = await LocalOidcIssuer.StartAsync();

    public async Task DisposeAsync() => await _issuer.DisposeAsync();

    private OidcJwtValidator Validator(Action<OidcJwtValidatorOptions>? configure = null)
    {
        var options = new OidcJwtValidatorOptions { Issuer = _issuer.Issuer, Audience = "sec0-gateway", JwksUri = _issuer.JwksUri };
        configure?.Invoke(options);
        return new OidcJwtValidator(options);
    }

    [Fact]
    public async Task Valid_token_gives_tenant_user_and_roles()
    {
        using var validator = Validator();
        var token = _issuer.CreateToken();

        Assert.True(validator.CanValidate(token));
        var result = await validator.ValidateAsync(token, default);

        Assert.True(result.Succeeded, result.Failure);
        var principal = result.Principal!;
        Assert.Equal("acme", principal.Tenant);
        Assert.Equal("alice", principal.User);
        Assert.Equal(["reader", "writer"], principal.Roles);
        Assert.Equal(GatewayCredentialKind.OidcJwt, principal.Kind);
        Assert.NotNull(principal.ExpiresAt);
        Assert.True(principal.ExpiresAt > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Es256_token_is_accepted()
    {
        using var validator = Validator();
        var token = _issuer.CreateToken(credentials: new SigningCredentials(_issuer.EcKey, SecurityAlgorithms.EcdsaSha256));

        var result = await validator.ValidateAsync(token, default);

        Assert.True(result.Succeeded, result.Failure);
    }

    [Fact]
    public async Task Keys_are_fetched_once_across_twenty_validations()
    {
        using var validator = Validator();
        var tokens = Enumerable.Range(0, 20).Select(i => _issuer.CreateToken(d => d.Claims["sub"] = "user" + i)).ToList();

        // Ten at once first: concurrent first requests must share one fetch too.
        var first = await Task.WhenAll(tokens.Take(10).Select(t => validator.ValidateAsync(t, default).AsTask()));
        foreach (var token in tokens.Skip(10))
        {
            Assert.True((await validator.ValidateAsync(token, default)).Succeeded);
        }

        Assert.All(first, r => Assert.True(r.Succeeded, r.Failure));
        Assert.Equal(1, _issuer.JwksFetches);
    }

    [Fact]
    public async Task Discovery_document_is_followed_to_the_keys_and_both_are_cached()
    {
        using var validator = Validator(o =>
        {
            o.JwksUri = null;
            o.MetadataAddress = _issuer.MetadataAddress;
        });

        for (var i = 0; i < 5; i++)
        {
            var result = await validator.ValidateAsync(_issuer.CreateToken(), default);
            Assert.True(result.Succeeded, result.Failure);
        }

        Assert.Equal(1, _issuer.MetadataFetches);
        Assert.Equal(1, _issuer.JwksFetches);
    }

    [Fact]
    public async Task Wrong_issuer_fails()
    {
        using var validator = Validator();

        var result = await validator.ValidateAsync(_issuer.CreateToken(d => d.Issuer = "https://evil.example"), default);

        Assert.False(result.Succeeded);
        Assert.Contains("issuer", result.Failure);
    }

    [Fact]
    public async Task Wrong_audience_fails()
    {
        using var validator = Validator();

        var result = await validator.ValidateAsync(_issuer.CreateToken(d => d.Audience = "someone-else"), default);

        Assert.False(result.Succeeded);
        Assert.Contains("audience", result.Failure);
    }

    [Fact]
    public async Task Expired_token_fails()
    {
        using var validator = Validator();
        var token = _issuer.CreateToken(d =>
        {
            d.IssuedAt = DateTime.UtcNow.AddMinutes(-30);
            d.NotBefore = DateTime.UtcNow.AddMinutes(-30);
            d.Expires = DateTime.UtcNow.AddMinutes(-5);
        });

        var result = await validator.ValidateAsync(token, default);

        Assert.False(result.Succeeded);
        Assert.Contains("expired", result.Failure);
    }

    [Fact]
    public async Task Lifetime_is_read_from_the_configured_clock()
    {
        var clock = new TestClock(DateTimeOffset.UtcNow);
        using var validator = Validator(o => o.TimeProvider = clock);
        var token = _issuer.CreateToken();

        Assert.True((await validator.ValidateAsync(token, default)).Succeeded);
        clock.Now = clock.Now.AddMinutes(10).AddSeconds(30);
        Assert.True((await validator.ValidateAsync(token, default)).Succeeded, "within the 60 s skew");
        clock.Now = clock.Now.AddSeconds(31);
        Assert.Contains("expired", (await validator.ValidateAsync(token, default)).Failure);
    }

    [Fact]
    public async Task Unsigned_alg_none_token_fails()
    {
        using var validator = Validator();
        var token = _issuer.CreateToken(sign: false);
        Assert.EndsWith(".", token);

        Assert.True(validator.CanValidate(token));
        var result = await validator.ValidateAsync(token, default);

        Assert.False(result.Succeeded);
        Assert.Contains("algorithm is not allowed", result.Failure);
    }

    [Fact]
    public async Task Rs384_is_not_an_accepted_algorithm()
    {
        using var validator = Validator();
        var token = _issuer.CreateToken(credentials: new SigningCredentials(_issuer.RsaKey, SecurityAlgorithms.RsaSha384));

        var result = await validator.ValidateAsync(token, default);

        Assert.Contains("algorithm is not allowed", result.Failure);
    }

    [Fact]
    public async Task Hs256_signed_with_the_public_key_fails()
    {
        using var validator = Validator();
        // The classic confusion attack: HMAC keyed with bytes anyone can read from the JWKS.
        var publicKeyBytes = _issuer.Rsa.ExportSubjectPublicKeyInfo();
        var hmacKey = new SymmetricSecurityKey(publicKeyBytes) { KeyId = LocalOidcIssuer.RsaKeyId };
        var token = _issuer.CreateToken(credentials: new SigningCredentials(hmacKey, SecurityAlgorithms.HmacSha256));

        var result = await validator.ValidateAsync(token, default);

        Assert.False(result.Succeeded);
        Assert.Contains("algorithm is not allowed", result.Failure);
    }

    [Fact]
    public async Task Token_signed_by_another_key_fails()
    {
        using var validator = Validator();
        using var otherRsa = RSA.Create(2048);
        var sameKid = new RsaSecurityKey(otherRsa) { KeyId = LocalOidcIssuer.RsaKeyId };
        var unknownKid = new RsaSecurityKey(otherRsa) { KeyId = "not-published" };

        var withSameKid = await validator.ValidateAsync(_issuer.CreateToken(credentials: new SigningCredentials(sameKid, SecurityAlgorithms.RsaSha256)), default);
        var withUnknownKid = await validator.ValidateAsync(_issuer.CreateToken(credentials: new SigningCredentials(unknownKid, SecurityAlgorithms.RsaSha256)), default);

        Assert.False(withSameKid.Succeeded);
        Assert.False(withUnknownKid.Succeeded);
        Assert.Contains("signature", withSameKid.Failure);
        Assert.Contains("key the issuer does not publish", withUnknownKid.Failure);
    }

    [Fact]
    public async Task Unknown_keys_cannot_make_the_gateway_fetch_on_every_request()
    {
        using var validator = Validator();
        using var otherRsa = RSA.Create(2048);
        var unknownKid = new RsaSecurityKey(otherRsa) { KeyId = "not-published" };
        var token = _issuer.CreateToken(credentials: new SigningCredentials(unknownKid, SecurityAlgorithms.RsaSha256));

        for (var i = 0; i < 20; i++)
        {
            Assert.False((await validator.ValidateAsync(token, default)).Succeeded);
        }

        // One initial fetch plus at most one refresh asked for by the unknown key (then throttled for 5 minutes).
        await Task.Delay(200);
        Assert.InRange(_issuer.JwksFetches, 1, 2);
    }

    [Fact]
    public async Task Tenant_falls_back_to_tid()
    {
        using var validator = Validator();
        var token = _issuer.CreateToken(d =>
        {
            d.Claims.Remove("tenant");
            d.Claims["tid"] = "contoso";
        });

        var result = await validator.ValidateAsync(token, default);

        Assert.True(result.Succeeded, result.Failure);
        Assert.Equal("contoso", result.Principal!.Tenant);
    }

    [Fact]
    public async Task Token_without_a_tenant_fails()
    {
        using var validator = Validator();
        var token = _issuer.CreateToken(d => d.Claims.Remove("tenant"));

        var result = await validator.ValidateAsync(token, default);

        Assert.False(result.Succeeded);
        Assert.Contains("no 'tenant' claim", result.Failure);
    }

    [Fact]
    public async Task Configured_claim_names_are_used()
    {
        using var validator = Validator(o =>
        {
            o.TenantClaim = "org";
            o.UserClaim = "email";
            o.RolesClaim = "groups";
        });
        var token = _issuer.CreateToken(d =>
        {
            d.Claims["org"] = "initech";
            d.Claims["email"] = "bob@initech.example";
            d.Claims["groups"] = "admins";
        });

        var result = await validator.ValidateAsync(token, default);

        Assert.True(result.Succeeded, result.Failure);
        Assert.Equal("initech", result.Principal!.Tenant);
        Assert.Equal("bob@initech.example", result.Principal.User);
        Assert.Equal(["admins"], result.Principal.Roles);
    }

    [Fact]
    public async Task Failing_key_fetch_gives_a_failure_not_an_exception()
    {
        _issuer.FailJwks = true;
        using var validator = Validator();

        var result = await validator.ValidateAsync(_issuer.CreateToken(), default);

        Assert.False(result.Succeeded);
        Assert.Contains("could not be fetched", result.Failure);
    }

    [Fact]
    public async Task Unreachable_issuer_gives_a_failure_not_an_exception()
    {
        using var validator = Validator(o => o.JwksUri = new Uri("http://127.0.0.1:1/jwks"));

        var result = await validator.ValidateAsync(_issuer.CreateToken(), default);

        Assert.False(result.Succeeded);
        Assert.Contains("could not be fetched", result.Failure);
    }

    [Fact]
    public void Plain_http_is_refused_for_a_remote_issuer()
    {
        Assert.Throws<ArgumentException>(() => Validator(o => o.JwksUri = new Uri("http://issuer.example/jwks")));
        using var https = Validator(o => o.JwksUri = new Uri("https://issuer.example/jwks"));
        using var localhost = Validator(o => o.JwksUri = new Uri("http://localhost:8080/jwks"));
    }

    [Theory]
    [InlineData("a.b")]
    [InlineData("a.b.c.d.e")]
    [InlineData(".b.c")]
    [InlineData("abc")]
    public void Tokens_without_three_parts_are_not_taken(string token)
    {
        using var validator = Validator();

        Assert.False(validator.CanValidate(token));
    }

    [Fact]
    public async Task Malformed_jwt_fails_without_throwing()
    {
        using var validator = Validator();

        var result = await validator.ValidateAsync("eyJhbGciOiJSUzI1NiJ9.not-json.c2ln", default);

        Assert.False(result.Succeeded);
        Assert.Contains("malformed", result.Failure);
    }

    [Fact]
    public void Token_handler_writes_the_claims_the_tests_rely_on()
    {
        // Guards the helper: the roles array must reach the token as an array, not as one string.
        var jwt = new JsonWebToken(_issuer.CreateToken());

        Assert.Equal(2, jwt.Claims.Count(c => c.Type == "roles"));
        Assert.Equal("RS256", jwt.Alg);
    }
}
