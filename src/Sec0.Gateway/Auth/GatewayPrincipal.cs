namespace Sec0.Gateway.Auth;

/// <summary>Who is calling the gateway, as a verified credential says.</summary>
/// <param name="Tenant">The tenant the credential was issued for.</param>
/// <param name="User">The user (a service token's <c>user</c>, a JWT's user claim), if any.</param>
/// <param name="Roles">The caller's roles (possibly empty).</param>
/// <param name="Kind">How the caller proved who it is.</param>
/// <param name="ExpiresAt">When the credential expires.</param>
public sealed record GatewayPrincipal(string Tenant, string? User, IReadOnlyList<string> Roles, GatewayCredentialKind Kind, DateTimeOffset? ExpiresAt);
