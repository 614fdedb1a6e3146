using System.Globalization;
using Sec0.Config;

namespace Sec0.Approvals;

/// <summary>
/// <c>SEC0_ESCALATION_TIMEOUT_MS</c>: how long creating an escalation may take before the call is refused without one
/// (<see cref="ApprovalService.EscalateAsync"/>). Read the same way by the gateway and the hop runtime.
/// </summary>
internal static class EscalationTimeoutVariable
{
    /// <summary>The variable's name.</summary>
    public const string Name = "SEC0_ESCALATION_TIMEOUT_MS";

    /// <summary>The timeout when the variable is not set: 2.5 s, as Sec0's TypeScript SDK.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromMilliseconds(2500);

    /// <summary>The variable's value; null when it is not set.</summary>
    /// <param name="environment">The environment lookup; the process environment when null.</param>
    /// <param name="configPath">The config file named in the error.</param>
    /// <exception cref="Sec0ConfigException">The value is not a whole number of milliseconds, 1 or more.</exception>
    public static TimeSpan? Read(Func<string, string?>? environment, string configPath)
    {
        var text = (environment ?? Environment.GetEnvironmentVariable)(Name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms < 1)
        {
            throw ConfigErrors.Invalid(configPath, $"{Name} is \"{text}\": set it to a number of milliseconds, 1 or more (default 2500)");
        }

        return TimeSpan.FromMilliseconds(ms);
    }
}
