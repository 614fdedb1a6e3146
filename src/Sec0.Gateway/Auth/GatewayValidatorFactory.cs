using Sec0.Config;

namespace Sec0.Gateway.Auth;

/// <summary>Builds the validators the <c>gateway.authn</c> block names, turning their argument errors into config errors.</summary>
internal static class GatewayValidatorFactory
{
    public static IGatewayCredentialValidator ServiceToken(string secretBase64, TimeSpan skew, TimeProvider time, string yamlPath, string filePath)
    {
        try
        {
            return ServiceTokenValidator.FromBase64Secret(secretBase64, skew, time);
        }
        catch (ArgumentException ex)
        {
            throw ConfigErrors.Invalid(filePath, $"{yamlPath}: the service token secret is not usable ({ex.Message})");
        }
    }

    public static IGatewayCredentialValidator Oidc(OidcJwtValidatorOptions options, string yamlPath, string filePath)
    {
        try
        {
            return new OidcJwtValidator(options);
        }
        catch (ArgumentException ex)
        {
            throw ConfigErrors.Invalid(filePath, $"{yamlPath}: {ex.Message}");
        }
    }
}
