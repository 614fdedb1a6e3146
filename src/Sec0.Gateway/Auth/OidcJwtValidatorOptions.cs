namespace Sec0.Gateway.Auth;

/// <summary>
/// How <see cref="OidcJwtValidator"/> checks OIDC JWTs (the TypeScript SDK's <c>authn.oidc</c> block:
/// <c>issuer</c>, <c>audience</c>, <c>jwks_uri</c>, <c>tenantClaim</c>, <c>userClaim</c>, <c>rolesClaim</c>).
/// </summary>
public sealed class OidcJwtValidatorOptions
{
    /// <summary>The issuer every token's <c>iss</c> must equal. Required.</summary>
    public string? Issuer { get; set; }

    /// <summary>The audience every token's <c>aud</c> must contain. Required.</summary>
    public string? Audience { get; set; }

    /// <summary>
    /// The issuer's JWKS document. Set this or <see cref="MetadataAddress"/>. Must be https, except on a loopback
    /// host (127.0.0.1, ::1, localhost) for local issuers and tests.
    /// </summary>
    public Uri? JwksUri { get; set; }

    /// <summary>
    /// The issuer's OpenID Connect discovery document (<c>{authority}/.well-known/openid-configuration</c>), whose
    /// <c>jwks_uri</c> names the keys. Used when <see cref="JwksUri"/> is not set. Same https rule.
    /// </summary>
    public Uri? MetadataAddress { get; set; }

    /// <summary>The claim that names the tenant (default <c>tenant</c>).</summary>
    public string TenantClaim { get; set; } = "tenant";

    /// <summary>The claim read when <see cref="TenantClaim"/> is absent (default <c>tid</c>, Entra ID's tenant id); null: none.</summary>
    public string? FallbackTenantClaim { get; set; } = "tid";

    /// <summary>The claim that names the user (default <c>sub</c>).</summary>
    public string UserClaim { get; set; } = "sub";

    /// <summary>The claim that lists the roles: a string or an array of strings (default <c>roles</c>).</summary>
    public string RolesClaim { get; set; } = "roles";

    /// <summary>How far <c>exp</c> and <c>nbf</c> may be off the gateway's clock (default 60 s, as the SDK allows).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the keys are fetched again even when every token verifies (default 12 h).</summary>
    public TimeSpan AutomaticRefreshInterval { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// The least time between two fetches caused by a token signed with an unknown key, or by a failed fetch
    /// (default 5 min): a caller cannot make the gateway fetch the keys on every request.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one fetch of the keys may take (default 10 s).</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The HTTP client the keys are fetched with; null: the validator makes (and disposes) its own.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>The clock (default the system clock).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
