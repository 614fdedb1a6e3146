using System.Text.Json;

namespace Sec0.Approvals;

/// <summary>
/// The JSON form of an escalation: one line of the file store, and what the CLI's <c>--json</c> and the reviewer page
/// show. Written and read by hand (the runtime is AOT-compatible, so no reflection serializer).
/// </summary>
public static class EscalationJson
{
    /// <summary>Writes <paramref name="escalation"/> as one JSON object.</summary>
    public static void Write(Utf8JsonWriter writer, Escalation escalation)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(escalation);
        var request = escalation.Request;
        var r = request.Requirements;
        writer.WriteStartObject();
        writer.WriteString("id", escalation.Id);
        writer.WriteString("status", ApprovalNames.Of(escalation.Status));
        writer.WriteString("resolution", ApprovalNames.Of(escalation.Resolution));
        writer.WriteString("created_at", escalation.CreatedAt);
        writer.WriteString("expires_at", escalation.ExpiresAt);
        if (escalation.ResolvedAt is { } resolved)
        {
            writer.WriteString("resolved_at", resolved);
        }

        if (escalation.TokenUsedAt is { } used)
        {
            writer.WriteString("token_used_at", used);
        }

        writer.WriteString("tenant", request.Tenant);
        writer.WriteString("tool_ref", request.ToolRef);
        writer.WriteString("node_id", request.NodeId);
        writer.WriteString("arguments_sha256", request.ArgumentsSha256);
        if (request.Arguments is not null)
        {
            writer.WriteString("arguments", request.Arguments);
        }

        writer.WriteString("violation", request.Violation);
        WriteStrings(writer, "reasons", request.Reasons);
        if (request.RiskScore is { } risk)
        {
            writer.WriteNumber("risk_score", risk);
        }

        WriteStrings(writer, "risk_tags", request.RiskTags);
        writer.WriteString("layer", request.Layer);
        if (request.TraceId is not null)
        {
            writer.WriteString("trace_id", request.TraceId);
        }

        writer.WriteStartObject("requirements");
        writer.WriteString("approval_strategy", ApprovalNames.Of(r.Strategy));
        writer.WriteNumber("min_approvals", r.MinApprovals);
        writer.WriteNumber("min_rejections", r.MinRejections);
        WriteStrings(writer, "required_roles", r.RequiredRoles);
        WriteStrings(writer, "veto_roles", r.VetoRoles);
        if (r.ApprovalSetId is not null)
        {
            writer.WriteString("approval_set_id", r.ApprovalSetId);
        }

        writer.WriteNumber("escalation_ttl_seconds", (long)r.Ttl.TotalSeconds);
        writer.WriteString("timeout_action", ApprovalNames.Of(r.TimeoutAction));
        writer.WriteEndObject();

        writer.WriteStartArray("reviewers");
        foreach (var reviewer in escalation.Reviewers)
        {
            writer.WriteStartObject();
            writer.WriteString("user", reviewer.User);
            WriteStrings(writer, "roles", reviewer.Roles);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("votes");
        foreach (var vote in escalation.Votes)
        {
            WriteVote(writer, vote);
        }

        writer.WriteEndArray();
        writer.WriteNumber("recorded_votes", escalation.RecordedVotes);
        writer.WriteBoolean("resolution_recorded", escalation.ResolutionRecorded);
        writer.WriteEndObject();
    }

    /// <summary>Writes one vote as a JSON object (also the audit record's form of a vote).</summary>
    public static void WriteVote(Utf8JsonWriter writer, ApprovalVote vote)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(vote);
        writer.WriteStartObject();
        writer.WriteString("user", vote.User);
        writer.WriteString("role", vote.Role);
        writer.WriteString("decision", ApprovalNames.Of(vote.Decision));
        writer.WriteString("at", vote.At);
        if (vote.Note is not null)
        {
            writer.WriteString("note", vote.Note);
        }

