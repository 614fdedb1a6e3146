using System.Reflection;
using System.Text.RegularExpressions;

namespace Sec0.Tests;

/// <summary>
/// One naming style in every test project: a test's name is a sentence whose words are joined by underscores
/// (<c>A_denied_hop_never_runs_its_body</c>). Code names (<c>AddSec0</c>, <c>SEC0101</c>) may stand in it as they are
/// written. Linked into every test project (Directory.Build.props), so each checks its own tests.
/// </summary>
public sealed partial class TestNamingConventionTests
{
    [Fact]
    public void Every_test_name_is_a_sentence_of_words_joined_by_underscores()
    {
        var offenders = typeof(TestNamingConventionTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any())
            .Where(m => !IsSentence(m.Name))
            .Select(m => $"{m.DeclaringType?.Name}.{m.Name}")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(offenders.Count == 0, "Name these tests as sentences (Words_joined_by_underscores, code names as written):\n" + string.Join("\n", offenders));
    }

    [Theory]
    [InlineData("A_denied_hop_never_runs_its_body", true)]
    [InlineData("AddSec0_initializes_at_start", true)]
    [InlineData("SEC0101_method_group_is_reported_at_the_reference", true)]
    [InlineData("Missing_sec0Dir", true)]
    [InlineData("DeniedHopsNeverRunTheirBody", false)]
    [InlineData("MissingAuditDirectory_FailsStartUp_NamingTheOption", false)]
    [InlineData("SEC0103_Fix_MakesTheGuardTheFirstStatement", false)]
    [InlineData("Denied__twice", false)]
    public void The_rule_tells_sentences_from_other_names(string name, bool expected) => Assert.Equal(expected, IsSentence(name));

    /// <summary>
    /// At least two words; at most two words that are PascalCase phrases (code names); and at least half of the words
    /// after the first that are not acronyms start in lower case.
    /// </summary>
    private static bool IsSentence(string name)
    {
        var words = name.Split('_');
        if (words.Length < 2 || words.Any(w => w.Length == 0))
        {
            return false;
        }

        if (words.Count(w => Hump().IsMatch(w)) > 2)
        {
            return false;
        }

        var rest = words.Skip(1).Where(w => !string.Equals(w, w.ToUpperInvariant(), StringComparison.Ordinal)).ToList();
        return rest.Count(w => char.IsLower(w[0]) || char.IsDigit(w[0])) * 2 >= rest.Count;
    }

    [GeneratedRegex("[a-z0-9][A-Z]")]
    private static partial Regex Hump();
}
