namespace Sec0.ControlPlane;

/// <summary>
/// Where an API key sits in the control plane's hierarchy, as <c>POST /api/auth/validate-key</c> answers:
/// tenant, environment and client. Sec0 checks it against <c>app.tenant</c> and <c>app.environment</c> at start-up.
/// </summary>
/// <param name="Tenant">The tenant the key belongs to.</param>
/// <param name="Environment">Its environment: <c>dev</c>, <c>staging</c> or <c>prod</c>.</param>
/// <param name="ClientName">The client the key was issued for.</param>
/// <param name="ClientVersion">That client's version.</param>
/// <param name="UserId">The user the key belongs to, when the control plane says.</param>
public sealed record ControlPlaneHierarchy(string Tenant, string Environment, string ClientName, string ClientVersion, string? UserId);
