using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Sec0.Gateway.Auth;

/// <summary>
/// Verifies OIDC JWTs against the issuer's published keys (JWKS), fetched once and cached, refreshed on a
/// schedule or when a token names an unknown key (at most once per <see cref="OidcJwtValidatorOptions.RefreshInterval"/>).
/// Only signed RS256 and ES256 tokens are accepted; issuer, audience and lifetime are always checked.
/// </summary>
public sealed class OidcJwtValidator : IGatewayCredentialValidator, IDisposable
{
    /// <summary>The longest token accepted, in characters (16 KiB).</summary>
    public const int MaxTokenLength = 16 * 1024;

    private static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    private readonly OidcJwtValidatorOptions _options;
    private readonly ConfigurationManager<OpenIdConnectConfiguration> _configuration;
    private readonly TokenValidationParameters _parameters;
    private readonly JsonWebTokenHandler _handler = new() { MaximumTokenSizeInBytes = MaxTokenLength };
    private readonly HttpClient? _ownedHttpClient;
    private readonly Lock _firstLoadGate = new();
    private Task<OpenIdConnectConfiguration>? _firstLoad;

    /// <summary>Creates a validator; nothing is fetched until the first token arrives.</summary>
    /// <param name="options">The issuer, audience, key location and claim names.</param>
    /// <exception cref="ArgumentException">An option is missing or wrong (named in the message).</exception>
    public OidcJwtValidator(OidcJwtValidatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            throw new ArgumentException("OIDC: Issuer is required.", nameof(options));
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            throw new ArgumentException("OIDC: Audience is required.", nameof(options));
        }

        var address = options.JwksUri ?? options.MetadataAddress
            ?? throw new ArgumentException("OIDC: JwksUri or MetadataAddress is required.", nameof(options));
        if (!OidcDocumentRetriever.IsAllowed(address))
        {
            throw new ArgumentException("OIDC: the JWKS or metadata address must be an absolute https URI (plain http only to 127.0.0.1, ::1 or localhost).", nameof(options));
        }

        if (string.IsNullOrWhiteSpace(options.TenantClaim) || string.IsNullOrWhiteSpace(options.UserClaim) || string.IsNullOrWhiteSpace(options.RolesClaim))
        {
            throw new ArgumentException("OIDC: TenantClaim, UserClaim and RolesClaim must not be empty.", nameof(options));
        }

        if (options.ClockSkew < TimeSpan.Zero)
        {
            throw new ArgumentException("OIDC: ClockSkew must not be negative.", nameof(options));
        }

        if (options.TimeProvider is null)
        {
            throw new ArgumentException("OIDC: TimeProvider must not be null.", nameof(options));
        }

        _options = options;
        var httpClient = options.HttpClient;
        if (httpClient is null)
        {
            _ownedHttpClient = new HttpClient { Timeout = options.FetchTimeout };
            httpClient = _ownedHttpClient;
        }

        IConfigurationRetriever<OpenIdConnectConfiguration> retriever = options.JwksUri is not null
            ? new JwksConfigurationRetriever()
            : new OpenIdConnectConfigurationRetriever();
        _configuration = new ConfigurationManager<OpenIdConnectConfiguration>(address.AbsoluteUri, retriever, new OidcDocumentRetriever(httpClient))
        {
            AutomaticRefreshInterval = Max(options.AutomaticRefreshInterval, ConfigurationManager<OpenIdConnectConfiguration>.MinimumAutomaticRefreshInterval),
            RefreshInterval = Max(options.RefreshInterval, ConfigurationManager<OpenIdConnectConfiguration>.MinimumRefreshInterval),
        };

