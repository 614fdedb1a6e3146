using System.ComponentModel;
using ModelContextProtocol.Server;

namespace Sec0.Samples.McpServer;

/// <summary>The sample's tools: one read-only, one side-effecting, one the policy denies.</summary>
[McpServerToolType]
public sealed class SampleTools
{
    /// <summary>Read-only: no idempotency key needed.</summary>
    [McpServerTool(Name = "get_time", ReadOnly = true, Idempotent = true, Destructive = false)]
    [Description("Returns the current UTC time.")]
    public static string GetTime() => DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Side-effecting and destructive: the policy requires an idempotency key in <c>_meta["x-idempotency-key"]</c>.</summary>
    [McpServerTool(Name = "transfer_funds", ReadOnly = false, Destructive = true, Idempotent = false)]
    [Description("Moves an amount between two accounts (simulated).")]
    public static string TransferFunds(
        [Description("Source account")] string from,
        [Description("Target account")] string to,
        [Description("Amount in cents")] long amountCents) =>
        $"transferred {amountCents} cents from {from} to {to}";

    /// <summary>Registered but not in the policy's allowlist: Sec0 denies it before it runs.</summary>
    [McpServerTool(Name = "delete_everything", ReadOnly = false, Destructive = true)]
    [Description("Deletes every record (never allowed by the sample policy).")]
    public static string DeleteEverything() => "everything deleted";
}
