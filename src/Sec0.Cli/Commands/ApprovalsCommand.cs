using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sec0.Approvals;

namespace Sec0.Cli.Commands;

/// <summary>
/// <c>sec0 approvals list | show | approve | reject | token | serve</c>: people act on escalations from a terminal or the
/// reviewer page. Works on the escalations sec0.config.yaml's processes keep (<c>approvals.dir</c>, default
/// <c>&lt;sec0Dir&gt;/approvals</c>, or the gateway's PostgreSQL database when <c>gateway.state.store</c> is
/// <c>postgres</c>) and votes through the same rules as the app, so a vote here counts exactly as one on the page.
/// </summary>
internal static class ApprovalsCommand
{
    public static Command Create(CommandRunner runner)
    {
        Option<string> config = new("--config")
        {
            Description = "The sec0.config.yaml whose escalations to work with.",
            HelpName = "PATH",
            DefaultValueFactory = _ => "sec0.config.yaml",
        };
        Option<bool> json = new("--json") { Description = "Print JSON instead of text." };
        Option<string> status = new("--status")
        {
            Description = "Only escalations with this status: pending (default), approved, rejected, expired, no_approvers_configured, or all.",
            DefaultValueFactory = _ => ApprovalNames.Pending,
        };
        Argument<string> id = new("id") { Description = "The escalation id (esc_…)." };

        Command list = new("list", "List escalations, newest first.") { config, status, json };
        list.SetAction((parseResult, cancellationToken) => Task.FromResult(runner.Run(parseResult, "approvals list", () =>
            List(runner.Context, parseResult.GetValue(config)!, parseResult.GetValue(status)!, parseResult.GetValue(json), cancellationToken))));

        Command show = new("show", "Show one escalation: the call, why it was stopped, who may decide, the votes.") { id, config, json };
        show.SetAction((parseResult, cancellationToken) => Task.FromResult(runner.Run(parseResult, "approvals show", () =>
            Show(runner.Context, parseResult.GetValue(config)!, parseResult.GetValue(id)!, parseResult.GetValue(json), cancellationToken))));

        return new Command("approvals", "Act on escalated calls: list, show, approve, reject; sign reviewers in to the reviewer page and serve it.")
        {
            list,
            show,
            VoteCommand(runner, config, ApprovalDecision.Approve),
            VoteCommand(runner, config, ApprovalDecision.Reject),
            ApprovalsServeCommand.CreateToken(runner, config),
            ApprovalsServeCommand.CreateServe(runner, config),
        };
    }

