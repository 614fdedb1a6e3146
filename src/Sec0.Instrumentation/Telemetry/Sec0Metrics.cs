using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using Sec0.Policy;

namespace Sec0.Telemetry;

/// <summary>
/// The instruments of the <c>Sec0</c> Meter, created once. Every Record method checks
/// <see cref="Instrument.Enabled"/> first: with no listener a call costs a field read and builds no tags.
/// </summary>
internal static class Sec0Metrics
{
    /// <summary>The name of the Meter; the same as the ActivitySource.</summary>
    public const string MeterName = Sec0App.ActivitySourceName;

    /// <summary>The Meter every Sec0 instrument belongs to.</summary>
    public static readonly Meter Meter = new(MeterName, typeof(Sec0Metrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    private static readonly Counter<long> s_decisions = Meter.CreateCounter<long>("sec0.decisions", "{decision}", "Decisions made before hop and tool calls, by outcome and reason.");
    private static readonly Counter<long> s_denials = Meter.CreateCounter<long>("sec0.denials", "{call}", "Calls refused by policy (deny or escalate), by reason.");
    private static readonly Counter<long> s_escalations = Meter.CreateCounter<long>("sec0.escalations", "{escalation}", "Calls escalated to human approval, by reason.");
    private static readonly Histogram<double> s_hopDuration = Meter.CreateHistogram<double>("sec0.hop.duration", "s", "Duration of hop calls that ran.");
    private static readonly Counter<long> s_envelopesWritten = Meter.CreateCounter<long>("sec0.audit.envelopes.written", "{envelope}", "Audit envelopes written to the log.");
    private static readonly Histogram<double> s_writeDuration = Meter.CreateHistogram<double>("sec0.audit.write.duration", "s", "Duration of writing a batch of audit lines to the file.");
    private static readonly Histogram<double> s_fsyncDuration = Meter.CreateHistogram<double>("sec0.audit.fsync.duration", "s", "Duration of an fsync of the audit log.");
    private static readonly Histogram<double> s_signDuration = Meter.CreateHistogram<double>("sec0.audit.sign.duration", "s", "Duration of signing one audit line or checkpoint.");
    private static readonly Counter<long> s_scanVerdicts = Meter.CreateCounter<long>("sec0.scan.verdicts", "{verdict}", "SAST and DAST scan verdicts reached, by kind and status.");
    private static readonly Counter<long> s_gatewayRequests = Meter.CreateCounter<long>("sec0.gateway.requests", "{request}", "Requests the gateway decided, by outcome.");
    private static readonly Counter<long> s_quotaRejections = Meter.CreateCounter<long>("sec0.gateway.quota.rejections", "{request}", "Gateway requests refused by a rate or daily quota.");

    // The live audit queues the depth gauge reports: registered by an appender, removed when it closes.
    private static readonly ConcurrentDictionary<Func<long>, string> s_queues = new();

    /// <summary>The depth of every open appender's queue, read when a listener collects.</summary>
    internal static readonly ObservableGauge<long> AuditQueueDepth = Meter.CreateObservableGauge("sec0.audit.queue.depth", ObserveQueues, "{envelope}", "Envelopes queued for the audit writer and not yet written.");

    /// <summary>Reports <paramref name="depth"/> under the audit directory <paramref name="directory"/> until the returned registration is disposed.</summary>
    public static IDisposable RegisterAuditQueue(string directory, Func<long> depth)
    {
        s_queues[depth] = directory;
        return new QueueRegistration(depth);
    }

    /// <summary>A decision before a call; reason is empty for an allowed call without violations.</summary>
    public static void RecordDecision(string outcome, string reason)
    {
        if (s_decisions.Enabled)
        {
            var tags = new TagList { { "sec0.decision.outcome", outcome }, { "sec0.decision.reason", reason } };
            s_decisions.Add(1, tags);
        }

        if (outcome is DecisionNames.Deny or DecisionNames.Escalate && s_denials.Enabled)
        {
            s_denials.Add(1, new KeyValuePair<string, object?>("sec0.decision.reason", reason));
        }

        if (outcome == DecisionNames.Escalate && s_escalations.Enabled)
        {
            s_escalations.Add(1, new KeyValuePair<string, object?>("sec0.decision.reason", reason));
        }
    }

    /// <summary>A hop call that ran; <paramref name="errorType"/> is the exception's type when it threw.</summary>
    public static void RecordHopDuration(double seconds, string hop, string nodeType, string? errorType)
    {
        if (s_hopDuration.Enabled)
        {
            var tags = new TagList { { "sec0.hop", hop }, { "sec0.node_type", nodeType } };
            if (errorType is not null)
            {
                tags.Add("error.type", errorType);
            }

            s_hopDuration.Record(seconds, tags);
        }
    }

    /// <summary>Whether audit write timings are wanted: the writer skips its timestamps when not.</summary>
    public static bool AuditTimingEnabled => s_writeDuration.Enabled || s_fsyncDuration.Enabled || s_signDuration.Enabled;

    /// <summary>Lines written to the log in one batch.</summary>
    public static void RecordEnvelopesWritten(long count)
    {
        if (count > 0 && s_envelopesWritten.Enabled)
        {
            s_envelopesWritten.Add(count);
        }
    }

    /// <summary>A batch write to the audit file, timed from <paramref name="startTimestamp"/>.</summary>
    public static void RecordWrite(long startTimestamp) => RecordSince(s_writeDuration, startTimestamp);

    /// <summary>An fsync of the audit file, timed from <paramref name="startTimestamp"/>.</summary>
    public static void RecordFsync(long startTimestamp) => RecordSince(s_fsyncDuration, startTimestamp);

    /// <summary>One signature, timed from <paramref name="startTimestamp"/>.</summary>
    public static void RecordSign(long startTimestamp) => RecordSince(s_signDuration, startTimestamp);

    /// <summary>Whether signing is timed: the line builder reads the clock only then.</summary>
    public static bool SignTimingEnabled => s_signDuration.Enabled;

    /// <summary>A scan verdict reached (<paramref name="kind"/> sast or dast).</summary>
    public static void RecordScanVerdict(string kind, string status)
    {
        if (s_scanVerdicts.Enabled)
        {
            var tags = new TagList { { "sec0.scan.kind", kind switch { "SAST" => "sast", "DAST" => "dast", _ => kind } }, { "sec0.scan.status", status } };
            s_scanVerdicts.Add(1, tags);
        }
    }

    /// <summary>A request the gateway decided.</summary>
    public static void RecordGatewayRequest(string outcome)
    {
        if (s_gatewayRequests.Enabled)
        {
            s_gatewayRequests.Add(1, new KeyValuePair<string, object?>("sec0.decision.outcome", outcome));
        }
    }

    /// <summary>A gateway request refused by a rate or daily quota, with the error's reason.</summary>
    public static void RecordQuotaRejection(string reason)
    {
        if (s_quotaRejections.Enabled)
        {
            s_quotaRejections.Add(1, new KeyValuePair<string, object?>("error.type", reason));
        }
    }

    private static void RecordSince(Histogram<double> histogram, long startTimestamp)
    {
        if (histogram.Enabled)
        {
            histogram.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);
        }
    }

    private static IEnumerable<Measurement<long>> ObserveQueues()
    {
        foreach (var (depth, directory) in s_queues)
        {
            yield return new Measurement<long>(depth(), new KeyValuePair<string, object?>("sec0.audit.directory", directory));
        }
    }

    private sealed class QueueRegistration(Func<long> depth) : IDisposable
    {
        public void Dispose() => s_queues.TryRemove(depth, out _);
    }
}
