using System.Security.Cryptography;
using System.Text;

namespace Sec0.Approvals;

/// <summary>
/// Approval tokens: <c>s0at_&lt;escalation id&gt;.&lt;base64url HMAC-SHA256&gt;</c>, made with a secret only the
/// processes that run the calls hold (<c>&lt;approvals dir&gt;/token.key</c>, mode 0600). The token names its escalation;
/// what it allows (tenant, tool, node, arguments) and whether it was used are the escalation's, in the store, so a
/// token is worth nothing on another call and nothing twice.
/// </summary>
public sealed class ApprovalTokens
{
    private const string Prefix = "s0at_";
    private static readonly byte[] s_context = Encoding.UTF8.GetBytes("sec0-approval-token\n");
    private static readonly byte[] s_reviewerKeyContext = Encoding.UTF8.GetBytes("sec0-reviewer-key\n");
    private readonly byte[] _secret;

    /// <summary>Creates tokens with <paramref name="secret"/> (at least 32 bytes).</summary>
    public ApprovalTokens(ReadOnlySpan<byte> secret)
    {
        if (secret.Length < 32)
        {
            throw new ArgumentException("The token secret must be at least 32 bytes.", nameof(secret));
        }

        _secret = secret.ToArray();
        Span<byte> reviewerKey = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_secret, s_reviewerKeyContext, reviewerKey);
        Reviewers = new ReviewerTokens(reviewerKey);
    }

    /// <summary>
    /// Reviewer tokens (the reviewer page's sign-in), made with a key derived from this secret, so every process that
    /// shares the escalations (a folder, or gateway replicas on PostgreSQL) accepts the same reviewer tokens.
    /// </summary>
    public ReviewerTokens Reviewers { get; }

    /// <summary>
    /// Reads the secret from <paramref name="path"/>, creating it (32 random bytes, mode 0600, folder 0700) when missing.
    /// </summary>
    /// <exception cref="IOException">The file cannot be read or written, or holds fewer than 32 bytes.</exception>
    public static ApprovalTokens FromKeyFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                using var stream = new FileStream(path, options);
                stream.Write(RandomNumberGenerator.GetBytes(32));
                stream.Flush(flushToDisk: true);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs.
            }
        }

        var secret = File.ReadAllBytes(path);
        if (secret.Length < 32)
        {
            throw new IOException($"[sec0] The approval token key {path} holds {secret.Length} bytes, fewer than 32: delete it and a new one is made (tokens already handed out stop working).");
        }

        return new ApprovalTokens(secret);
    }

    /// <summary>The token of <paramref name="escalationId"/>.</summary>
    public string For(string escalationId)
    {
        if (!EscalationIds.IsValid(escalationId))
        {
            throw new ArgumentException($"\"{escalationId}\" is not an escalation id.", nameof(escalationId));
        }

        return Prefix + escalationId + "." + TokenMac.Compute(_secret, s_context, escalationId);
    }

    /// <summary>The escalation a token names, when the token is one this secret made (checked in constant time).</summary>
    public bool TryRead(string? token, out string escalationId)
    {
        escalationId = "";
        if (token is null || token.Length > 128 || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return false;
        }

        var id = token[Prefix.Length..dot];
        if (!EscalationIds.IsValid(id))
        {
            return false;
        }

        if (!TokenMac.Matches(TokenMac.Compute(_secret, s_context, id), token.AsSpan(dot + 1)))
        {
            return false;
        }

        escalationId = id;
        return true;
    }
}
