namespace Sec0.Signing;

/// <summary>
/// Thrown when a signing or verification key cannot be loaded or used. Messages start with
/// <c>[sec0-signer]</c> as in the TypeScript SDK.
/// </summary>
public sealed class Sec0SignerException : Sec0Exception
{
    /// <summary>The code carried by every signer error.</summary>
    public const string ErrorCode = "SIGNER_ERROR";

    /// <summary>Creates a signer error.</summary>
    public Sec0SignerException(string message, Exception? innerException = null)
        : base(ErrorCode, message, innerException)
    {
    }
}
