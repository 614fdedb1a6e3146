using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Sec0.Approvals;

namespace Sec0.ControlPlane;

/// <summary>
/// <c>controlPlane.escalations: mirror</c>: each escalation created pending is reported to the control plane
/// (<c>POST /api/escalations</c>), its status there is polled (<c>GET /api/escalations/{id}</c>), and a final status there
/// (<c>approved</c>, <c>rejected</c>, <c>expired</c>) resolves the local escalation, audited with resolution
/// <c>control_plane</c>. Local approval keeps working alongside: whichever decides first wins. All of it runs in the
/// background; the escalating call only queues. The call's arguments are not sent, only their SHA-256.
/// </summary>
public sealed class EscalationMirror : IAsyncDisposable
{
    /// <summary>How often mirrored escalations are polled when no interval is given (the TypeScript SDK's default).</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(2);

    private readonly ControlPlaneClient _client;
    private readonly ApprovalService _approvals;
    private readonly string _tenant;
    private readonly EscalationMirrorState _state;
    private readonly TimeProvider _time;
    private readonly ILogger? _logger;
    private readonly TimeSpan _pollInterval;
    private readonly Channel<Escalation> _created = Channel.CreateUnbounded<Escalation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, Escalation> _unreported = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private string? _outage;
    private int _disposed;

