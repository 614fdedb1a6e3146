namespace Sec0.Mcp;

/// <summary>
/// Thrown at start-up when an option of <see cref="Sec0McpOptions"/> cannot be used: the policy does not load,
/// the key does not load, the audit directory cannot be opened. The message names the option.
/// </summary>
public sealed class Sec0McpOptionsException : Sec0Exception
{
    /// <summary>The <see cref="Sec0Exception.Code"/> of this exception.</summary>
    public const string ErrorCode = "MCP_OPTIONS_INVALID";

    /// <summary>Creates the exception for <paramref name="optionName"/>.</summary>
    /// <param name="optionName">The option, e.g. <c>Sec0McpOptions.PolicyPath</c>.</param>
    /// <param name="message">What is wrong with it.</param>
    /// <param name="innerException">The loader's error.</param>
    public Sec0McpOptionsException(string optionName, string message, Exception? innerException = null)
        : base(ErrorCode, $"[sec0] {optionName}: {message}", innerException)
    {
        OptionName = optionName;
    }

    /// <summary>The option that could not be used.</summary>
    public string OptionName { get; }
}
