using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Sec0.Gateway.Auth;

namespace Sec0.Gateway.Tests.Auth;

public sealed class ServiceTokenValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Secret = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private static ServiceTokenValidator Validator(DateTimeOffset? now = null, byte[]? secret = null)
        => new(secret ?? Secret, TimeSpan.FromSeconds(60), new TestClock(now ?? Now));

    private static GatewayAuthResult Check(string token, DateTimeOffset? now = null) => Run(Validator(now), token);

    // The check is synchronous (the ValueTask is already complete), so tests read it without awaiting.
    private static GatewayAuthResult Run(ServiceTokenValidator validator, string token)
        => validator.ValidateAsync(token, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    // Signs an arbitrary payload text the way the SDK does, for payloads Issue would never write.
    private static string Sign(string payloadJson, byte[]? secret = null)
    {
        var payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payloadJson));
        var mac = HMACSHA256.HashData(secret ?? Secret, Encoding.ASCII.GetBytes(payload));
        return payload + "." + Base64Url.EncodeToString(mac);
    }

    [Fact]
    public void Valid_token_gives_tenant_user_roles_and_expiry()
    {
        var token = ServiceTokenValidator.Issue(Secret, "acme", "alice", ["reader", "writer"], Now.AddMinutes(5), Now);

        var result = Check(token);

        Assert.True(result.Succeeded, result.Failure);
        var principal = result.Principal!;
        Assert.Equal("acme", principal.Tenant);
        Assert.Equal("alice", principal.User);
        Assert.Equal(["reader", "writer"], principal.Roles);
        Assert.Equal(GatewayCredentialKind.ServiceToken, principal.Kind);
        Assert.Equal(Now.AddMinutes(5), principal.ExpiresAt);
    }

    [Fact]
    public void Token_without_user_or_roles_is_valid()
    {
        var result = Check(Sign("""{"tenant":"acme","exp":1900000000}"""));

        Assert.True(result.Succeeded, result.Failure);
        Assert.Null(result.Principal!.User);
        Assert.Empty(result.Principal.Roles);
    }

    [Fact]
    public void Token_issued_by_the_sdk_format_verifies()
    {
        // What the SDK's verifyServiceToken accepts: HMAC over the payload part's ASCII text, both parts base64url.
        var token = Sign("""{"tenant":"acme","user":"bob","roles":["ops"],"exp":1900000000}""");

        var result = Check(token);

        Assert.True(result.Succeeded, result.Failure);
        Assert.Equal("bob", result.Principal!.User);
    }

    [Fact]
    public void Expired_token_fails()
    {
        var token = ServiceTokenValidator.Issue(Secret, "acme", null, null, Now.AddMinutes(-10));

        var result = Check(token);

        Assert.False(result.Succeeded);
        Assert.Contains("expired", result.Failure);
    }

    [Fact]
    public void Token_expired_beyond_the_skew_fails()
    {
        var token = ServiceTokenValidator.Issue(Secret, "acme", null, null, Now.AddSeconds(-61));

        Assert.Contains("expired", Check(token).Failure);
    }

    [Fact]
    public void Token_expired_exactly_at_the_skew_fails()
    {
        var token = ServiceTokenValidator.Issue(Secret, "acme", null, null, Now.AddSeconds(-60));

        Assert.False(Check(token).Succeeded);
    }

    [Fact]
    public void Token_expired_within_the_skew_is_accepted()
    {
        var token = ServiceTokenValidator.Issue(Secret, "acme", null, null, Now.AddSeconds(-59));

        Assert.True(Check(token).Succeeded);
    }

    [Fact]
    public void Issued_at_in_the_future_beyond_the_skew_fails()
    {
        var token = ServiceTokenValidator.Issue(Secret, "acme", null, null, Now.AddHours(1), issuedAt: Now.AddSeconds(120));

        var result = Check(token);

        Assert.False(result.Succeeded);
        Assert.Contains("'iat' is in the future", result.Failure);
    }

    [Fact]
    public void Issued_at_in_the_future_within_the_skew_is_accepted()
    {
        var token = ServiceTokenValidator.Issue(Secret, "acme", null, null, Now.AddHours(1), issuedAt: Now.AddSeconds(30));

        Assert.True(Check(token).Succeeded);
    }

    [Fact]
    public void Not_before_in_the_future_fails()
    {
        var nbf = Now.AddMinutes(5).ToUnixTimeSeconds();
        var result = Check(Sign($$"""{"tenant":"acme","exp":1900000000,"nbf":{{nbf}}}"""));

        Assert.Contains("'nbf' is in the future", result.Failure);
    }

    [Fact]
    public void Tampered_payload_fails()
    {
        var token = ServiceTokenValidator.Issue(Secret, "acme", null, null, Now.AddMinutes(5));
        var signature = token[(token.IndexOf('.') + 1)..];
        var otherPayload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"tenant":"evil","exp":{{Now.AddMinutes(5).ToUnixTimeSeconds()}}}"""));

        var result = Check(otherPayload + "." + signature);

        Assert.False(result.Succeeded);
        Assert.Contains("signature does not match", result.Failure);
    }

    [Fact]
    public void Tampered_signature_fails()
    {
        var token = ServiceTokenValidator.Issue(Secret, "acme", null, null, Now.AddMinutes(5));
        var dot = token.IndexOf('.');
        var signature = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        signature[7] ^= 0x01;

        var result = Check(token[..(dot + 1)] + Base64Url.EncodeToString(signature));

        Assert.Contains("signature does not match", result.Failure);
    }

    [Fact]
    public void Token_signed_with_another_secret_fails()
    {
        var other = Enumerable.Repeat((byte)7, 32).ToArray();
        var token = ServiceTokenValidator.Issue(other, "acme", null, null, Now.AddMinutes(5));

        Assert.Contains("signature does not match", Check(token).Failure);
        Assert.True(Run(Validator(secret: other), token).Succeeded);
    }

    [Fact]
    public void Padded_base64_fails()
    {
        // A 32-byte MAC is 43 base64url characters; the padded spelling adds '='. The payload of length 1 mod 3 pads too.
        var token = ServiceTokenValidator.Issue(Secret, "acme", null, null, Now.AddMinutes(5));

        var result = Check(token + "=");

        Assert.False(result.Succeeded);
        Assert.Contains("canonical unpadded base64url", result.Failure);
    }

    [Fact]
    public void Standard_base64_characters_fail()
    {
        var token = ServiceTokenValidator.Issue(Secret, "acme", null, null, Now.AddMinutes(5));
        var converted = token.Replace('-', '+').Replace('_', '/');
        if (converted == token)
        {
            // No '-' or '_' happened to occur: force a '+' in place of the payload's first character.
            converted = "+" + token[1..];
        }

        Assert.False(Check(converted).Succeeded);
    }

    [Fact]
    public void Non_canonical_signature_spelling_fails()
    {
        var token = ServiceTokenValidator.Issue(Secret, "acme", null, null, Now.AddMinutes(5));
        // 43 characters carry 258 bits for 256: the last character's low 2 bits are unused. Setting them keeps the bytes.
        var last = token[^1];
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var index = alphabet.IndexOf(last);
        var altered = token[..^1] + alphabet[(index & ~3) | ((index & 3) ^ 1)];

        var result = Check(altered);

        Assert.False(result.Succeeded);
        Assert.Contains("canonical", result.Failure);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("a.b.c")]
    [InlineData(".abc")]
    [InlineData("abc.")]
    public void Tokens_without_exactly_two_parts_are_not_taken_and_fail(string token)
    {
        var validator = Validator();

        Assert.False(validator.CanValidate(token));
        Assert.False(Run(validator, token).Succeeded);
    }

    [Fact]
    public void Jwt_shape_is_not_taken()
    {
        var token = ServiceTokenValidator.Issue(Secret, "acme", null, null, Now.AddMinutes(5));

        Assert.True(Validator().CanValidate(token));
        Assert.False(Validator().CanValidate("eyJhbGciOiJSUzI1NiJ9." + token));
    }

    [Fact]
    public void Duplicate_members_fail()
    {
        var result = Check(Sign("""{"tenant":"acme","exp":1900000000,"tenant":"evil"}"""));

        Assert.False(result.Succeeded);
        Assert.Contains("repeats the member 'tenant'", result.Failure);
    }

    [Theory]
    [InlineData("""["acme"]""")]
    [InlineData("\"acme\"")]
    [InlineData("42")]
    [InlineData("null")]
    public void Non_object_payload_fails(string json)
    {
        Assert.Contains("not a JSON object", Check(Sign(json)).Failure);
    }

    [Fact]
    public void Payload_that_is_not_json_fails()
    {
        Assert.Contains("not valid UTF-8 JSON", Check(Sign("{tenant:acme}")).Failure);
    }

    [Theory]
    [InlineData("""{"exp":1900000000}""", "no string 'tenant'")]
    [InlineData("""{"tenant":42,"exp":1900000000}""", "no string 'tenant'")]
    [InlineData("""{"tenant":"","exp":1900000000}""", "tenant is empty")]
    [InlineData("""{"tenant":"ac\u0000me","exp":1900000000}""", "control character")]
    [InlineData("""{"tenant":" acme","exp":1900000000}""", "white space")]
    [InlineData("""{"tenant":"acme"}""", "no 'exp'")]
    [InlineData("""{"tenant":"acme","exp":"1900000000"}""", "'exp' is not a time")]
    [InlineData("""{"tenant":"acme","exp":-1}""", "'exp' is not a time")]
    [InlineData("""{"tenant":"acme","exp":1e300}""", "'exp' is not a time")]
    [InlineData("""{"tenant":"acme","exp":1900000000,"roles":"admin"}""", "not an array of strings")]
    [InlineData("""{"tenant":"acme","exp":1900000000,"roles":["a",1]}""", "not an array of strings")]
    [InlineData("""{"tenant":"acme","exp":1900000000,"user":7}""", "'user' is not a string")]
    [InlineData("""{"tenant":"acme","exp":1900000000,"iat":"x"}""", "'iat' is not a time")]
    public void Bad_claims_fail_with_a_reason(string json, string reason)
    {
        var result = Check(Sign(json));

        Assert.False(result.Succeeded);
        Assert.Contains(reason, result.Failure);
    }

    [Fact]
    public void Tenant_longer_than_256_characters_fails()
    {
        var result = Check(Sign($$"""{"tenant":"{{new string('t', 257)}}","exp":1900000000}"""));

        Assert.Contains("longer than 256", result.Failure);
        Assert.True(Check(Sign($$"""{"tenant":"{{new string('t', 256)}}","exp":1900000000}""")).Succeeded);
    }

    [Fact]
    public void Huge_token_fails_without_echoing_it()
    {
        var roles = Enumerable.Range(0, 2000).Select(i => "role" + i).ToArray();
        var token = ServiceTokenValidator.Issue(Secret, "acme", null, roles, Now.AddMinutes(5));
        Assert.True(token.Length > ServiceTokenValidator.MaxTokenLength);

        var result = Check(token);

        Assert.False(result.Succeeded);
        Assert.Contains("longer than 8192", result.Failure);
        Assert.DoesNotContain(token[..20], result.Failure);
    }

    [Fact]
    public void Failures_never_echo_the_token()
    {
        var token = ServiceTokenValidator.Issue(Secret, "acme", null, null, Now.AddMinutes(5));
        var tampered = token[..^2] + (token[^2] == 'A' ? "BA" : "AA");

        var result = Check(tampered);

        Assert.False(result.Succeeded);
        Assert.DoesNotContain(tampered[..10], result.Failure);
        Assert.DoesNotContain(tampered[^10..], result.Failure);
    }

    [Fact]
    public void Garbage_never_throws()
    {
        var validator = Validator();
        string[] inputs = ["", ".", "..", "a.b", "====.====", "\u0000.\u0001", "é.é", new string('.', 9000), "AAAA.AAAA"];

        foreach (var input in inputs)
        {
            Assert.False(Run(validator, input).Succeeded);
        }
    }

    [Fact]
    public void Secret_from_config_is_base64_like_the_sdk()
    {
        var b64 = Convert.ToBase64String(Secret);
        var token = ServiceTokenValidator.Issue(Secret, "acme", null, null, Now.AddMinutes(5));

        Assert.Equal(Secret, ServiceTokenValidator.DecodeSecret(b64));
        Assert.Equal(Secret, ServiceTokenValidator.DecodeSecret(Base64Url.EncodeToString(Secret)));
        Assert.True(Run(ServiceTokenValidator.FromBase64Secret(b64, null, new TestClock(Now)), token).Succeeded);
        Assert.Throws<ArgumentException>(() => ServiceTokenValidator.DecodeSecret("not base64!"));
        Assert.Throws<ArgumentException>(() => ServiceTokenValidator.FromBase64Secret(Convert.ToBase64String(new byte[8])));
    }
}
