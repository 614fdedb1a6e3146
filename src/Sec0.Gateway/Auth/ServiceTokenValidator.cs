using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Sec0.Gateway.Auth;

/// <summary>
/// Verifies Sec0 service tokens (<c>SVC_TOKEN</c>), the wire format of the TypeScript SDK's
/// <c>verifyServiceToken</c>: <c>base64url(payload JSON) "." base64url(HMAC-SHA256(secret, payload part as ASCII))</c>,
/// payload <c>{"tenant": string, "user"?: string, "roles"?: string[], "exp": seconds since the epoch, "iat"?, "nbf"?}</c>.
/// Stricter than the SDK: unpadded canonical base64url only, one JSON object without repeated members, a checked
/// tenant, user and roles, <c>nbf</c>/<c>iat</c> not in the future, and a size limit.
/// </summary>
public sealed class ServiceTokenValidator : IGatewayCredentialValidator
{
    /// <summary>The longest token accepted, in characters (8 KiB).</summary>
    public const int MaxTokenLength = 8 * 1024;

    /// <summary>The shortest secret accepted, in bytes (128 bits).</summary>
    public const int MinSecretLength = 16;

    /// <summary>The longest tenant, user or role accepted, in characters.</summary>
    public const int MaxNameLength = 256;

    private const int SignatureLength = 32;

