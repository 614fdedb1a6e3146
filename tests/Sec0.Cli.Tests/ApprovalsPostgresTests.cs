using System.Text.Json;
using Sec0.Approvals;
using Sec0.Cli.Tests.Infrastructure;
using Sec0.Gateway.State.Postgres;

namespace Sec0.Cli.Tests;

/// <summary>
/// <c>sec0 approvals</c> on a config whose gateway replicas keep their escalations in PostgreSQL: a real cluster the
/// test starts on 127.0.0.1 (<see cref="PostgresCluster"/>), an escalation made the way a replica makes it, and the
/// operator listing, approving and minting a reviewer token through the database.
/// </summary>
public sealed class ApprovalsPostgresTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly string _variable = "SEC0_TEST_PG_" + Guid.NewGuid().ToString("N");
    private PostgresCluster _cluster = null!;
    private string _schema = "";

    private string ConfigPath => _temp.Combine("sec0.config.yaml");

    public async Task InitializeAsync()
    {
        _cluster = await PostgresCluster.StartNewAsync();
        _schema = _cluster.NewSchema();
        Environment.SetEnvironmentVariable(_variable, _cluster.ConnectionString);
        File.WriteAllText(ConfigPath, $$"""
            app: { tenant: acme, environment: dev }
            controlPlane: { sec0Dir: ./.sec0, localSignerPath: ./.sec0/keys/ed25519.key }
            approvals:
              default_group: payments
              groups:
                payments:
                  - { user: alice, roles: [finance] }
            gateway:
              targets: { a: http://127.0.0.1:1 }
              state: { store: postgres, connection_string_env: {{_variable}}, schema: {{_schema}} }
            """);
    }

    public async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable(_variable, null);
        await _cluster.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task An_operator_lists_and_approves_escalations_the_replicas_share_and_the_replicas_see_the_vote()
    {
        await using var replica = await PostgresGatewayState.OpenAsync(_cluster.ConnectionString, _schema, TimeProvider.System, null, default);
        await using var approvals = new ApprovalService(
            replica.Escalations,
            new ApproverGroups(new Dictionary<string, IReadOnlyList<Reviewer>> { ["payments"] = [new("alice", ["finance"])] }, "payments"),
            await replica.GetApprovalTokensAsync(default));
        var escalation = await approvals.CreateAsync(new EscalationRequest
        {
            Tenant = "acme",
            ToolRef = "mcp://payments/transfer@1.0.0",
            ArgumentsSha256 = new string('b', 64),
            Arguments = "{\"amount\":7}",
            Violation = "tool_not_in_allowlist",
        }, default);

        var list = CliRun.InProcess("approvals", "list", "--config", ConfigPath);
        Assert.Equal(ExitCodes.Success, list.ExitCode);
        Assert.StartsWith(escalation.Id + "  pending", list.Out, StringComparison.Ordinal);

        var approve = CliRun.InProcess("approvals", "approve", escalation.Id, "--as", "alice", "--role", "finance", "--config", ConfigPath);
        Assert.Equal(ExitCodes.Success, approve.ExitCode);
        Assert.EndsWith($"{escalation.Id} is approved.\n", approve.Out, StringComparison.Ordinal);
        Assert.Equal(EscalationStatus.Approved, (await approvals.GetAsync(escalation.Id, default))!.Status);

        var unknown = CliRun.InProcess("approvals", "show", EscalationIds.New(), "--config", ConfigPath);
        Assert.Equal(ExitCodes.UsageError, unknown.ExitCode);
        Assert.Contains($"(PostgreSQL schema {_schema})", unknown.Error, StringComparison.Ordinal);

        // A reviewer token made through the database is one every replica accepts (same shared secret).
        var token = CliRun.InProcess("approvals", "token", "--as", "alice", "--config", ConfigPath);
        Assert.Equal(ExitCodes.Success, token.ExitCode);
        Assert.True(approvals.ReviewerTokens.TryRead(token.Out.Trim(), DateTimeOffset.UtcNow, out var user, out _));
        Assert.Equal("alice", user);

        var json = CliRun.InProcess("approvals", "list", "--status", "all", "--json", "--config", ConfigPath);
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Equal("approved", doc.RootElement[0].GetProperty("status").GetString());
    }
}
