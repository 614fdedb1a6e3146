using Microsoft.Extensions.Primitives;
using Sec0.Gateway.Auth;

namespace Sec0.Gateway.Tests.Auth;

public sealed class GatewayAuthenticatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Secret = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();

    private static GatewayAuthenticator WithServiceTokens()
        => new([new ServiceTokenValidator(Secret, null, new TestClock(Now))], "gateway-tenant");

    private static string Token(string tenant = "acme")
        => ServiceTokenValidator.Issue(Secret, tenant, "alice", ["ops"], Now.AddMinutes(5));

    private static GatewayAuthResult Run(GatewayAuthenticator authenticator, StringValues authorization, StringValues tenant = default)
        => authenticator.AuthenticateAsync(authorization, tenant, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    [Fact]
    public void Bearer_service_token_authenticates()
    {
        var result = Run(WithServiceTokens(), "Bearer " + Token());

        Assert.True(result.Succeeded, result.Failure);
        Assert.Equal("acme", result.Principal!.Tenant);
        Assert.Equal(GatewayCredentialKind.ServiceToken, result.Principal.Kind);
    }

    [Theory]
    [InlineData("bearer ")]
    [InlineData("BEARER ")]
    [InlineData("BeArEr ")]
    public void Scheme_is_case_insensitive(string prefix)
    {
        Assert.True(Run(WithServiceTokens(), prefix + Token()).Succeeded);
    }

    [Fact]
    public void Matching_x_tenant_is_accepted()
    {
        Assert.True(Run(WithServiceTokens(), "Bearer " + Token(), "acme").Succeeded);
    }

    [Fact]
    public void X_tenant_mismatch_fails()
    {
        var result = Run(WithServiceTokens(), "Bearer " + Token(), "other");

        Assert.False(result.Succeeded);
        Assert.Contains("x-tenant header does not match the credential's tenant", result.Failure);
    }

    [Fact]
    public void X_tenant_differing_only_in_case_fails()
    {
        Assert.False(Run(WithServiceTokens(), "Bearer " + Token(), "ACME").Succeeded);
    }

    [Fact]
    public void Repeated_x_tenant_fails()
    {
        var result = Run(WithServiceTokens(), "Bearer " + Token(), new StringValues(["acme", "acme"]));

        Assert.Contains("x-tenant header is repeated", result.Failure);
    }

    [Fact]
    public void Missing_authorization_fails()
    {
        var result = Run(WithServiceTokens(), StringValues.Empty);

        Assert.False(result.Succeeded);
        Assert.Contains("missing", result.Failure);
    }

    [Fact]
    public void Basic_scheme_fails()
    {
        var result = Run(WithServiceTokens(), "Basic " + Convert.ToBase64String("user:pass"u8.ToArray()));

        Assert.False(result.Succeeded);
        Assert.Contains("must be 'Bearer <token>'", result.Failure);
    }

    [Fact]
    public void Two_authorization_headers_fail()
    {
        var token = "Bearer " + Token();

        var result = Run(WithServiceTokens(), new StringValues([token, token]));

        Assert.False(result.Succeeded);
        Assert.Contains("repeated", result.Failure);
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer  x.y")]
    [InlineData("Bearerx.y")]
    [InlineData("Bearer x.y extra")]
    public void Malformed_bearer_fails(string header)
    {
        Assert.False(Run(WithServiceTokens(), header).Succeeded);
    }

    [Fact]
    public void Double_space_after_bearer_fails_even_with_a_valid_token()
    {
        Assert.False(Run(WithServiceTokens(), "Bearer  " + Token()).Succeeded);
    }

    [Fact]
    public void Token_no_validator_takes_fails()
    {
        var result = Run(WithServiceTokens(), "Bearer opaque-token");

        Assert.Contains("not in any accepted format", result.Failure);
    }

    [Fact]
    public void Invalid_token_failure_is_passed_on()
    {
        var wrong = ServiceTokenValidator.Issue(new byte[32], "acme", null, null, Now.AddMinutes(5));

        var result = Run(WithServiceTokens(), "Bearer " + wrong);

        Assert.Contains("signature does not match", result.Failure);
    }

    [Fact]
    public void First_validator_that_takes_the_shape_is_used()
    {
        var jwtLike = new RecordingValidator(t => t.Count(c => c == '.') == 2, "jwt-tenant");
        var serviceLike = new RecordingValidator(t => t.Count(c => c == '.') == 1, "svc-tenant");
        var authenticator = new GatewayAuthenticator([jwtLike, serviceLike], "gateway-tenant");

        var result = Run(authenticator, "Bearer a.b");

        Assert.Equal("svc-tenant", result.Principal!.Tenant);
        Assert.Equal(0, jwtLike.Validations);
        Assert.Equal(1, serviceLike.Validations);
    }

    [Fact]
    public void Throwing_validator_is_a_failure()
    {
        var authenticator = new GatewayAuthenticator([new RecordingValidator(_ => throw new InvalidOperationException("boom"), "x")], "gateway-tenant");

        var result = Run(authenticator, "Bearer a.b");

        Assert.False(result.Succeeded);
        Assert.Contains("InvalidOperationException", result.Failure);
    }

    [Fact]
    public void Without_validators_every_caller_is_the_gateway_tenant()
    {
        var authenticator = new GatewayAuthenticator([], "gateway-tenant");

        var result = Run(authenticator, StringValues.Empty);

        Assert.True(result.Succeeded);
        Assert.Equal("gateway-tenant", result.Principal!.Tenant);
        Assert.Equal(GatewayCredentialKind.None, result.Principal.Kind);
        Assert.True(Run(authenticator, StringValues.Empty, "gateway-tenant").Succeeded);
    }

    [Fact]
    public void Without_validators_another_x_tenant_fails()
    {
        var result = Run(new GatewayAuthenticator([], "gateway-tenant"), StringValues.Empty, "acme");

        Assert.False(result.Succeeded);
        Assert.Contains("x-tenant", result.Failure);
    }

    [Fact]
    public void Control_characters_in_x_tenant_fail()
    {
        Assert.False(Run(WithServiceTokens(), "Bearer " + Token(), "ac\u0001me").Succeeded);
    }

    private sealed class RecordingValidator(Func<string, bool> canValidate, string tenant) : IGatewayCredentialValidator
    {
        public int Validations { get; private set; }

        public bool CanValidate(string token) => canValidate(token);

        public ValueTask<GatewayAuthResult> ValidateAsync(string token, CancellationToken cancellationToken)
        {
            Validations++;
            return ValueTask.FromResult(GatewayAuthResult.Success(new GatewayPrincipal(tenant, null, [], GatewayCredentialKind.ServiceToken, null)));
        }
    }
}
