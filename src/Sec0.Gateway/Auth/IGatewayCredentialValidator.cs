namespace Sec0.Gateway.Auth;

/// <summary>Checks one kind of bearer credential (a service token, an OIDC JWT).</summary>
public interface IGatewayCredentialValidator
{
    /// <summary>True when <paramref name="token"/> has this validator's shape (it may still be invalid).</summary>
    bool CanValidate(string token);

    /// <summary>Verifies <paramref name="token"/>. Never throws for anything the caller sent.</summary>
    ValueTask<GatewayAuthResult> ValidateAsync(string token, CancellationToken cancellationToken);
}
