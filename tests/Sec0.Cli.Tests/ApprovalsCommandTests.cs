using System.Text.Json;
using Sec0.Approvals;
using Sec0.Cli.Tests.Infrastructure;

namespace Sec0.Cli.Tests;

/// <summary><c>sec0 approvals</c> over a real config and approvals folder, as an operator uses it.</summary>
public sealed class ApprovalsCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public ApprovalsCommandTests()
    {
        File.WriteAllText(ConfigPath, """
            app: { tenant: acme, environment: dev }
            controlPlane: { sec0Dir: ./.sec0, localSignerPath: ./.sec0/keys/ed25519.key }
            approvals:
              default_group: payments
              groups:
                payments:
                  - { user: alice, roles: [finance] }
                  - { user: bob, roles: [security] }
                  - { user: erin, roles: [legal] }
            """);
    }

    private string ConfigPath => _temp.Combine("sec0.config.yaml");

    private string StoreDir => _temp.Combine(".sec0", "approvals");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task An_operator_lists_shows_and_approves_and_a_second_vote_or_a_late_one_is_refused()
    {
        var escalation = await CreateAsync(new ApprovalRequirements { Strategy = ApprovalStrategy.HumanQuorum, MinApprovals = 2, VetoRoles = ["legal"] });

        var list = CliRun.InProcess("approvals", "list", "--config", ConfigPath);
        Assert.Equal(ExitCodes.Success, list.ExitCode);
        Assert.StartsWith(escalation.Id + "  pending", list.Out, StringComparison.Ordinal);
        Assert.Contains("mcp://payments/transfer@1.0.0  agent_guard_failed  votes 0", list.Out, StringComparison.Ordinal);

        var show = CliRun.InProcess("approvals", "show", escalation.Id, "--config", ConfigPath);
        Assert.Equal(ExitCodes.Success, show.ExitCode);
        Assert.Contains("arguments:   {\"amount\":5000}", show.Out, StringComparison.Ordinal);
        Assert.Contains("decided by:  human_quorum, 2 approval(s), 1 rejection(s), veto roles legal", show.Out, StringComparison.Ordinal);
        Assert.Contains("reviewers:   alice (finance), bob (security), erin (legal)", show.Out, StringComparison.Ordinal);

        var first = CliRun.InProcess("approvals", "approve", escalation.Id, "--as", "alice", "--role", "finance", "--note", "checked the invoice", "--config", ConfigPath);
        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.Equal($"approve by alice as finance taken; {escalation.Id} is pending.\n", first.Out);

        var again = CliRun.InProcess("approvals", "approve", escalation.Id, "--as", "alice", "--role", "finance", "--config", ConfigPath);
        Assert.Equal(ExitCodes.Failure, again.ExitCode);
        Assert.Equal($"[sec0] Vote refused: alice already voted on {escalation.Id}; one vote per person.\n", again.Error);

        var wrongRole = CliRun.InProcess("approvals", "approve", escalation.Id, "--as", "bob", "--role", "finance", "--config", ConfigPath);
        Assert.Equal(ExitCodes.Failure, wrongRole.ExitCode);
        Assert.Contains("bob does not hold the role finance (their roles: security)", wrongRole.Error, StringComparison.Ordinal);

        var stranger = CliRun.InProcess("approvals", "reject", escalation.Id, "--as", "mallory", "--role", "legal", "--config", ConfigPath);
        Assert.Equal(ExitCodes.Failure, stranger.ExitCode);
        Assert.Contains("mallory is not a reviewer", stranger.Error, StringComparison.Ordinal);

        var veto = CliRun.InProcess("approvals", "reject", escalation.Id, "--as", "erin", "--role", "legal", "--config", ConfigPath);
        Assert.Equal(ExitCodes.Success, veto.ExitCode);
        Assert.EndsWith($"{escalation.Id} is rejected.\n", veto.Out, StringComparison.Ordinal);

        var late = CliRun.InProcess("approvals", "approve", escalation.Id, "--as", "bob", "--role", "security", "--config", ConfigPath);
        Assert.Equal(ExitCodes.Failure, late.ExitCode);
        Assert.Contains("is already rejected; a late vote changes nothing", late.Error, StringComparison.Ordinal);

        Assert.Equal("No pending escalations.\n", CliRun.InProcess("approvals", "list", "--config", ConfigPath).Out);
        var json = CliRun.InProcess("approvals", "list", "--status", "all", "--json", "--config", ConfigPath);
        using var doc = JsonDocument.Parse(json.Out);
        var stored = doc.RootElement[0];
        Assert.Equal("rejected", stored.GetProperty("status").GetString());
        Assert.Equal("veto", stored.GetProperty("resolution").GetString());
        Assert.Equal("checked the invoice", stored.GetProperty("votes")[0].GetProperty("note").GetString());
    }

    [Fact]
    public void Bad_ids_statuses_and_configs_are_usage_errors_that_say_what_to_do()
    {
        var badId = CliRun.InProcess("approvals", "show", "../../etc/passwd", "--config", ConfigPath);
        Assert.Equal(ExitCodes.UsageError, badId.ExitCode);
        Assert.Contains("is not an escalation id: ids look like esc_ and 32 hex digits", badId.Error, StringComparison.Ordinal);

        var unknown = CliRun.InProcess("approvals", "approve", EscalationIds.New(), "--as", "alice", "--role", "finance", "--config", ConfigPath);
        Assert.Equal(ExitCodes.UsageError, unknown.ExitCode);
        Assert.Contains("No escalation esc_", unknown.Error, StringComparison.Ordinal);

        var status = CliRun.InProcess("approvals", "list", "--status", "done", "--config", ConfigPath);
        Assert.Equal(ExitCodes.UsageError, status.ExitCode);
        Assert.Contains("--status \"done\" is not a status", status.Error, StringComparison.Ordinal);

        var noConfig = CliRun.InProcess("approvals", "list", "--config", _temp.Combine("missing.yaml"));
        Assert.Equal(ExitCodes.UsageError, noConfig.ExitCode);
        Assert.Contains("pass --config <path>", noConfig.Error, StringComparison.Ordinal);

        var noUser = CliRun.InProcess("approvals", "approve", EscalationIds.New(), "--role", "finance", "--config", ConfigPath);
        Assert.Equal(ExitCodes.UsageError, noUser.ExitCode);
        Assert.Contains("--as", noUser.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_whose_gateway_keeps_escalations_in_postgres_is_refused_rather_than_shown_empty()
    {
        File.AppendAllText(ConfigPath, "\ngateway:\n  targets: { a: http://127.0.0.1:1 }\n  state: { store: postgres }\n");

        var list = CliRun.InProcess("approvals", "list", "--config", ConfigPath);

        Assert.Equal(ExitCodes.UsageError, list.ExitCode);
        Assert.Equal("", list.Out);
        Assert.Contains("keeps the gateway's escalations in PostgreSQL (gateway.state.store: postgres)", list.Error, StringComparison.Ordinal);
    }

    private async Task<Escalation> CreateAsync(ApprovalRequirements requirements)
    {
        var config = Sec0.Config.Sec0ConfigLoader.Load(ConfigPath, new Sec0.Config.Sec0ConfigLoadOptions { CheckSigningKeyExists = false });
        await using var service = new ApprovalService(new FileEscalationStore(StoreDir), config.Approvals!.Groups, ApprovalTokens.FromKeyFile(Path.Combine(StoreDir, "token.key")));
        return await service.CreateAsync(new EscalationRequest
        {
            Tenant = "acme",
            ToolRef = "mcp://payments/transfer@1.0.0",
            NodeId = "order-agent",
            ArgumentsSha256 = new string('a', 64),
            Arguments = "{\"amount\":5000}",
            Violation = "agent_guard_failed",
            Requirements = requirements,
        }, default);
    }
}
