using System.Security;
using Sec0.Config.Yaml;
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

    /// <summary>YAML nested deeper than this is rejected (the config itself needs five levels); the analyzers use the same.</summary>
    internal const int MaxNestingDepth = YamlLimits.MaxNestingDepth;

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

    private static string ReadFile(string fullPath) =>
        YamlTextFile.Read(
            fullPath,
            MaxFileBytes,
            () => ConfigErrors.NotFound(fullPath),
            (detail, inner) => ConfigErrors.Invalid(fullPath, detail, inner: inner));

    private static YamlNode? ParseYaml(string yaml, string fullPath) =>
        YamlDocumentParser.ParseSingleDocument(
            yaml,
            MaxNestingDepth,
            (line, column, message, inner) => ConfigErrors.Syntax(fullPath, line, column, message, inner),
            second => ConfigErrors.Invalid(
                fullPath,
                "the file holds more than one YAML document",
                YamlConfigReader.Line(second),
                YamlConfigReader.Column(second)));
}
