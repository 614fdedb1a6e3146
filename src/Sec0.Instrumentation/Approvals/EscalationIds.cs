using System.Security.Cryptography;

namespace Sec0.Approvals;

/// <summary>Escalation ids: <c>esc_</c> and 32 lower-case hex digits, random. Anything else is never looked up (ids become file names).</summary>
public static class EscalationIds
{
    private const string Prefix = "esc_";

    /// <summary>A new random id.</summary>
    public static string New() => Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Whether <paramref name="id"/> has the form of an escalation id.</summary>
    public static bool IsValid(string? id)
    {
        if (id is null || id.Length != Prefix.Length + 32 || !id.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in id.AsSpan(Prefix.Length))
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }
}
