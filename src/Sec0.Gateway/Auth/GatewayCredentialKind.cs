namespace Sec0.Gateway.Auth;

/// <summary>The kind of credential a caller presented.</summary>
public enum GatewayCredentialKind
{
    /// <summary>No authentication is configured: the caller is trusted as the gateway's tenant.</summary>
    None,

    /// <summary>A Sec0 service token (<c>SVC_TOKEN</c>): an HMAC-SHA256-signed base64url payload.</summary>
    ServiceToken,

    /// <summary>An OIDC JWT verified against the issuer's JWKS.</summary>
    OidcJwt,
}
