namespace Sec0.Gateway;

/// <summary>The gateway's options are missing or wrong; thrown when it starts, never at a request.</summary>
public sealed class Sec0GatewayOptionsException : Sec0Exception
{
    /// <summary>The code of every options error.</summary>
    public const string ErrorCode = "GATEWAY_OPTIONS_INVALID";

    /// <summary>Creates the error.</summary>
    public Sec0GatewayOptionsException(string message, Exception? innerException = null)
        : base(ErrorCode, message, innerException)
    {
    }
}
