using System.Reflection;

namespace Sec0.Generators.Emitting;

/// <summary>The version of this generator, as generated code states it in <c>[GeneratedCode]</c>.</summary>
internal static class GeneratorVersion
{
    /// <summary>
    /// The assembly's informational version (the package version it was built with) without the
    /// <c>+commit</c> suffix the SDK appends, so generated code does not change with each commit; the
    /// assembly version when there is none. Read once.
    /// </summary>
    public static string Current { get; } = Read(typeof(GeneratorVersion).Assembly);

    internal static string Read(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (!string.IsNullOrEmpty(informational))
        {
            var metadata = informational!.IndexOf('+');
            return metadata < 0 ? informational : informational.Substring(0, metadata);
        }

        return assembly.GetName().Version?.ToString() ?? "0.0.0.0";
    }
}
