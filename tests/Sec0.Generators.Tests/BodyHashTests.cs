using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Sec0.Generators.Parsing;

namespace Sec0.Generators.Tests;

/// <summary>The compile-time body hash: trivia-insensitive, sensitive to every token.</summary>
public class BodyHashTests
{
    private const string Original = """
        class C
        {
            /// <summary>Doc.</summary>
            [Obsolete("x")]
            public static int M(int a, string b = "q")
            {
                // comment
                var total = a + 1_000;
                return total * b.Length;
            }
        }
        """;

    private static string Hash(string source)
    {
        var method = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single();
        return BodyHasher.Compute(method);
    }

    [Fact]
    public void Format_is_scheme_and_lowercase_hex()
        => Assert.Matches("^sha256:v1:[0-9a-f]{64}$", Hash(Original));

    [Theory]
    [InlineData("// comment", "// another comment entirely")]
    [InlineData("/// <summary>Doc.</summary>", "/// <summary>Other docs.</summary>")]
    [InlineData("var total = a + 1_000;", "var   total=a+1_000;   /* inline */")]
    [InlineData("return total * b.Length;", "return total\n            * b.Length;")]
    [InlineData("// comment", "#if NEVER\n        garbage(\n#endif")]
    public void Trivia_edits_keep_the_hash(string from, string to)
        => Assert.Equal(Hash(Original), Hash(Original.Replace(from, to, StringComparison.Ordinal)));

    [Theory]
    [InlineData("a + 1_000", "a + 1000")]
    [InlineData("a + 1_000", "a - 1_000")]
    [InlineData("var total", "var sum")]
    [InlineData("b = \"q\"", "b = \"r\"")]
    [InlineData("[Obsolete(\"x\")]", "[Obsolete(\"y\")]")]
    [InlineData("public static", "internal static")]
    [InlineData("int a,", "long a,")]
    [InlineData("total * b.Length", "b.Length * total")]
    public void Code_edits_change_the_hash(string from, string to)
    {
        var edited = Original.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Original, edited);
        Assert.NotEqual(Hash(Original), Hash(edited));
    }

    [Fact]
    public void Token_boundaries_are_unambiguous()
    {
        // Same characters, different tokens.
        Assert.NotEqual(
            Hash("class C { int M() => a + +b; }"),
            Hash("class C { int M() => a ++ b; }"));
    }
}
