using System.Security;
using System.Text;
using Sec0.Config.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sec0.Config;

/// <summary>
/// Loads and validates <c>sec0.config.yaml</c>. Whatever the file holds, the only exception that leaves
/// <see cref="Load"/> and <see cref="Parse"/> is <see cref="Sec0ConfigException"/>; its message is one of
/// the documented <c>[sec0] ...</c> texts (see docs/configuration.md).
/// </summary>
public static class Sec0ConfigLoader
{
    /// <summary>The file name used when no path is given.</summary>
    public const string DefaultFileName = "sec0.config.yaml";

    /// <summary>Config files larger than this are rejected rather than read into memory.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>YAML nested deeper than this is rejected (the config itself needs five levels).</summary>
    internal const int MaxNestingDepth = 64;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads, parses and validates the config file at <paramref name="path"/>.</summary>
    /// <param name="path">The file; relative paths resolve against the current directory.</param>
    /// <param name="options">Load options, or null for <see cref="Sec0ConfigLoadOptions.Default"/>.</param>
    /// <exception cref="Sec0ConfigException">The file is missing, unreadable, not valid YAML or invalid.</exception>
    public static Sec0Config Load(string path = DefaultFileName, Sec0ConfigLoadOptions? options = null)
    {
        var fullPath = GetFullPath(path);
        string text;
        try
        {
            text = ReadFile(fullPath);
        }
        catch (Sec0ConfigException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw ConfigErrors.Invalid(fullPath, ex.Message, inner: ex);
        }

        return Parse(text, fullPath, options);
    }

    /// <summary>
    /// Parses and validates config text as if it had been read from <paramref name="filePath"/>: relative
    /// paths in it resolve against that file's folder, and errors name that file.
    /// </summary>
    /// <param name="yaml">The YAML text.</param>
    /// <param name="filePath">The file the text belongs to (need not exist).</param>
    /// <param name="options">Load options, or null for <see cref="Sec0ConfigLoadOptions.Default"/>.</param>
    /// <exception cref="Sec0ConfigException">The text is not valid YAML or not a valid config.</exception>
    public static Sec0Config Parse(string yaml, string filePath, Sec0ConfigLoadOptions? options = null)
    {
        var fullPath = GetFullPath(filePath);
        try
        {
            if (yaml is null)
            {
                throw ConfigErrors.Invalid(fullPath, "no YAML text was given");
            }

            var directory = Path.GetDirectoryName(fullPath) ?? Path.GetPathRoot(fullPath) ?? fullPath;
            var root = ParseYaml(yaml, fullPath);
            return new ConfigModelBuilder(fullPath, directory, options ?? Sec0ConfigLoadOptions.Default).Build(root);
        }
        catch (Sec0ConfigException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not a known failure (a bug or an environment lookup that threw): still only our exception type
            // leaves the loader, with the cause kept for diagnosis.
            throw ConfigErrors.Invalid(fullPath, ex.Message, inner: ex);
        }
    }

    private static string GetFullPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw ConfigErrors.Invalid(path ?? string.Empty, "the config file path is empty");
        }

        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException or SecurityException)
        {
            throw ConfigErrors.Invalid(path, "the config file path is not valid", inner: ex);
        }
    }

    private static string ReadFile(string fullPath)
    {
        if (Directory.Exists(fullPath))
        {
            throw ConfigErrors.Invalid(fullPath, "the path is a folder, not a file");
        }

        if (!File.Exists(fullPath))
        {
            throw ConfigErrors.NotFound(fullPath);
        }

        try
        {
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length > MaxFileBytes)
            {
                throw ConfigErrors.Invalid(fullPath, $"the file is larger than {MaxFileBytes} bytes");
            }

            using var reader = new StreamReader(stream, s_strictUtf8, detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // Deleted between the check and the read.
            throw ConfigErrors.NotFound(fullPath);
        }
        catch (DecoderFallbackException ex)
        {
            throw ConfigErrors.Invalid(fullPath, "the file is not valid UTF-8 text", inner: ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SecurityException)
        {
            throw ConfigErrors.Invalid(fullPath, ex.Message, inner: ex);
        }
    }

    private static YamlNode? ParseYaml(string yaml, string fullPath)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(yaml);
        var parser = new DepthLimitingParser(new Parser(reader), MaxNestingDepth);
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            var line = YamlConfigReader.ToInt(ex.Start.Line);
            var column = YamlConfigReader.ToInt(ex.Start.Column);
            if (ex.Message.Contains("tab as indentation", StringComparison.Ordinal) || ex.Message.Contains("tab character that violate", StringComparison.Ordinal))
            {
                (line, column) = FindTabIndentation(yaml, line, column);
            }

            throw ConfigErrors.Syntax(fullPath, line, column, StripPosition(ex.Message), ex);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // YamlDotNet reports some problems (duplicate keys, some malformed scalars) with non-YAML
            // exception types and no position; the end of the last event read is close to the problem.
            var line = Math.Max(1, YamlConfigReader.ToInt(parser.LastPosition.Line));
            var column = Math.Max(1, YamlConfigReader.ToInt(parser.LastPosition.Column));
            throw ConfigErrors.Syntax(fullPath, line, column, "The YAML could not be parsed: " + ex.Message, ex);
        }

        return stream.Documents.Count switch
        {
            0 => null,
            1 => stream.Documents[0].RootNode,
            _ => throw ConfigErrors.Invalid(
                fullPath,
                "the file holds more than one YAML document",
                YamlConfigReader.Line(stream.Documents[1].RootNode),
                YamlConfigReader.Column(stream.Documents[1].RootNode)),
        };
    }

    /// <summary>
    /// YamlDotNet reports a tab used as indentation at the start of the enclosing mapping; point at the
    /// first indenting tab at or after that line instead, which is what the user has to fix.
    /// </summary>
    private static (int Line, int Column) FindTabIndentation(string yaml, int line, int column)
    {
        var lines = yaml.Split('\n');
        for (var index = Math.Max(0, line - 1); index < lines.Length; index++)
        {
            var text = lines[index];
            var indent = 0;
            while (indent < text.Length && text[indent] is ' ' or '\t')
            {
                if (text[indent] == '\t')
                {
                    return (index + 1, indent + 1);
                }

                indent++;
            }
        }

        return (line, column);
    }

    /// <summary>YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (...): "; we state the position ourselves.</summary>
    private static string StripPosition(string message)
    {
        if (message.StartsWith("(Line:", StringComparison.Ordinal))
        {
            var end = message.IndexOf("): ", StringComparison.Ordinal);
            var second = end < 0 ? -1 : message.IndexOf("): ", end + 3, StringComparison.Ordinal);
            if (second > 0 && message.AsSpan(end, second - end).Contains(" - (Line:", StringComparison.Ordinal))
            {
                return message[(second + 3)..];
            }

            if (end > 0)
            {
                return message[(end + 3)..];
            }
        }

        return message;
    }
}
