namespace Sec0.Mcp.Tests;

/// <summary>Pins the SDK types Sec0 reads member by member, so an SDK upgrade that adds a member fails a test.</summary>
internal static class SdkSurface
{
    /// <summary>The public instance property names of <paramref name="type"/>, sorted ordinally.</summary>
    public static string[] PublicProperties(Type type) =>
        type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance).Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
}
