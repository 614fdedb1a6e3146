namespace Sec0.Config;

/// <summary>
/// The documented config error texts, in one place so that they stay word for word what users of the
/// TypeScript SDK search for (see docs/configuration.md).
/// </summary>
internal static class ConfigErrors
{
    public static Sec0ConfigException NotFound(string fullPath) =>
        new($"[sec0] Config file not found: {fullPath}", fullPath);

    /// <summary><c>[sec0] Invalid config file: &lt;path&gt;</c>, with an optional <c> (detail, line L, column C)</c>.</summary>
    public static Sec0ConfigException Invalid(string path, string? detail = null, int? line = null, int? column = null, Exception? inner = null)
    {
        var message = $"[sec0] Invalid config file: {path}";
        if (detail is not null)
        {
            message += line is null ? $" ({detail})" : $" ({detail}, line {line}, column {column})";
        }

        return new Sec0ConfigException(message, path, line, column, inner);
    }

    /// <summary>A YAML syntax error: <c>[sec0] Invalid config file: &lt;path&gt; (line L, column C): &lt;parser message&gt;</c>.</summary>
    public static Sec0ConfigException Syntax(string path, int line, int column, string parserMessage, Exception inner) =>
        new($"[sec0] Invalid config file: {path} (line {line}, column {column}): {parserMessage}", path, line, column, inner);

    public static Sec0ConfigException AppRequired(string path) =>
        new("[sec0] app configuration block is required.", path);

    public static Sec0ConfigException TenantRequired(string path, int? line, int? column) =>
        new("[sec0] app.tenant is required", path, line, column);

    public static Sec0ConfigException Sec0DirRequired(string path, int? line, int? column) =>
        new("[sec0] controlPlane.sec0Dir is required", path, line, column);

    public static Sec0ConfigException LocalSignerPathRequired(string path, int? line, int? column) =>
        new("[sec0] controlPlane.localSignerPath is required", path, line, column);

    public static Sec0ConfigException SigningKeyNotFound(string path, string keyPath, int? line, int? column) =>
        new($"[sec0] Signing key file not found at: {keyPath}", path, line, column);

    public static Sec0ConfigException EnvironmentMissing(string path, int? line, int? column) =>
        new("[sec0] app.environment must be set to one of dev, staging, or prod.", path, line, column);

    public static Sec0ConfigException EnvironmentInvalid(string path, string value, int? line, int? column) =>
        new($"[sec0] app.environment \"{value}\" is invalid. Expected dev, staging, or prod.", path, line, column);

    public static Sec0ConfigException HopMissingType(string path, string key, int? line, int? column) =>
        new($"[sec0] Hop \"{key}\" is missing required field 'type'.", path, line, column);

    public static Sec0ConfigException HopMissingField(string path, string key, string field, int? line, int? column) =>
        new(HopRequirements.FormatMissingFieldMessage(key, field), path, line, column);

    public static Sec0ConfigException HopUnknownType(string path, string key, string type, int? line, int? column) =>
        new($"[sec0] Hop \"{key}\" has unknown type \"{type}\".", path, line, column);

    public static Sec0ConfigException NoHop(string path, string? key) =>
        new($"[sec0] No hop configuration found for \"{key}\". Define app.hops[\"{key}\"] in your config file.", path);

    public static Sec0ConfigException HopTypeMismatch(string path, string key, HopType configured, HopType expected, int line, int column) =>
        new(
            $"[sec0] Hop \"{key}\" is configured as \"{HopRequirements.GetYamlName(configured)}\" but the decorator expects \"{HopRequirements.GetYamlName(expected)}\".",
            path,
            line,
            column);
}
