using Sec0.Audit;
using Sec0.Signing;

namespace Sec0.Cli.Tests.Infrastructure;

/// <summary>
/// Writes agent runs into a real audit log with <see cref="AuditAppender"/>, each call as the hop runtime records it
/// (run id in <c>agentRef</c>, the caller's span in <c>cause_span_id</c>), children before their callers as a real
/// run writes them (a line is written when its call ends). The clock is fixed, so output is exact.
/// </summary>
public sealed class RunLogWriter : IAsyncDisposable
{
    private readonly AuditAppender _appender;

    private RunLogWriter(AuditAppender appender) => _appender = appender;

    /// <summary>Opens an appender on <paramref name="directory"/> whose clock reads <paramref name="now"/>.</summary>
    public static RunLogWriter Open(string directory, AuditSigner signer, DateTimeOffset now)
        => new(AuditAppender.Open(new AuditAppenderOptions { Directory = directory, Signer = signer, RetentionDays = 0, TimeProvider = new FixedClock(now) }));

    /// <summary>Appends one call.</summary>
    public ValueTask WriteAsync(Call call) => _appender.AppendAsync(call.ToEnvelope());

    /// <summary>Appends what an approvals step records about an escalation (<c>op: approval.*</c>).</summary>
    public ValueTask WriteApprovalStepAsync(string escalationId, string step, string status, DateTimeOffset at)
        => _appender.AppendAsync(new AuditEnvelope
        {
            Timestamp = at,
            NodeType = "approvals",
            Op = "approval." + step,
            EscalationId = escalationId,
            EscalationStatus = status,
            Status = "ok",
            Policy = AuditPolicyRecord.Allow,
        });

    /// <summary>Appends an envelope as it is.</summary>
    public ValueTask WriteAsync(AuditEnvelope envelope) => _appender.AppendAsync(envelope);

    public ValueTask DisposeAsync() => _appender.DisposeAsync();

    /// <summary>One call of a run, as the hop runtime records it.</summary>
    public sealed record Call(string Run, string Trace, string Span, string? CauseSpan, string Kind, string Name, DateTimeOffset At)
    {
        public string? Hop { get; init; }

        public string Decision { get; init; } = "allow";

        public string Status { get; init; } = "ok";

        public double? LatencyMs { get; init; } = 12.5;

        public string? Reason { get; init; }

        public string? EscalationId { get; init; }

        public string? EscalationStatus { get; init; }

        /// <summary>Calls across a boundary (an MCP server's) name no run: they join a run by their trace and caller.</summary>
        public bool NamesRun { get; init; } = true;

        public AuditEnvelope ToEnvelope()
        {
            var e = new AuditEnvelope
            {
                Timestamp = At,
                TraceId = Trace,
                SpanId = Span,
                CauseTraceId = CauseSpan is null ? null : Trace,
                CauseSpanId = CauseSpan,
                Tenant = "demo",
                NodeType = Kind,
                HopKey = Hop,
                AgentRef = NamesRun ? Run : null,
                Status = Status,
                LatencyMs = LatencyMs,
                Policy = Reason is null ? new AuditPolicyRecord(Decision) : AuditPolicyRecord.For(Decision, Reason),
                EscalationId = EscalationId,
                EscalationStatus = EscalationStatus,
            };
            switch (Kind)
            {
                case "agent":
                    e.Agent = Name;
                    e.Server = "sec0-agent";
                    e.Tool = Name;
                    e.ToolRef = "sec0-agent " + Name;
                    break;
                case "orchestrator":
                    e.AgentOrchestrator = Name;
                    e.Server = "sec0-orchestrator";
                    e.Tool = Name;
                    e.ToolRef = "sec0-orchestrator " + Name;
                    break;
                default:
                    e.Tool = Name;
                    e.ToolRef = Name;
                    break;
            }

            if (Decision is "deny" or "escalate")
            {
                e.DenialReason = Reason;
                e.DecisionReason = Reason;
            }

            return e;
        }
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
