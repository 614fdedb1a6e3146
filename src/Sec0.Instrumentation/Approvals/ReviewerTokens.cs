using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Sec0.Approvals;

/// <summary>
/// Reviewer tokens sign people in to the reviewer page: <c>s0rv_&lt;base64url user&gt;.&lt;expiry, Unix
/// seconds&gt;.&lt;base64url HMAC-SHA256&gt;</c>, made by <c>sec0 approvals token --as &lt;user&gt;</c> with a key derived
/// from the approvals' token secret. A token only says who someone is, until when; what they may decide comes from the
/// escalation's reviewer group, so removing a user from a group takes effect at once, and a token ends at its expiry.
/// The page's CSRF tokens are derived from the signed-in token with the same key.
/// </summary>
public sealed class ReviewerTokens
{
    /// <summary>What every reviewer token starts with.</summary>
    public const string Prefix = "s0rv_";

    /// <summary>How long a token is valid when no lifetime is given: a working day.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(8);

    /// <summary>The longest lifetime a token may have.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(30);

    /// <summary>The longest user name a token carries.</summary>
    public const int MaxUserLength = 128;

    private const int MaxTokenLength = 512;
    private static readonly byte[] s_tokenContext = Encoding.UTF8.GetBytes("sec0-reviewer-token\n");
    private static readonly byte[] s_csrfContext = Encoding.UTF8.GetBytes("sec0-reviewer-csrf\n");
    private readonly byte[] _key;

    internal ReviewerTokens(ReadOnlySpan<byte> key) => _key = key.ToArray();

    /// <summary>A token that signs <paramref name="user"/> in until <paramref name="expiresAt"/>.</summary>
    /// <exception cref="ArgumentException">The user name is empty, too long or holds control characters.</exception>
    public string Issue(string user, DateTimeOffset expiresAt)
    {
        if (!IsValidUser(user))
        {
            throw new ArgumentException($"A reviewer name must be 1 to {MaxUserLength} characters without control characters.", nameof(user));
        }

        var payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(user)) + "." + expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return Prefix + payload + "." + Mac(s_tokenContext, payload);
    }

    /// <summary>
    /// The user a token signs in, when this key made it and it has not expired at <paramref name="now"/> (the MAC is
    /// compared in constant time).
    /// </summary>
    public bool TryRead(string? token, DateTimeOffset now, [NotNullWhen(true)] out string? user, out DateTimeOffset expiresAt)
    {
        user = null;
        expiresAt = default;
        if (token is null || token.Length > MaxTokenLength || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var macDot = token.LastIndexOf('.');
        if (macDot <= Prefix.Length)
        {
            return false;
        }

        var payload = token[Prefix.Length..macDot];
        if (!TokenMac.Matches(Mac(s_tokenContext, payload), token.AsSpan(macDot + 1)))
        {
            return false;
        }

        var dot = payload.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0
            || !long.TryParse(payload.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        expiresAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (expiresAt <= now)
        {
            return false;
        }

        string name;
        try
        {
            name = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(payload.AsSpan(0, dot)));
        }
        catch (FormatException)
        {
            return false;
        }

        if (!IsValidUser(name))
        {
            return false;
        }

        user = name;
        return true;
    }

    /// <summary>The CSRF token the reviewer page puts in its forms for the signed-in <paramref name="token"/>.</summary>
    public string CsrfFor(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return Mac(s_csrfContext, token);
    }

    /// <summary>Whether <paramref name="csrf"/> is the CSRF token of <paramref name="token"/> (constant time).</summary>
    public bool IsCsrfFor(string token, string? csrf) => csrf is not null && TokenMac.Matches(CsrfFor(token), csrf);

    /// <summary>Whether <paramref name="user"/> can be a reviewer token's user.</summary>
    public static bool IsValidUser(string? user)
    {
        if (string.IsNullOrEmpty(user) || user.Length > MaxUserLength)
        {
            return false;
        }

        foreach (var c in user)
        {
            if (char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }

    private string Mac(byte[] context, string text) => TokenMac.Compute(_key, context, text);
}