    /// <summary>Starts mirroring the escalations <paramref name="approvals"/> creates from now on, and those left unreported or unresolved by an earlier run.</summary>
    /// <param name="client">The control-plane client.</param>
    /// <param name="approvals">The local approvals.</param>
    /// <param name="tenant">Sent as <c>?tenant=</c>.</param>
    /// <param name="stateDirectory">Where the local → remote id map is kept across restarts (<c>&lt;sec0Dir&gt;/control-plane</c>).</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where failures are logged.</param>
    /// <param name="pollInterval">How often remote statuses are read; null for <see cref="DefaultPollInterval"/>.</param>
    public EscalationMirror(ControlPlaneClient client, ApprovalService approvals, string tenant, string stateDirectory, TimeProvider time, ILogger? logger, TimeSpan? pollInterval = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(approvals);
        _client = client;
        _approvals = approvals;
        _tenant = tenant;
        _state = new EscalationMirrorState(Path.Combine(stateDirectory, "escalations.json"), logger);
        _time = time;
        _logger = logger;
        _pollInterval = pollInterval ?? DefaultPollInterval;
        approvals.EscalationCreated = e => _created.Writer.TryWrite(e);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The control plane's id for a local escalation, once reported; null before.</summary>
    public string? RemoteIdOf(string localId) => _state.RemoteIdOf(localId);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _approvals.EscalationCreated = null;
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        try
        {
            // Escalations an earlier run created but did not report (or that were pending when it stopped).
            foreach (var pending in await _approvals.ListAsync(EscalationStatus.Pending, token).ConfigureAwait(false))
            {
                if (_state.RemoteIdOf(pending.Id) is null)
                {
                    _unreported[pending.Id] = pending;
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger?.MirrorPendingNotListed(ex);
        }

        while (!token.IsCancellationRequested)
        {
            try
            {
                while (_created.Reader.TryRead(out var created))
                {
                    _unreported[created.Id] = created;
                }

                await ReportAsync(token).ConfigureAwait(false);
                await PollAsync(token).ConfigureAwait(false);

                using var tick = CancellationTokenSource.CreateLinkedTokenSource(token);
                tick.CancelAfter(_pollInterval);
                try
                {
                    // Wakes early for a new escalation, so it is reported at once rather than at the next poll.
                    await _created.Reader.WaitToReadAsync(tick.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger?.MirrorCrashed(ex);
                await Task.Delay(_pollInterval, _time, token).ConfigureAwait(false);
            }
        }
    }

    private async Task ReportAsync(CancellationToken token)
    {
        foreach (var (id, escalation) in _unreported)
        {
            if (await _approvals.GetAsync(id, token).ConfigureAwait(false) is not { IsResolved: false })
            {
                // Decided here (or gone) while the control plane was unreachable: nothing left for it to decide.
                _unreported.TryRemove(id, out _);
                continue;
            }

            RemoteEscalation remote;
            try
            {
                remote = await _client.CreateEscalationAsync(_tenant, w => WriteBody(w, escalation), token).ConfigureAwait(false);
            }
            catch (ControlPlaneException ex)
            {
                if (!ex.IsRetryable)
                {
                    // Repeating cannot fix a refusal: the escalation stays local.
                    _unreported.TryRemove(id, out _);
                    _logger?.MirrorEscalationRefused(id, ex.Message);
                }
                else
                {
                    // Kept: reported again at the next poll, for as long as it is pending here. One warning per outage.
                    LogOutage(ex.Message);
                }

                continue;
            }

            _unreported.TryRemove(id, out _);
            _state.Add(id, remote.Id);
            _outage = null;
        }
    }

    private async Task PollAsync(CancellationToken token)
    {
        foreach (var (localId, remoteId) in _state.Entries())
        {
            var local = await _approvals.GetAsync(localId, token).ConfigureAwait(false);
            if (local is null || local.IsResolved)
            {
                // Decided here (or gone): nothing left to learn from the control plane.
                _state.Remove(localId);
                continue;
            }

            RemoteEscalation remote;
            try
            {
                remote = await _client.GetEscalationAsync(remoteId, _tenant, token).ConfigureAwait(false);
            }
            catch (ControlPlaneException ex)
            {
                LogOutage(ex.Message);
                continue;
            }

            if (!string.Equals(remote.Id, remoteId, StringComparison.Ordinal))
            {
                // The answer is about another escalation: it must not decide this one.
                _logger?.MirrorAnswerMismatch(remote.Id, remoteId, localId);
                continue;
            }

            var status = remote.Status switch
            {
                "approved" => EscalationStatus.Approved,
                "rejected" => EscalationStatus.Rejected,
                "expired" => EscalationStatus.Expired,
                _ => (EscalationStatus?)null,
            };
            if (status is { } final)
            {
                var after = await _approvals.ResolveFromControlPlaneAsync(localId, final, token).ConfigureAwait(false);
                _logger?.MirrorEscalationResolved(localId, remote.Status, remoteId, after is null ? "gone" : ApprovalNames.Of(after.Status));
                _state.Remove(localId);
            }
        }
    }

    /// <summary>One warning per distinct failure while the control plane is unreachable, not one per escalation and poll.</summary>
    private void LogOutage(string reason)
    {
        if (string.Equals(Interlocked.Exchange(ref _outage, reason), reason, StringComparison.Ordinal))
        {
            return;
        }

        _logger?.MirrorUnavailable(reason);
    }

    /// <summary>The TypeScript SDK's escalation body: snake_case, reasons and requirements; the arguments only as their hash.</summary>
    private static void WriteBody(Utf8JsonWriter w, Escalation e)
    {
        var r = e.Request;
        var q = r.Requirements;
        w.WriteString("content", $"Policy denied {r.ToolRef} due to {r.Violation}.");
        w.WriteString("violation", r.Violation);
        w.WriteString("message", r.Violation.Replace('_', ' '));
        w.WriteString("severity", "high");
        if (r.NodeId.Length > 0)
        {
            w.WriteString("node_id", r.NodeId);
        }

        w.WriteNumber("ttl_seconds", (long)q.Ttl.TotalSeconds);
        w.WriteString("timeout_action", q.TimeoutAction == EscalationTimeoutAction.AutoApprove ? "auto_approve" : "auto_reject");
        w.WriteString("approval_strategy", ApprovalNames.Of(q.Strategy));
        if (q.ApprovalSetId is not null)
        {
            w.WriteString("approval_set_id", q.ApprovalSetId);
        }

        w.WriteNumber("min_approvals", q.MinApprovals);
        w.WriteNumber("min_rejections", q.MinRejections);
        Strings(w, "required_roles", q.RequiredRoles);
        Strings(w, "veto_roles", q.VetoRoles);
        w.WriteStartObject("metadata");
        w.WriteString("source", "sec0-dotnet");
        w.WriteString("layer", r.Layer);
        w.WriteString("tool_ref", r.ToolRef);
        w.WriteString("decision_reason", r.Violation);
        w.WriteString("local_escalation_id", e.Id);
        w.WriteString("input_sha256", r.ArgumentsSha256);
        if (r.TraceId is not null)
        {
            w.WriteString("trace_id", r.TraceId);
        }

        Strings(w, "reasons", r.Reasons);
        Strings(w, "risk_tags", r.RiskTags);
        w.WriteEndObject();
    }

    private static void Strings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }
}
