using Sec0.Config;
using Sec0.Policy;

namespace Sec0.Instrumentation.Tests.Config;

/// <summary>
/// A broken sec0.config.yaml or policy.yaml is reported in plain words, naming where the broken construct starts
/// and where parsing failed, never with the parser's own text.
/// </summary>
public sealed class YamlSyntaxErrorTests : IDisposable
{
    private readonly TempConfigDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>File content, the position of the broken construct, where parsing failed, and a word the message must hold.</summary>
    public static TheoryData<string, int, int, int, int, string> BrokenFiles => new()
    {
        // An unclosed '[' in the middle of the file: YamlDotNet itself only says "Operation is not valid due to the current state of the object".
        { "app:\n  tenant: demo\n  tags: [a, b\n  environment: dev\ncontrolPlane:\n  sec0Dir: x\n", 3, 9, 3, 13, "'['" },
        { "app:\n  tenant: demo\n  environment: [dev\n", 3, 16, 4, 1, "'['" },
        { "app:\n  client: { name: a, version: 1\n  environment: dev\nother: 1\n", 2, 11, 2, 31, "'{'" },
        { "app: { tenant: demo, environment: dev\n", 1, 6, 2, 1, "'{'" },
        { "app:\n  tenant: \"demo\n  environment: dev\nx: 1\n", 2, 11, 3, 3, "double-quoted" },
        { "app:\n  tenant: 'demo\n  environment: dev\nx: 1\n", 2, 11, 5, 1, "single-quoted" },
        { "app:\n  tenant: demo\n    environment: dev\n", 2, 11, 3, 16, "indented deeper" },
        { "app:\n    tenant: demo\n  environment: dev\n", 3, 3, 2, 5, "same column" },
        { "app:\n  tenant: demo\n\tenvironment: dev\n", 3, 1, 2, 11, "tab" },
        { "app:\n  tenant: a\n  environment: dev\n  tenant: b\n", 4, 3, 2, 3, "only once" },
        { "app:\n  tenant: demo: x\n", 2, 11, 2, 15, "Quote the value" },
        { "app:\n  - a\n  b: c\n", 3, 3, 2, 3, "'- ' item" },
    };

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void Config_syntax_error_names_the_broken_construct_and_where_parsing_failed(string yaml, int line, int column, int otherLine, int otherColumn, string word)
    {
        var path = _dir.Write("sec0.config.yaml", yaml);

        var error = Assert.Throws<Sec0ConfigException>(() => Sec0ConfigLoader.Load(path, TempConfigDirectory.Options()));

        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.StartsWith($"[sec0] Invalid config file: {path} (line {line}, column {column}): ", error.Message, StringComparison.Ordinal);
        AssertPlainWords(error.Message, line, column, otherLine, otherColumn, word);
    }

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void Policy_syntax_error_names_the_broken_construct_and_where_parsing_failed(string yaml, int line, int column, int otherLine, int otherColumn, string word)
    {
        var path = _dir.Write("policy.yaml", yaml);

        var error = Assert.Throws<Sec0PolicyException>(() => PolicyLoader.Load(path));

        var problem = Assert.Single(error.Problems);
        Assert.Equal((line, column), (problem.Line, problem.Column));
        AssertPlainWords(problem.Message, line, column, otherLine, otherColumn, word);
        Assert.Contains(problem.Message, error.Message, StringComparison.Ordinal);
    }

    private static void AssertPlainWords(string message, int line, int column, int otherLine, int otherColumn, string word)
    {
        // The message itself is the failure text, so a wrong one is readable in the test output.
        Assert.True(message.Contains($"line {line}, column {column}", StringComparison.Ordinal), message);
        Assert.True(message.Contains($"line {otherLine}, column {otherColumn}", StringComparison.Ordinal), message);
        Assert.True(message.Contains(word, StringComparison.Ordinal), message);

        // YamlDotNet's own texts never reach the user.
        Assert.DoesNotContain("Operation is not valid", message, StringComparison.Ordinal);
        Assert.DoesNotContain("While parsing", message, StringComparison.Ordinal);
        Assert.DoesNotContain("While scanning", message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Line:", message, StringComparison.Ordinal);
    }
}
