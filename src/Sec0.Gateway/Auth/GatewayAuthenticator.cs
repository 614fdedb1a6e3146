using Microsoft.Extensions.Primitives;

namespace Sec0.Gateway.Auth;

/// <summary>
/// Decides who a request is from, given its <c>Authorization</c> and <c>x-tenant</c> headers. With no validators
/// every caller is the gateway's tenant (as the SDK does without <c>authn</c>); otherwise exactly one
/// <c>Authorization: Bearer &lt;token&gt;</c> is required and checked by the first validator that takes its shape.
/// An <c>x-tenant</c> header, when sent, must name the same tenant. Never throws for anything the caller sent.
/// </summary>
public sealed class GatewayAuthenticator
{
    /// <summary>The header that may name the tenant the caller expects to act as.</summary>
    public const string TenantHeader = "x-tenant";

    private const string BearerPrefix = "Bearer ";

    private readonly IReadOnlyList<IGatewayCredentialValidator> _validators;
    private readonly string _gatewayTenant;
    private readonly GatewayPrincipal _anonymous;

    /// <summary>Creates an authenticator.</summary>
    /// <param name="validators">The credential validators, tried in order; empty: no authentication.</param>
    /// <param name="gatewayTenant">The gateway's tenant, which every caller is when there are no validators.</param>
    /// <exception cref="ArgumentException">The tenant is empty or a validator is null.</exception>
    public GatewayAuthenticator(IReadOnlyList<IGatewayCredentialValidator> validators, string gatewayTenant)
    {
        ArgumentNullException.ThrowIfNull(validators);
        if (ServiceTokenValidator.CheckName(gatewayTenant) is { } problem)
        {
            throw new ArgumentException($"The gateway tenant {problem}.", nameof(gatewayTenant));
        }

        if (validators.Any(v => v is null))
        {
            throw new ArgumentException("A credential validator is null.", nameof(validators));
        }

        _validators = validators.ToArray();
        _gatewayTenant = gatewayTenant;
        _anonymous = new GatewayPrincipal(gatewayTenant, null, [], GatewayCredentialKind.None, null);
    }

    /// <summary>True when no validator is configured, so callers are not authenticated.</summary>
    public bool IsAnonymous => _validators.Count == 0;

    /// <summary>Authenticates one request.</summary>
    /// <param name="authorization">The request's <c>Authorization</c> header values.</param>
    /// <param name="tenantHeader">The request's <c>x-tenant</c> header values.</param>
    /// <param name="cancellationToken">Cancels a key fetch in progress.</param>
    /// <returns>The caller, or why it is refused (never echoing the credential).</returns>
    public async ValueTask<GatewayAuthResult> AuthenticateAsync(StringValues authorization, StringValues tenantHeader, CancellationToken cancellationToken)
    {
        if (tenantHeader.Count > 1)
        {
            return GatewayAuthResult.Fail("The x-tenant header is repeated.");
        }

        var requestedTenant = tenantHeader.Count == 1 ? tenantHeader[0] : null;
        if (requestedTenant is not null && ServiceTokenValidator.CheckName(requestedTenant) is { } tenantProblem)
        {
            return GatewayAuthResult.Fail($"The x-tenant header {tenantProblem}.");
        }

        if (_validators.Count == 0)
        {
            // The caller cannot choose a tenant without proving it; the SDK refuses this the same way.
            return requestedTenant is null || string.Equals(requestedTenant, _gatewayTenant, StringComparison.Ordinal)
                ? GatewayAuthResult.Success(_anonymous)
                : GatewayAuthResult.Fail("The x-tenant header names another tenant than the gateway's, and no authentication is configured.");
        }

        if (ReadBearer(authorization, out var failure) is not { } token)
        {
            return GatewayAuthResult.Fail(failure!);
        }

        var result = await ValidateAsync(token, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return result;
        }

        if (requestedTenant is not null && !string.Equals(requestedTenant, result.Principal!.Tenant, StringComparison.Ordinal))
        {
            return GatewayAuthResult.Fail("The x-tenant header does not match the credential's tenant.");
        }

        return result;
    }

    private async ValueTask<GatewayAuthResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var validator in _validators)
            {
                if (validator.CanValidate(token))
                {
                    var result = await validator.ValidateAsync(token, cancellationToken).ConfigureAwait(false);
                    return result.Succeeded || result.Failure is not null ? result : GatewayAuthResult.Fail("The credential was refused.");
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // Validators promise not to throw; if one does anyway, the request is refused, not let through.
            return GatewayAuthResult.Fail($"The credential could not be checked ({ex.GetType().Name}).");
        }

        return GatewayAuthResult.Fail("The bearer token is not in any accepted format (service token or JWT).");
    }

    private static string? ReadBearer(StringValues authorization, out string? failure)
    {
        failure = null;
        if (authorization.Count == 0 || string.IsNullOrEmpty(authorization[0]))
        {
            failure = "The Authorization header is missing.";
            return null;
        }

        if (authorization.Count > 1)
        {
            failure = "The Authorization header is repeated.";
            return null;
        }

        var value = authorization[0]!;
        if (!value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            failure = "The Authorization header must be 'Bearer <token>'.";
            return null;
        }

        var token = value[BearerPrefix.Length..];
        if (token.Length == 0)
        {
            failure = "The Authorization header has no bearer token.";
            return null;
        }

        // RFC 6750 token68: no spaces or control characters, which also catches a second space after "Bearer".
        foreach (var c in token)
        {
            if (c <= ' ' || c >= '\u007f')
            {
                failure = "The bearer token contains a space or a character outside visible ASCII.";
                return null;
            }
        }

        return token;
    }
}
