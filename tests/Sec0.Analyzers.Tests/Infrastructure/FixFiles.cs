namespace Sec0.Analyzers.Tests.Infrastructure;

/// <summary>The committed code fix inputs and expected results under Fixes/, compared byte for byte.</summary>
internal static class FixFiles
{
    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixes", name));

    /// <summary>
    /// Asserts <paramref name="actual"/> equals Fixes/<paramref name="expectedName"/>. On a mismatch the
    /// actual text is written beside the output as *.received.yaml to diff against.
    /// </summary>
    public static void AssertMatches(string expectedName, string actual)
    {
        var expected = Read(expectedName);
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
        {
            File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "Fixes", Path.ChangeExtension(expectedName, ".received.yaml")), actual);
        }

        Assert.Equal(expected, actual);
    }
}
