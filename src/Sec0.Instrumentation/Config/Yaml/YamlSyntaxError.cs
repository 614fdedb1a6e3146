// This file is also compiled into the Sec0 analyzers (netstandard2.0): keep it to plain C# and netstandard2.0 APIs.
namespace Sec0.Config.Yaml;

/// <summary>
/// A YAML syntax error in plain words: the 1-based position the user should look at first (where the broken
/// construct starts, or the offending character) and a message that names that position and where parsing failed.
/// </summary>
internal sealed class YamlSyntaxError
{
    public YamlSyntaxError(int line, int column, string message)
    {
        Line = line;
        Column = column;
        Message = message;
    }

    /// <summary>The line of the broken construct (an unclosed bracket or quote, a tab, a repeated key, a misplaced key).</summary>
    public int Line { get; }

    /// <summary>The column of the broken construct.</summary>
    public int Column { get; }

    /// <summary>What is wrong and what to change, naming both the construct's position and where parsing failed.</summary>
    public string Message { get; }
}