    private static Command VoteCommand(CommandRunner runner, Option<string> config, ApprovalDecision decision)
    {
        var verb = ApprovalNames.Of(decision);
        Argument<string> id = new("id") { Description = "The escalation id (esc_…)." };
        Option<string> user = new("--as") { Description = "Who votes: a user of the escalation's reviewer group.", HelpName = "USER", Required = true };
        Option<string> role = new("--role") { Description = "The role the vote is cast in: one the user holds in the group.", HelpName = "ROLE", Required = true };
        Option<string?> note = new("--note") { Description = "A note kept with the vote.", HelpName = "TEXT" };
        Command command = new(verb, decision == ApprovalDecision.Approve ? "Approve an escalation." : "Reject an escalation.") { id, user, role, note, config };
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(runner.Run(parseResult, "approvals " + verb, () =>
            Vote(runner.Context, parseResult.GetValue(config)!, parseResult.GetValue(id)!, parseResult.GetValue(user)!, parseResult.GetValue(role)!, decision, parseResult.GetValue(note), cancellationToken))));
        return command;
    }

    private static int List(CliContext context, string configPath, string statusText, bool json, CancellationToken cancellationToken)
    {
        EscalationStatus? status = null;
        if (statusText != "all")
        {
            if (!ApprovalNames.TryParseStatus(statusText, out var parsed))
            {
                context.Error.WriteLine($"[sec0] --status \"{statusText}\" is not a status: use pending, approved, rejected, expired, no_approvers_configured or all.");
                return ExitCodes.UsageError;
            }

            status = parsed;
        }

        return WithStore(context, configPath, withTokens: false, cancellationToken, store => List(context, store, status, json, cancellationToken));
    }

    private static int List(CliContext context, ApprovalsStore store, EscalationStatus? status, bool json, CancellationToken cancellationToken)
    {
        var escalations = store.Service.ListAsync(status, cancellationToken).GetAwaiter().GetResult();
        if (json)
        {
            WriteJson(context, w =>
            {
                w.WriteStartArray();
                foreach (var e in escalations)
                {
                    EscalationJson.Write(w, e);
                }

                w.WriteEndArray();
            });
            return ExitCodes.Success;
        }

        if (escalations.Count == 0)
        {
            context.Out.WriteLine(status is null ? "No escalations." : $"No {ApprovalNames.Of(status.Value)} escalations.");
            return ExitCodes.Success;
        }

        foreach (var e in escalations)
        {
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{e.Id}  {ApprovalNames.Of(e.Status),-10} {e.Request.ToolRef}  {e.Request.Violation}  votes {e.Votes.Count}  created {e.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z  expires {e.ExpiresAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z"));
        }

        return ExitCodes.Success;
    }

    private static int Show(CliContext context, string configPath, string id, bool json, CancellationToken cancellationToken) =>
        WithStore(context, configPath, withTokens: false, cancellationToken, store => Show(context, store, id, json, cancellationToken));

    private static int Show(CliContext context, ApprovalsStore store, string id, bool json, CancellationToken cancellationToken)
    {
        if ((EscalationIds.IsValid(id) ? store.Service.GetAsync(id, cancellationToken).GetAwaiter().GetResult() : null) is not { } e)
        {
            context.Error.WriteLine(NotFound(id, store));
            return ExitCodes.UsageError;
        }

        if (json)
        {
            WriteJson(context, w => EscalationJson.Write(w, e));
            return ExitCodes.Success;
        }

        var r = e.Request;
        var req = r.Requirements;
        var o = context.Out;
        o.WriteLine($"{e.Id}: {ApprovalNames.Of(e.Status)}{(e.Resolution == EscalationResolution.None ? string.Empty : $" ({ApprovalNames.Of(e.Resolution)})")}");
        o.WriteLine($"  tool:        {r.ToolRef} (tenant {r.Tenant}{(r.NodeId.Length == 0 ? string.Empty : $", node {r.NodeId}")}, {r.Layer})");
        o.WriteLine($"  stopped by:  {r.Violation}{(r.Reasons.Count > 1 ? $" (also {string.Join(", ", r.Reasons.Where(x => x != r.Violation))})" : string.Empty)}");
        if (r.RiskScore is { } risk)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  risk:        {risk:0.##}{(r.RiskTags.Count == 0 ? string.Empty : " [" + string.Join(", ", r.RiskTags) + "]")}"));
        }

        o.WriteLine($"  arguments:   {r.Arguments ?? "(not shown)"}");
        o.WriteLine($"  sha256:      {r.ArgumentsSha256}");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  created:     {e.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z, expires {e.ExpiresAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z ({ApprovalNames.Of(req.TimeoutAction)})"));
        o.WriteLine($"  decided by:  {ApprovalNames.Of(req.Strategy)}, {req.MinApprovals} approval(s), {req.MinRejections} rejection(s)"
            + (req.RequiredRoles.Count == 0 ? string.Empty : $", required roles {string.Join(", ", req.RequiredRoles)}")
            + (req.VetoRoles.Count == 0 ? string.Empty : $", veto roles {string.Join(", ", req.VetoRoles)}"));
        o.WriteLine($"  reviewers:   {(e.Reviewers.Count == 0 ? "(none)" : string.Join(", ", e.Reviewers.Select(x => $"{x.User} ({string.Join(", ", x.Roles)})")))}");
        foreach (var v in e.Votes)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  vote:        {v.User} as {v.Role}: {ApprovalNames.Of(v.Decision)} at {v.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z{(v.Counted ? string.Empty : " (not counted: not a required role)")}{(v.Note is null ? string.Empty : $" \"{v.Note}\"")}"));
        }

        return ExitCodes.Success;
    }

    private static int Vote(CliContext context, string configPath, string id, string user, string role, ApprovalDecision decision, string? note, CancellationToken cancellationToken) =>
        WithStore(context, configPath, withTokens: false, cancellationToken, store => Vote(context, store, id, user, role, decision, note, cancellationToken));

    private static int Vote(CliContext context, ApprovalsStore store, string id, string user, string role, ApprovalDecision decision, string? note, CancellationToken cancellationToken)
    {
        var result = EscalationIds.IsValid(id)
            ? store.Service.VoteAsync(id, user.Trim(), role.Trim(), decision, note, cancellationToken).GetAwaiter().GetResult()
            : new VoteResult(VoteRefusal.UnknownEscalation, null);
        if (result.Refusal == VoteRefusal.UnknownEscalation)
        {
            context.Error.WriteLine(NotFound(id, store));
            return ExitCodes.UsageError;
        }

        var e = result.Escalation!;
        if (!result.Accepted)
        {
            context.Error.WriteLine(result.Refusal switch
            {
                VoteRefusal.AlreadyResolved => $"[sec0] Vote refused: {e.Id} is already {ApprovalNames.Of(e.Status)}; a late vote changes nothing.",
                VoteRefusal.NotAReviewer => $"[sec0] Vote refused: {user} is not a reviewer of {e.Id} (its reviewers: {string.Join(", ", e.Reviewers.Select(x => x.User))}).",
                VoteRefusal.RoleNotHeld => $"[sec0] Vote refused: {user} does not hold the role {role} (their roles: {string.Join(", ", e.Reviewers.First(x => x.User == user).Roles)}).",
                VoteRefusal.AlreadyVoted => $"[sec0] Vote refused: {user} already voted on {e.Id}; one vote per person.",
                _ => $"[sec0] Vote refused: {ApprovalNames.Of(result.Refusal)}.",
            });
            return ExitCodes.Failure;
        }

        var vote = e.Votes[^1];
        context.Out.WriteLine($"{ApprovalNames.Of(decision)} by {user} as {role} taken{(vote.Counted ? string.Empty : " (not counted: not a required role)")}; {e.Id} is {ApprovalNames.Of(e.Status)}.");
        return ExitCodes.Success;
    }

    /// <summary>Opens the config's escalations, runs <paramref name="body"/> on them and closes them.</summary>
    internal static int WithStore(CliContext context, string configPath, bool withTokens, CancellationToken cancellationToken, Func<ApprovalsStore, int> body)
    {
        if (ApprovalsStore.Open(context, configPath, withTokens, cancellationToken) is not { } store)
        {
            return ExitCodes.UsageError;
        }

        try
        {
            return body(store);
        }
        finally
        {
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static string NotFound(string id, ApprovalsStore store) => EscalationIds.IsValid(id)
        ? $"[sec0] No escalation {id} in this config's escalations ({store.Where})."
        : $"[sec0] \"{id}\" is not an escalation id: ids look like esc_ and 32 hex digits (sec0 approvals list shows them).";

    private static void WriteJson(CliContext context, Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            write(writer);
        }

        context.Out.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
