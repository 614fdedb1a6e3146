using System.Text;

namespace Sec0.Policy;

/// <summary>
/// Thrown when a policy file is missing, unreadable, not valid YAML or invalid. It carries every problem
/// found, not just the first. It is the only exception type that leaves <see cref="PolicyLoader"/>.
/// </summary>
public sealed class Sec0PolicyException : Sec0Exception
{
    /// <summary>The code carried by every policy error.</summary>
    public const string ErrorCode = "POLICY_INVALID";

    /// <summary>Creates a policy error with its problems.</summary>
    /// <param name="sourceName">The file path or source name of the policy.</param>
    /// <param name="problems">Every problem found; at least one.</param>
    /// <param name="innerException">The underlying cause, when there is one.</param>
    public Sec0PolicyException(string sourceName, IReadOnlyList<PolicyProblem> problems, Exception? innerException = null)
        : base(ErrorCode, FormatMessage(sourceName, problems), innerException)
    {
        SourceName = sourceName;
        Problems = problems;
    }

    /// <summary>The file path or source name of the policy.</summary>
    public string SourceName { get; }

    /// <summary>Every problem found, in file order.</summary>
    public IReadOnlyList<PolicyProblem> Problems { get; }

    private static string FormatMessage(string sourceName, IReadOnlyList<PolicyProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var builder = new StringBuilder("[sec0] Invalid policy file: ").Append(sourceName);
        builder.Append(problems.Count == 1 ? " (1 problem)" : $" ({problems.Count} problems)");
        foreach (var problem in problems)
        {
            builder.Append(Environment.NewLine).Append("  ").Append(problem);
        }

        return builder.ToString();
    }
}
