namespace Sec0;

/// <summary>
/// The base type of every exception the Sec0 SDK throws on purpose. <see cref="Code"/> is a stable,
/// machine-readable identifier (for example <c>CONFIG_INVALID</c> or <c>POLICY_DENIED</c>); the message
/// keeps the texts users of the TypeScript SDK already search for.
/// </summary>
public class Sec0Exception : Exception
{
    /// <summary>Creates an exception with a stable code and a message.</summary>
    public Sec0Exception(string code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>A stable, machine-readable error code.</summary>
    public string Code { get; }
}