    // The token is bounded, so the payload is; a shallow depth is all a flat claims object needs.
    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 8 };

    private readonly byte[] _secret;
    private readonly TimeSpan _clockSkew;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a validator for tokens signed with <paramref name="secret"/>.</summary>
    /// <param name="secret">The shared HMAC secret, at least <see cref="MinSecretLength"/> bytes; copied.</param>
    /// <param name="clockSkew">How far the token's times may be off the gateway's clock (default 60 s, like the SDK's JWT check).</param>
    /// <param name="timeProvider">The clock (default the system clock).</param>
    /// <exception cref="ArgumentException">The secret is too short or the skew is negative.</exception>
    public ServiceTokenValidator(ReadOnlySpan<byte> secret, TimeSpan? clockSkew = null, TimeProvider? timeProvider = null)
    {
        if (secret.Length < MinSecretLength)
        {
            throw new ArgumentException($"The service token secret must be at least {MinSecretLength} bytes.", nameof(secret));
        }

        var skew = clockSkew ?? TimeSpan.FromSeconds(60);
        if (skew < TimeSpan.Zero)
        {
            throw new ArgumentException("The clock skew must not be negative.", nameof(clockSkew));
        }

        _secret = secret.ToArray();
        _clockSkew = skew;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Creates a validator from a configured secret (<c>SVC_TOKEN</c> secret), given as base64 the way the SDK's
    /// <c>verifyServiceToken(token, secretB64)</c> takes it: standard or URL-safe alphabet, padding optional.
    /// </summary>
    /// <param name="secretBase64">The secret, base64-encoded.</param>
    /// <param name="clockSkew">How far the token's times may be off the gateway's clock (default 60 s).</param>
    /// <param name="timeProvider">The clock (default the system clock).</param>
    /// <exception cref="ArgumentException">The secret is not base64 or decodes to fewer than <see cref="MinSecretLength"/> bytes.</exception>
    public static ServiceTokenValidator FromBase64Secret(string secretBase64, TimeSpan? clockSkew = null, TimeProvider? timeProvider = null)
        => new(DecodeSecret(secretBase64), clockSkew, timeProvider);

    /// <summary>
    /// Decodes a configured base64 secret: standard or URL-safe alphabet, padding optional, surrounding white
    /// space ignored. Unlike Node's lenient decoder, any other character is an error rather than skipped.
    /// </summary>
    /// <param name="secretBase64">The secret, base64-encoded.</param>
    /// <returns>The secret bytes.</returns>
    /// <exception cref="ArgumentException">The text is not base64.</exception>
    public static byte[] DecodeSecret(string secretBase64)
    {
        ArgumentNullException.ThrowIfNull(secretBase64);
        var text = secretBase64.Trim().TrimEnd('=');
        if (text.Length == 0 || text.Length % 4 == 1)
        {
            throw new ArgumentException("The service token secret is not base64.", nameof(secretBase64));
        }

        var chars = new char[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            chars[i] = c switch
            {
                '+' => '-',
                '/' => '_',
                _ when IsBase64UrlChar(c) => c,
                _ => throw new ArgumentException("The service token secret is not base64.", nameof(secretBase64)),
            };
        }

        return Base64Url.DecodeFromChars(chars);
    }

    /// <summary>
    /// Issues a token in the format this validator checks (for tests, samples and clients that hold the secret).
    /// </summary>
    /// <param name="secret">The shared HMAC secret.</param>
    /// <param name="tenant">The tenant; non-empty, at most <see cref="MaxNameLength"/> characters, no control characters.</param>
    /// <param name="user">The user, if any (same rules as the tenant).</param>
    /// <param name="roles">The roles, if any (same rules as the tenant).</param>
    /// <param name="expiresAt">When the token expires; written as whole seconds since the epoch.</param>
    /// <param name="issuedAt">When it was issued (<c>iat</c>), if it should say.</param>
    /// <returns>The token.</returns>
    /// <exception cref="ArgumentException">A name breaks the rules above or the secret is empty.</exception>
    public static string Issue(ReadOnlySpan<byte> secret, string tenant, string? user, IEnumerable<string>? roles, DateTimeOffset expiresAt, DateTimeOffset? issuedAt = null)
    {
        if (secret.IsEmpty)
        {
            throw new ArgumentException("The secret must not be empty.", nameof(secret));
        }

        if (CheckName(tenant) is { } tenantProblem)
        {
            throw new ArgumentException($"The tenant {tenantProblem}.", nameof(tenant));
        }

        if (user is not null && CheckName(user) is { } userProblem)
        {
            throw new ArgumentException($"The user {userProblem}.", nameof(user));
        }

        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("tenant", tenant);
            if (user is not null)
            {
                writer.WriteString("user", user);
            }

            if (roles is not null)
            {
                writer.WriteStartArray("roles");
                foreach (var role in roles)
                {
                    if (CheckName(role) is { } roleProblem)
                    {
                        throw new ArgumentException($"A role {roleProblem}.", nameof(roles));
                    }

                    writer.WriteStringValue(role);
                }

                writer.WriteEndArray();
            }

            writer.WriteNumber("exp", expiresAt.ToUnixTimeSeconds());
            if (issuedAt is { } iat)
            {
                writer.WriteNumber("iat", iat.ToUnixTimeSeconds());
            }

            writer.WriteEndObject();
        }

        var payloadPart = Base64Url.EncodeToString(buffer.ToArray());
        var signature = HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(payloadPart));
        return payloadPart + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>True when <paramref name="token"/> has two non-empty dot-separated parts (a JWT has three).</summary>
    /// <param name="token">The bearer token.</param>
    /// <returns>Whether this validator should check it.</returns>
    public bool CanValidate(string token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && dot < token.Length - 1 && token.IndexOf('.', dot + 1) < 0;
    }

    /// <summary>Verifies the signature, then the payload and its times. Never throws for a bad token.</summary>
    /// <param name="token">The bearer token.</param>
    /// <param name="cancellationToken">Unused: the check is synchronous.</param>
    /// <returns>The principal, or why the token is refused (never the token itself).</returns>
    public ValueTask<GatewayAuthResult> ValidateAsync(string token, CancellationToken cancellationToken)
        => ValueTask.FromResult(Validate(token));

    private GatewayAuthResult Validate(string token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return GatewayAuthResult.Fail("The service token is empty.");
        }

        if (token.Length > MaxTokenLength)
        {
            return GatewayAuthResult.Fail($"The service token is longer than {MaxTokenLength} characters.");
        }

        if (!CanValidate(token))
        {
            return GatewayAuthResult.Fail("The service token must have exactly two dot-separated parts.");
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        var payloadPart = token.AsSpan(0, dot);
        var signaturePart = token.AsSpan(dot + 1);

        // Strict decoding first: a padded or non-canonical signature would let one token have many spellings.
        if (!TryDecodeStrict(signaturePart, out var signature) || signature.Length != SignatureLength)
        {
            return GatewayAuthResult.Fail("The service token's signature is not a canonical unpadded base64url HMAC-SHA256.");
        }

        if (!TryDecodeStrict(payloadPart, out var payload))
        {
            return GatewayAuthResult.Fail("The service token's payload is not canonical unpadded base64url.");
        }

        // The MAC covers the payload part's ASCII text (as the SDK computes it), checked before the JSON is parsed.
        Span<byte> expected = stackalloc byte[SignatureLength];
        var payloadAscii = Encoding.ASCII.GetBytes(payloadPart.ToString());
        HMACSHA256.HashData(_secret, payloadAscii, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            return GatewayAuthResult.Fail("The service token's signature does not match.");
        }

        return ReadPayload(payload);
    }

    private GatewayAuthResult ReadPayload(byte[] payload)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload, JsonOptions);
        }
        catch (JsonException)
        {
            return GatewayAuthResult.Fail("The service token's payload is not valid UTF-8 JSON.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return GatewayAuthResult.Fail("The service token's payload is not a JSON object.");
            }

            // A repeated member could be read differently by another parser: refuse it rather than pick one.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in root.EnumerateObject())
            {
                if (!seen.Add(member.Name))
                {
                    return GatewayAuthResult.Fail($"The service token's payload repeats the member '{Printable(member.Name)}'.");
                }
            }

            if (!root.TryGetProperty("tenant", out var tenantElement) || tenantElement.ValueKind != JsonValueKind.String)
            {
                return GatewayAuthResult.Fail("The service token's payload has no string 'tenant'.");
            }

            var tenant = tenantElement.GetString()!;
            if (CheckName(tenant) is { } tenantProblem)
            {
                return GatewayAuthResult.Fail($"The service token's tenant {tenantProblem}.");
            }

            string? user = null;
            if (root.TryGetProperty("user", out var userElement) && userElement.ValueKind != JsonValueKind.Null)
            {
                if (userElement.ValueKind != JsonValueKind.String)
                {
                    return GatewayAuthResult.Fail("The service token's 'user' is not a string.");
                }

                user = userElement.GetString()!;
                if (CheckName(user) is { } userProblem)
                {
                    return GatewayAuthResult.Fail($"The service token's user {userProblem}.");
                }
            }

            var roles = new List<string>();
            if (root.TryGetProperty("roles", out var rolesElement) && rolesElement.ValueKind != JsonValueKind.Null)
            {
                if (rolesElement.ValueKind != JsonValueKind.Array)
                {
                    return GatewayAuthResult.Fail("The service token's 'roles' is not an array of strings.");
                }

                foreach (var role in rolesElement.EnumerateArray())
                {
                    if (role.ValueKind != JsonValueKind.String)
                    {
                        return GatewayAuthResult.Fail("The service token's 'roles' is not an array of strings.");
                    }

                    var name = role.GetString()!;
                    if (CheckName(name) is { } roleProblem)
                    {
                        return GatewayAuthResult.Fail($"A role in the service token {roleProblem}.");
                    }

                    roles.Add(name);
                }
            }

            if (!root.TryGetProperty("exp", out var expElement))
            {
                return GatewayAuthResult.Fail("The service token's payload has no 'exp'.");
            }

            if (!TryReadTime(expElement, out var expiresAt))
            {
                return GatewayAuthResult.Fail("The service token's 'exp' is not a time in seconds since the epoch.");
            }

            var now = _timeProvider.GetUtcNow();
            // Written as now - skew so that an exp near the end of time cannot overflow.
            if (expiresAt <= now - _clockSkew)
            {
                return GatewayAuthResult.Fail("The service token has expired.");
            }

            foreach (var claim in (ReadOnlySpan<string>)["nbf", "iat"])
            {
                if (!root.TryGetProperty(claim, out var element) || element.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                if (!TryReadTime(element, out var time))
                {
                    return GatewayAuthResult.Fail($"The service token's '{claim}' is not a time in seconds since the epoch.");
                }

                if (time > now + _clockSkew)
                {
                    return GatewayAuthResult.Fail($"The service token's '{claim}' is in the future.");
                }
            }

            return GatewayAuthResult.Success(new GatewayPrincipal(tenant, user, roles, GatewayCredentialKind.ServiceToken, expiresAt));
        }
    }

    private static bool TryReadTime(JsonElement element, out DateTimeOffset time)
    {
        time = default;
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var seconds))
        {
            return false;
        }

        // The SDK compares seconds as a float; fractions are allowed, the range is what DateTimeOffset holds.
        if (!double.IsFinite(seconds) || seconds < 0 || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        time = DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
        return true;
    }

    private static bool TryDecodeStrict(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        if (text.IsEmpty || text.Length % 4 == 1)
        {
            return false;
        }

        foreach (var c in text)
        {
            // The decoder would skip white space and accept '=': only the 64 URL-safe letters are allowed here.
            if (!IsBase64UrlChar(c))
            {
                return false;
            }
        }

        try
        {
            bytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return false;
        }

        // Non-zero unused trailing bits decode fine but would give one value several spellings.
        return text.SequenceEqual(Base64Url.EncodeToString(bytes));
    }

    private static bool IsBase64UrlChar(char c)
        => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';

    /// <summary>Why a tenant, user or role name is refused, or null when it is fine.</summary>
    internal static string? CheckName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "is empty";
        }

        if (name.Length > MaxNameLength)
        {
            return $"is longer than {MaxNameLength} characters";
        }

        foreach (var c in name)
        {
            if (char.IsControl(c))
            {
                return "contains a control character";
            }
        }

        // Surrounding spaces would make two spellings of one tenant compare unequal later.
        if (char.IsWhiteSpace(name[0]) || char.IsWhiteSpace(name[^1]))
        {
            return "starts or ends with white space";
        }

        return null;
    }

    private static string Printable(string name)
    {
        var shortName = name.Length > 64 ? name[..64] + "..." : name;
        var builder = new StringBuilder(shortName.Length);
        foreach (var c in shortName)
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }

        return builder.ToString();
    }
}
