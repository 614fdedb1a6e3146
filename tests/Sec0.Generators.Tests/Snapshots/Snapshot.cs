using System.Runtime.CompilerServices;
using Sec0.Generators.Emitting;

namespace Sec0.Generators.Tests.Snapshots;

/// <summary>
/// A minimal snapshot assertion (Verify is not available here): compares text with the committed
/// <c>Snapshots/&lt;name&gt;.verified.cs</c>; on a mismatch writes <c>&lt;name&gt;.received.cs</c> next to it and
/// fails. With <c>SEC0_ACCEPT_SNAPSHOTS=1</c> the received text is written as the new verified file.
/// </summary>
/// <remarks>
/// The generator's version in <c>[GeneratedCode]</c> is written as <c>{GeneratorVersion}</c> in the
/// snapshots (and stands for <see cref="GeneratorVersion.Current"/>), so a version bump changes none of them.
/// </remarks>
internal static class Snapshot
{
    private static readonly string s_versionedAttribute = GeneratedCodeAttribute(GeneratorVersion.Current);
    private static readonly string s_placeholderAttribute = GeneratedCodeAttribute("{GeneratorVersion}");

    public static void Verify(string actual, string name, [CallerFilePath] string callerFile = "")
    {
        var directory = Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots");
        var verifiedPath = Path.Combine(directory, name + ".verified.cs");
        var receivedPath = Path.Combine(directory, name + ".received.cs");
        actual = Normalize(actual).Replace(s_versionedAttribute, s_placeholderAttribute, StringComparison.Ordinal);

        var expected = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;
        if (expected == actual)
        {
            if (File.Exists(receivedPath))
            {
                File.Delete(receivedPath);
            }

            return;
        }

        if (Environment.GetEnvironmentVariable("SEC0_ACCEPT_SNAPSHOTS") == "1")
        {
            File.WriteAllText(verifiedPath, actual);
            if (File.Exists(receivedPath))
            {
                File.Delete(receivedPath);
            }

            return;
        }

        File.WriteAllText(receivedPath, actual);
        Assert.Fail(expected is null
            ? $"No snapshot {verifiedPath}. Received text written to {receivedPath}; set SEC0_ACCEPT_SNAPSHOTS=1 to accept."
            : $"Snapshot mismatch for {verifiedPath}. Received text written to {receivedPath}; diff them, and set SEC0_ACCEPT_SNAPSHOTS=1 to accept.\n{FirstDifference(expected, actual)}");
    }

    private static string GeneratedCodeAttribute(string version) => "GeneratedCode(\"Sec0.Generators\", \"" + version + "\")";

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n') + "\n";

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : "<end>";
            var al = i < a.Length ? a[i] : "<end>";
            if (el != al)
            {
                return $"line {i + 1}:\n  verified: {el}\n  received: {al}";
            }
        }

        return string.Empty;
    }
}
