using Microsoft.Extensions.Primitives;

namespace Sec0.Gateway.Auth;

/// <summary>Temporary: replaced by the auth work.</summary>
internal sealed class GatewayAuthenticator(IReadOnlyList<IGatewayCredentialValidator> validators, string tenant)
{
    public const string TenantHeader = "x-tenant";

    public ValueTask<GatewayAuthResult> AuthenticateAsync(StringValues authorization, StringValues tenantHeader, CancellationToken cancellationToken)
    {
        _ = validators;
        _ = authorization;
        _ = cancellationToken;
        if (tenantHeader.Count > 0 && tenantHeader[0] != tenant)
        {
            return ValueTask.FromResult(GatewayAuthResult.Fail("x-tenant mismatch"));
        }

        return ValueTask.FromResult(GatewayAuthResult.Success(new GatewayPrincipal(tenant, null, [], GatewayCredentialKind.None, null)));
    }
}
