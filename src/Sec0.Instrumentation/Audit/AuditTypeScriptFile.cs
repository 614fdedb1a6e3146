using System.Globalization;

namespace Sec0.Audit;

/// <summary>
/// A file of an audit log holding lines written by Sec0's TypeScript SDK whose signatures verify: signed, but
/// in no chain, so nothing shows that none of the file's lines were removed, reordered or copied in.
/// </summary>
/// <param name="File">The file name.</param>
/// <param name="Lines">How many of its lines are TypeScript SDK lines with a valid signature.</param>
public sealed record AuditTypeScriptFile(string File, long Lines)
{
    /// <summary>What these lines prove and what they cannot, in words (one line of <c>sec0 verify</c>'s output).</summary>
    public string Message => string.Create(CultureInfo.InvariantCulture,
        $"{Lines} line(s) signed, unchained (TypeScript SDK format): every signature verifies, but this format has no chain, so lines removed, reordered or copied in from elsewhere cannot be detected");

    /// <inheritdoc />
    public override string ToString() => $"{File}: {Message}";
}