        _parameters = new TokenValidationParameters
        {
            ValidIssuer = options.Issuer,
            ValidAudience = options.Audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            RequireAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidAlgorithms = Algorithms,
            ClockSkew = options.ClockSkew,

            // The library's own TimeProvider hook is not public; this reads the gateway's clock instead.
            LifetimeValidator = ValidateLifetime,

            // Claim names stay as the issuer wrote them: the tenant, user and roles claims are configured by those names.
            NameClaimType = options.UserClaim,
            RoleClaimType = options.RolesClaim,
        };
        _handler.MapInboundClaims = false;
    }

    /// <summary>True when <paramref name="token"/> has a JWS's three dot-separated parts (the signature may be empty, and is then refused).</summary>
    /// <param name="token">The bearer token.</param>
    /// <returns>Whether this validator should check it.</returns>
    public bool CanValidate(string token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }

        var first = token.IndexOf('.', StringComparison.Ordinal);
        if (first <= 0)
        {
            return false;
        }

        var second = token.IndexOf('.', first + 1);
        return second > first + 1 && token.IndexOf('.', second + 1) < 0;
    }

    /// <summary>Verifies the token against the issuer's cached keys. Never throws for a bad token or an unreachable issuer.</summary>
    /// <param name="token">The bearer token.</param>
    /// <param name="cancellationToken">Cancels a key fetch in progress.</param>
    /// <returns>The principal, or why the token is refused (never the token itself).</returns>
    public async ValueTask<GatewayAuthResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token))
        {
            return GatewayAuthResult.Fail("The JWT is empty.");
        }

        if (token.Length > MaxTokenLength)
        {
            return GatewayAuthResult.Fail($"The JWT is longer than {MaxTokenLength} characters.");
        }

        if (!CanValidate(token))
        {
            return GatewayAuthResult.Fail("The JWT must have three dot-separated parts.");
        }

        // The header is read before any key is fetched: an unreadable token or a refused algorithm ("none",
        // HS256 keyed with the public key, ...) is turned away cheaply and with a precise reason.
        string? algorithm;
        try
        {
            algorithm = new JsonWebToken(token).Alg;
        }
        catch (Exception)
        {
            return GatewayAuthResult.Fail("The JWT is malformed.");
        }

        if (algorithm is null || Array.IndexOf(Algorithms, algorithm) < 0)
        {
            return GatewayAuthResult.Fail("The JWT's algorithm is not allowed (RS256 or ES256 only).");
        }

        var configuration = await GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        if (configuration is null)
        {
            return GatewayAuthResult.Fail("The issuer's signing keys could not be fetched.");
        }

        var result = await ValidateWithAsync(token, configuration).ConfigureAwait(false);
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException && !HasKey(configuration, token))
        {
            // The issuer may have rotated its keys: ask for a refresh (throttled by RefreshInterval) and retry once
            // if newer keys are already here; otherwise a later request will see them.
            _configuration.RequestRefresh();
            var refreshed = await GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
            if (refreshed is not null && !ReferenceEquals(refreshed, configuration))
            {
                result = await ValidateWithAsync(token, refreshed).ConfigureAwait(false);
            }
        }

        if (!result.IsValid)
        {
            return GatewayAuthResult.Fail(Describe(result.Exception));
        }

        if (result.SecurityToken is not JsonWebToken jwt || result.ClaimsIdentity is not { } identity)
        {
            return GatewayAuthResult.Fail("The JWT could not be read after validation.");
        }

        return ToPrincipal(jwt, identity);
    }

    // Whether the token's kid is among the keys already fetched: then a key-not-found is not a rotation, and asking
    // the issuer again would only spend the refresh allowance.
    private static bool HasKey(OpenIdConnectConfiguration configuration, string token)
    {
        string? kid;
        try
        {
            kid = new JsonWebToken(token).Kid;
        }
        catch (Exception)
        {
            return false;
        }

        if (kid is null)
        {
            return false;
        }

        foreach (var key in configuration.SigningKeys)
        {
            if (string.Equals(key.KeyId, kid, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Disposes the HTTP client the validator made (not one passed in the options).</summary>
    public void Dispose() => _ownedHttpClient?.Dispose();

    private async ValueTask<OpenIdConnectConfiguration?> GetConfigurationAsync(CancellationToken cancellationToken)
    {
        // The first load is one fetch that every early request shares: requests arriving together at start-up
        // would otherwise race inside the configuration manager and fetch the documents more than once.
        Task<OpenIdConnectConfiguration> first;
        lock (_firstLoadGate)
        {
            first = _firstLoad ??= _configuration.GetConfigurationAsync(CancellationToken.None);
        }

        try
        {
            if (!first.IsCompletedSuccessfully)
            {
                return await first.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            return await _configuration.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception)
        {
            // Unreachable issuer, bad document, timeout: the caller is refused, the gateway keeps running; a failed
            // first load is tried again by the next request.
            lock (_firstLoadGate)
            {
                if (ReferenceEquals(_firstLoad, first) && first.IsFaulted)
                {
                    _firstLoad = null;
                }
            }

            return null;
        }
    }

    private async ValueTask<TokenValidationResult> ValidateWithAsync(string token, OpenIdConnectConfiguration configuration)
    {
        var parameters = _parameters.Clone();
        parameters.IssuerSigningKeys = configuration.SigningKeys;
        try
        {
            return await _handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The handler reports failures in the result; this only guards the promise never to throw.
            return new TokenValidationResult { IsValid = false, Exception = ex };
        }
    }

    private GatewayAuthResult ToPrincipal(JsonWebToken jwt, ClaimsIdentity identity)
    {
        var tenants = identity.FindAll(_options.TenantClaim).ToList();
        if (tenants.Count == 0 && _options.FallbackTenantClaim is { Length: > 0 } fallback)
        {
            tenants = identity.FindAll(fallback).ToList();
        }

        if (tenants.Count != 1 || tenants[0].ValueType != ClaimValueTypes.String)
        {
            return GatewayAuthResult.Fail(tenants.Count == 0
                ? $"The JWT has no '{_options.TenantClaim}' claim."
                : $"The JWT's tenant claim is not a single string.");
        }

        var tenant = tenants[0].Value;
        if (ServiceTokenValidator.CheckName(tenant) is { } tenantProblem)
        {
            return GatewayAuthResult.Fail($"The JWT's tenant {tenantProblem}.");
        }

        string? user = null;
        var users = identity.FindAll(_options.UserClaim).ToList();
        if (users.Count > 1 || (users.Count == 1 && users[0].ValueType != ClaimValueTypes.String))
        {
            return GatewayAuthResult.Fail($"The JWT's '{_options.UserClaim}' claim is not a single string.");
        }

        if (users.Count == 1)
        {
            user = users[0].Value;
            if (ServiceTokenValidator.CheckName(user) is { } userProblem)
            {
                return GatewayAuthResult.Fail($"The JWT's user {userProblem}.");
            }
        }

        // An array claim arrives as one claim per element; each must be a string.
        var roles = new List<string>();
        foreach (var role in identity.FindAll(_options.RolesClaim))
        {
            if (role.ValueType != ClaimValueTypes.String)
            {
                return GatewayAuthResult.Fail($"The JWT's '{_options.RolesClaim}' claim is not a string or an array of strings.");
            }

            if (ServiceTokenValidator.CheckName(role.Value) is { } roleProblem)
            {
                return GatewayAuthResult.Fail($"A role in the JWT {roleProblem}.");
            }

            roles.Add(role.Value);
        }

        var expiresAt = jwt.ValidTo == DateTime.MinValue ? (DateTimeOffset?)null : new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
        return GatewayAuthResult.Success(new GatewayPrincipal(tenant, user, roles, GatewayCredentialKind.OidcJwt, expiresAt));
    }

    // Our own words: the library's messages can carry claim values when PII logging is on.
    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => "The JWT has expired.",
        SecurityTokenNotYetValidException => "The JWT is not valid yet (nbf is in the future).",
        SecurityTokenNoExpirationException => "The JWT has no exp.",
        SecurityTokenInvalidLifetimeException => "The JWT's lifetime is not valid.",
        SecurityTokenInvalidIssuerException => "The JWT's issuer is not the configured issuer.",
        SecurityTokenInvalidAudienceException => "The JWT's audience is not the configured audience.",
        SecurityTokenInvalidAlgorithmException => "The JWT's algorithm is not allowed (RS256 or ES256 only).",
        SecurityTokenSignatureKeyNotFoundException => "The JWT is signed with a key the issuer does not publish.",
        SecurityTokenInvalidSignatureException => "The JWT's signature is missing or does not verify.",
        SecurityTokenMalformedException or ArgumentException => "The JWT is malformed.",
        null => "The JWT is not valid.",
        _ => $"The JWT is not valid ({exception.GetType().Name}).",
    };

    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        if (expires is not { } exp)
        {
            throw new SecurityTokenNoExpirationException("The token has no exp.");
        }

        var now = _options.TimeProvider.GetUtcNow().UtcDateTime;
        var skew = _options.ClockSkew;
        if (notBefore is { } nbf && nbf > exp)
        {
            throw new SecurityTokenInvalidLifetimeException("nbf is after exp.");
        }

        // Compared as now - skew / now + skew so that times near the ends of the calendar cannot overflow.
        if (exp <= now - skew)
        {
            throw new SecurityTokenExpiredException("The token has expired.");
        }

        if (notBefore is { } start && start > now + skew)
        {
            throw new SecurityTokenNotYetValidException("The token is not valid yet.");
        }

        return true;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
