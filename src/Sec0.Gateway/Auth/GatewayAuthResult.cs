namespace Sec0.Gateway.Auth;

/// <summary>The outcome of checking a bearer credential.</summary>
/// <param name="Principal">The verified caller, when the credential is valid.</param>
/// <param name="Failure">Why it is not, in words for the log (never the token itself); null on success.</param>
public readonly record struct GatewayAuthResult(GatewayPrincipal? Principal, string? Failure)
{
    /// <summary>True when the credential is valid.</summary>
    public bool Succeeded => Principal is not null;

    /// <summary>A valid credential.</summary>
    public static GatewayAuthResult Success(GatewayPrincipal principal) => new(principal, null);

    /// <summary>An invalid, expired or malformed credential.</summary>
    public static GatewayAuthResult Fail(string why) => new(null, why);
}
