namespace Sec0.Config;

/// <summary>
/// Thrown when <c>sec0.config.yaml</c> is missing, unreadable, not valid YAML or invalid. It is the only
/// exception type that leaves the config loader, whatever the file holds.
/// </summary>
public sealed class Sec0ConfigException : Sec0Exception
{
    /// <summary>The code carried by every config error.</summary>
    public const string ErrorCode = "CONFIG_INVALID";

    /// <summary>Creates a config error.</summary>
    /// <param name="message">The documented <c>[sec0] ...</c> text.</param>
    /// <param name="filePath">The absolute path of the config file, when known.</param>
    /// <param name="line">1-based line of the problem in the YAML, when known.</param>
    /// <param name="column">1-based column of the problem in the YAML, when known.</param>
    /// <param name="innerException">The underlying cause, when there is one.</param>
    public Sec0ConfigException(string message, string? filePath = null, int? line = null, int? column = null, Exception? innerException = null)
        : base(ErrorCode, message, innerException)
    {
        FilePath = filePath;
        Line = line;
        Column = column;
    }

    /// <summary>The absolute path of the config file, when known.</summary>
    public string? FilePath { get; }

    /// <summary>1-based line of the problem, when known.</summary>
    public int? Line { get; }

    /// <summary>1-based column of the problem, when known.</summary>
    public int? Column { get; }
}
