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
    public void A_config_whose_gateway_keeps_escalations_in_an_unreachable_postgres_says_so_without_the_password()
    {
        var variable = "SEC0_TEST_PG_" + Guid.NewGuid().ToString("N");
        File.AppendAllText(ConfigPath, $"\ngateway:\n  targets: {{ a: http://127.0.0.1:1 }}\n  state: {{ store: postgres, connection_string_env: {variable} }}\n");

        var unset = CliRun.InProcess("approvals", "list", "--config", ConfigPath);
        Assert.Equal(ExitCodes.Failure, unset.ExitCode);
        Assert.Contains($"the environment variable {variable} is not set", unset.Error, StringComparison.Ordinal);

        Environment.SetEnvironmentVariable(variable, "Host=127.0.0.1;Port=1;Username=sec0;Password=hunter2-secret;Database=sec0;Timeout=2");
        try
        {
            var down = CliRun.InProcess("approvals", "list", "--config", ConfigPath);
            Assert.Equal(ExitCodes.UsageError, down.ExitCode);
            Assert.Equal("", down.Out);
            Assert.Contains("keeps the gateway's escalations in PostgreSQL, which could not be opened", down.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2-secret", down.Error, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void A_reviewer_token_is_made_for_a_group_member_only_and_signs_in_until_it_expires()
    {
        var token = CliRun.InProcess("approvals", "token", "--as", "alice", "--expires", "30m", "--config", ConfigPath);
        Assert.Equal(ExitCodes.Success, token.ExitCode);
        Assert.Contains("Reviewer token for alice (groups: payments), valid until", token.Error, StringComparison.Ordinal);
        var tokens = ApprovalTokens.FromKeyFile(Path.Combine(StoreDir, "token.key")).Reviewers;
        Assert.True(tokens.TryRead(token.Out.Trim(), DateTimeOffset.UtcNow, out var user, out var expires));
        Assert.Equal("alice", user);
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(29), TimeSpan.FromMinutes(31));
        Assert.False(tokens.TryRead(token.Out.Trim(), DateTimeOffset.UtcNow.AddMinutes(31), out _, out _));

        var stranger = CliRun.InProcess("approvals", "token", "--as", "mallory", "--config", ConfigPath);
        Assert.Equal(ExitCodes.UsageError, stranger.ExitCode);
        Assert.Equal("", stranger.Out);
        Assert.Contains("mallory is in no reviewer group", stranger.Error, StringComparison.Ordinal);

        foreach (var bad in new[] { "forever", "0h", "31d", "8", "-1h" })
        {
            var refused = CliRun.InProcess("approvals", "token", "--as", "alice", "--expires", bad, "--config", ConfigPath);
            Assert.Equal(ExitCodes.UsageError, refused.ExitCode);
            Assert.Contains("is not a lifetime", refused.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Serve_runs_the_reviewer_page_on_which_a_token_from_the_cli_signs_in_and_votes()
    {
        var escalation = await CreateAsync(new ApprovalRequirements());
        var token = CliRun.InProcess("approvals", "token", "--as", "alice", "--config", ConfigPath).Out.Trim();

        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "sec0.dll"), "approvals", "serve", "--url", "http://127.0.0.1:0", "--config", ConfigPath })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var first = await process.StandardOutput.ReadLineAsync(ready.Token);
            Assert.NotNull(first);
            var match = System.Text.RegularExpressions.Regex.Match(first, @"^Reviewer page on (http://127\.0\.0\.1:\d+)/reviewer, over the escalations in folder ");
            Assert.True(match.Success, first);
            var origin = match.Groups[1].Value;

            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(origin), Timeout = TimeSpan.FromSeconds(30) };
            var vote = new HttpRequestMessage(HttpMethod.Post, "reviewer/escalations/" + escalation.Id + "/vote")
            {
                Content = new FormUrlEncodedContent([new("csrf", ApprovalTokens.FromKeyFile(Path.Combine(StoreDir, "token.key")).Reviewers.CsrfFor(token)), new("decision", "approve"), new("role", "finance")]),
            };
            vote.Headers.Add("Origin", origin);
            vote.Headers.Add("Cookie", "sec0_reviewer=" + token);
            using var voted = await http.SendAsync(vote);
            Assert.Equal(System.Net.HttpStatusCode.SeeOther, voted.StatusCode);
            Assert.EndsWith("?m=voted", voted.Headers.Location!.ToString(), StringComparison.Ordinal);

            var show = CliRun.InProcess("approvals", "show", escalation.Id, "--json", "--config", ConfigPath);
            using var doc = JsonDocument.Parse(show.Out);
            Assert.Equal("approved", doc.RootElement.GetProperty("status").GetString());
            Assert.Equal("alice", doc.RootElement.GetProperty("votes")[0].GetProperty("user").GetString());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        Assert.DoesNotContain("Unhandled", await errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_refuses_an_address_it_cannot_listen_on()
    {
        var refused = CliRun.InProcess("approvals", "serve", "--url", "ftp://127.0.0.1:21/x", "--config", ConfigPath);
        Assert.Equal(ExitCodes.UsageError, refused.ExitCode);
        Assert.Contains("is not a listening address", refused.Error, StringComparison.Ordinal);
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
