namespace Sec0.Gateway.Auth;

/// <summary>Temporary until the validators land.</summary>
internal static class GatewayValidatorFactory
{
    public static IGatewayCredentialValidator ServiceToken(string secret, TimeSpan skew, TimeProvider time, string yamlPath) => throw new NotImplementedException(secret + skew + time + yamlPath);

    public static IGatewayCredentialValidator Oidc(string issuer, string audience, string jwksUri, string? tenantClaim, string? userClaim, string? rolesClaim, TimeProvider time, string yamlPath) => throw new NotImplementedException(issuer + audience + jwksUri + tenantClaim + userClaim + rolesClaim + time + yamlPath);
}
