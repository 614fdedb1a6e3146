namespace Sec0.Config;

/// <summary>Options for <see cref="Sec0ConfigLoader"/>.</summary>
public sealed record Sec0ConfigLoadOptions
{
    /// <summary>The options used when none are given.</summary>
    public static Sec0ConfigLoadOptions Default { get; } = new();

    /// <summary>
    /// Whether the file at <c>controlPlane.localSignerPath</c> must exist (default true). Tools that only
    /// read the config (for example <c>sec0 hops</c>) turn it off.
    /// </summary>
    public bool CheckSigningKeyExists { get; init; } = true;

    /// <summary>
    /// Reads an environment variable (null when unset). Defaults to
    /// <see cref="System.Environment.GetEnvironmentVariable(string)"/>; tests pass their own lookup instead of
    /// changing the process environment.
    /// </summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
}