        writer.WriteBoolean("counted", vote.Counted);
        writer.WriteEndObject();
    }

    /// <summary>The escalation as UTF-8 JSON bytes.</summary>
    public static byte[] ToUtf8(Escalation escalation)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, escalation);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    /// <exception cref="FormatException">A field is missing or has the wrong type.</exception>
    public static Escalation Read(JsonElement json)
    {
        try
        {
            var r = json.GetProperty("requirements");
            var requirements = new ApprovalRequirements
            {
                Strategy = r.GetProperty("approval_strategy").GetString() switch
                {
                    "human_quorum" => ApprovalStrategy.HumanQuorum,
                    "auto_allow" => ApprovalStrategy.AutoAllow,
                    "single_approver" => ApprovalStrategy.SingleApprover,
                    var other => throw new FormatException($"unknown approval_strategy \"{other}\""),
                },
                MinApprovals = r.GetProperty("min_approvals").GetInt32(),
                MinRejections = r.GetProperty("min_rejections").GetInt32(),
                RequiredRoles = Strings(r, "required_roles"),
                VetoRoles = Strings(r, "veto_roles"),
                ApprovalSetId = r.TryGetProperty("approval_set_id", out var set) ? set.GetString() : null,
                Ttl = TimeSpan.FromSeconds(r.GetProperty("escalation_ttl_seconds").GetInt64()),
                TimeoutAction = r.GetProperty("timeout_action").GetString() == "auto_approve" ? EscalationTimeoutAction.AutoApprove : EscalationTimeoutAction.AutoReject,
            };
            var request = new EscalationRequest
            {
                Tenant = Required(json, "tenant"),
                ToolRef = Required(json, "tool_ref"),
                NodeId = Required(json, "node_id"),
                ArgumentsSha256 = Required(json, "arguments_sha256"),
                Arguments = json.TryGetProperty("arguments", out var args) ? args.GetString() : null,
                Violation = Required(json, "violation"),
                Reasons = Strings(json, "reasons"),
                RiskScore = json.TryGetProperty("risk_score", out var risk) ? risk.GetDouble() : null,
                RiskTags = Strings(json, "risk_tags"),
                Layer = Required(json, "layer"),
                TraceId = json.TryGetProperty("trace_id", out var trace) ? trace.GetString() : null,
                Requirements = requirements,
            };
            if (!ApprovalNames.TryParseStatus(json.GetProperty("status").GetString(), out var status))
            {
                throw new FormatException("unknown status");
            }

            var resolutionText = json.GetProperty("resolution").GetString();
            var resolution = Enum.GetValues<EscalationResolution>().FirstOrDefault(x => ApprovalNames.Of(x) == resolutionText);
            var reviewers = new List<Reviewer>();
            foreach (var reviewer in json.GetProperty("reviewers").EnumerateArray())
            {
                reviewers.Add(new Reviewer(Required(reviewer, "user"), Strings(reviewer, "roles")));
            }

            var votes = new List<ApprovalVote>();
            foreach (var vote in json.GetProperty("votes").EnumerateArray())
            {
                ApprovalNames.TryParseDecision(vote.GetProperty("decision").GetString(), out var decision);
                votes.Add(new ApprovalVote(
                    Required(vote, "user"),
                    Required(vote, "role"),
                    decision,
                    vote.GetProperty("at").GetDateTimeOffset(),
                    vote.TryGetProperty("note", out var note) ? note.GetString() : null,
                    vote.GetProperty("counted").GetBoolean()));
            }

            return new Escalation
            {
                Id = Required(json, "id"),
                Request = request,
                CreatedAt = json.GetProperty("created_at").GetDateTimeOffset(),
                Reviewers = reviewers,
                Votes = votes,
                Status = status,
                Resolution = resolution,
                ResolvedAt = json.TryGetProperty("resolved_at", out var at) ? at.GetDateTimeOffset() : null,
                TokenUsedAt = json.TryGetProperty("token_used_at", out var usedAt) ? usedAt.GetDateTimeOffset() : null,
                RecordedVotes = json.TryGetProperty("recorded_votes", out var recorded) ? recorded.GetInt32() : 0,
                ResolutionRecorded = json.TryGetProperty("resolution_recorded", out var resolutionRecorded) && resolutionRecorded.GetBoolean(),
            };
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new FormatException("Not an escalation record: " + ex.Message, ex);
        }
    }

    private static string Required(JsonElement json, string name) =>
        json.GetProperty(name).GetString() ?? throw new FormatException($"\"{name}\" is null");

    private static string[] Strings(JsonElement json, string name)
    {
        if (!json.TryGetProperty(name, out var array))
        {
            return [];
        }

        var result = new string[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            result[i++] = item.GetString() ?? string.Empty;
        }

        return result;
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
