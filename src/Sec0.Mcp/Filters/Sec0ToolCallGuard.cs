using System.Diagnostics;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Sec0.Approvals;
using Sec0.Audit;
using Sec0.ControlPlane;
using Sec0.Policy;
using Sec0.Scanning;
using Sec0.Telemetry;

namespace Sec0.Mcp;

/// <summary>
/// The two call-tool filters Sec0 installs. <see cref="Outermost"/> runs before every other filter: it decides the
/// call (allowlist, version pinning, idempotency, payload size, scan verdicts, circuit breaker), and after the
/// call writes the one envelope. <see cref="Innermost"/> runs after every other filter, right before the SDK
/// invokes <c>MatchedPrimitive</c>: a filter that swapped the handler is caught there, before the swapped handler runs.
/// </summary>
internal sealed class Sec0ToolCallGuard
{
    private const string Op = "tools/call";

    private const string MalformedInputHint =
        "Send arguments and _meta as I-JSON (RFC 7493): every member name once per object, every number within the range of a double.";
    private readonly Sec0McpRuntime _runtime;

    public Sec0ToolCallGuard(Sec0McpRuntime runtime)
    {
        _runtime = runtime;
    }

    /// <summary>The outermost filter: decide, run the rest of the pipeline, record.</summary>
    public McpRequestHandler<CallToolRequestParams, CallToolResult> Outermost(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (context, cancellationToken) =>
        {
            if (context.Server.ServerOptions.ToolCollection is not Sec0FreezableToolCollection registry)
            {
                // The collection was replaced after Sec0 installed its own: nothing here can be trusted.
                _runtime.Logger.McpToolCollectionReplaced();
                return DenialResult(context.Params?.Name, PolicyReasons.RegistryMutation);
            }

            var name = context.Params?.Name ?? string.Empty;
            var server = registry.ServerName;
            var version = registry.ServerVersion;
            registry.TryGetPin(name, out var pin);
            var toolRef = pin?.ToolRef ?? Sec0McpRuntime.ToolRef(server, name, version);
            var started = Stopwatch.GetTimestamp();

            // Reading the request never throws: what canonical JSON cannot express comes back as input.Problem and is
            // decided (malformed_input) and audited below like every other reason.
            var input = ToolCallInput.Read(context);
            var idempotencyKey = input.IdempotencyKey;
            using var activity = !Sec0McpRuntime.Source.HasListeners() ? null
                : input.Parent is { } parent
                    ? Sec0McpRuntime.Source.StartActivity(Op + " " + name, ActivityKind.Server, parent)
                    : Sec0McpRuntime.Source.StartActivity(Op + " " + name, ActivityKind.Server);

            var e = _runtime.NewEnvelope(server, name, toolRef, Op);
            e.TargetServer = registry.TargetServer;
            e.TargetTool = name;
            if (input.Arguments is { } arguments)
            {
                e.SetInputToHash(arguments);
            }

            e.IdempotencyKey = idempotencyKey;
            e.HopHash = pin?.BodyHash;
            e.RegistryFrozen = registry.IsFrozen;
            if (registry.Snapshot is { } snapshot && registry.SnapshotCanonical is { } canonical)
            {
                e.SetSharedServerSnapshot(snapshot, canonical);
            }
            else
            {
                e.ServerSnapshot = registry.Snapshot;
            }
            SetTrace(e, activity, input.Parent);
            Tag(activity, server, name, toolRef);

            // The SDK resolved MatchedPrimitive from the frozen registry before any filter ran; anything else
            // here means the pipeline was tampered with before Sec0 saw the call.
            var swapped = !IsPinnedHandler(pin, context.MatchedPrimitive, checkDefinition: false);
            var breakerKey = pin?.BreakerKey ?? Sec0McpRuntime.BreakerKey(server, name);
            var scan = pin?.ScanSubject ?? new McpToolScanSubject(server, name, null);
            var sast = Verdict(_runtime.Options.Sast, scan, "SAST");
            var dast = Verdict(_runtime.Options.Dast, scan, "DAST");
            e.SastStatus = StatusName(sast);
            e.DastStatus = StatusName(dast);

            var decision = _runtime.Engine.Decide(new DecisionContext
            {
                Server = server,
                Tool = name,
                Version = version,
                PayloadBytes = input.Arguments?.Length ?? 0,
                IsSideEffect = pin?.IsSideEffect ?? false,
                HasIdempotencyKey = idempotencyKey is not null || pin is null || !pin.RequiresIdempotencyKey,
                CodeHash = pin?.BodyHash,
                SastStatus = sast,
                DastStatus = dast,
                CircuitOpen = _runtime.Breakers?.IsOpen(breakerKey) == true,
                MissingAuditSignature = _runtime.Appender.IsFaulted,
                HandlerSwap = swapped,
                MalformedInput = input.Problem is not null,
            });

            if (_runtime.Remote is { } remote)
            {
                // A swapped handler is refused whatever any engine says: asking would only cost the budget.
                if (!swapped && RemoteDecider.Consults(decision))
                {
                    // Not the request's token: the budget bounds the wait, and a decided call is recorded even when its client left.
                    decision = await remote.DecideAsync(decision, _runtime.Engine, new RemoteDecisionContext
                    {
                        ExecutionLayer = DenialLevels.Middleware,
                        Tenant = e.Tenant,
                        Server = server,
                        Tool = name,
                        Version = version,
                        NodeId = e.NodeId,
                    }, CancellationToken.None).ConfigureAwait(false);
                }

                RemoteDecider.Stamp(e, activity, decision);
            }

            Sec0Metrics.RecordDecision(decision.OutcomeName, decision.PrimaryReasonName);
            if (!decision.Violations.IsEmpty)
            {
                e.Policy = AuditPolicyRecord.For(decision.OutcomeName, decision.PrimaryReasonName);
                e.DecisionReason = decision.PrimaryReasonName;
            }

            AuditRisk.Apply(e, decision);

            // The approval token is the gateway's and Sec0's business, never the tool's.
            // (Not from a _meta canonical JSON cannot express: that call is denied as malformed_input anyway.)
            var approvalToken = input.Problem is null ? TakeApprovalToken(context.Params) : null;

            // A swapped handler never runs, whatever deny_on or observe mode says: it is not the code that was reviewed.
            if (swapped || decision.IsBlocked)
            {
                var reason = swapped ? PolicyReasons.HandlerSwap : decision.PrimaryReasonName;
                var detail = reason == PolicyReasons.MalformedInput ? input.Problem : null;
                if (swapped || decision.Outcome != DecisionOutcome.Escalate || _runtime.Approvals is not { } approvals || input.Arguments is not { } escalatedArguments)
                {
                    return Deny(e, activity, name, reason, swapped ? DecisionNames.Deny : decision.OutcomeName, started, detail);
                }

                var binding = new ApprovalBinding(e.Tenant ?? string.Empty, toolRef, context.Server.ClientInfo?.Name ?? string.Empty, Sha256Hex.Of(escalatedArguments));
                var refusal = await EscalateAsync(e, approvals, decision, binding, escalatedArguments, approvalToken, cancellationToken).ConfigureAwait(false);
                if (refusal is not null || e.EscalationStatus != ApprovalNames.Of(EscalationStatus.Approved))
                {
                    return Deny(e, activity, name, refusal ?? reason, decision.OutcomeName, started);
                }
            }

            var state = new ToolCallState(pin);
            context.Items[ToolCallState.ItemsKey] = state;
            CallToolResult result;
            try
            {
                result = await next(context, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Tool exceptions pass through the filters: record the failure, then let the SDK answer as usual.
                e.Status = EnvelopeStatus.Error;
                e.LatencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                _runtime.Breakers?.Record(breakerKey, ok: false, TimeSpan.FromMilliseconds(e.LatencyMs.Value));
                activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
                _runtime.Record(e);
                throw;
            }
            finally
            {
                context.Items.Remove(ToolCallState.ItemsKey);
            }

            if (state.HandlerSwapDetected)
            {
                return Deny(e, activity, name, PolicyReasons.HandlerSwap, DecisionNames.Deny, started);
            }

            e.SetOutputToHash(OutputBytes(result, name));
            e.Status = EnvelopeStatus.Of(result.IsError != true);
            e.LatencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            _runtime.Breakers?.Record(breakerKey, e.Status == EnvelopeStatus.Ok, TimeSpan.FromMilliseconds(e.LatencyMs.Value));
            if (e.Status == EnvelopeStatus.Error)
            {
                activity?.SetStatus(ActivityStatusCode.Error, "tool returned an error result");
            }

            _runtime.Record(e);
            return result;
        };

    /// <summary>
    /// The innermost filter: the last code before the SDK invokes <c>MatchedPrimitive</c>. It runs only when the
    /// outermost filter allowed the call, and refuses any handler other than the pinned instance with its pinned definition.
    /// </summary>
    public McpRequestHandler<CallToolRequestParams, CallToolResult> Innermost(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        (context, cancellationToken) =>
        {
            if (!context.Items.TryGetValue(ToolCallState.ItemsKey, out var item) || item is not ToolCallState state)
            {
                // The outermost filter did not let this call through (its state is gone): fail closed.
                _runtime.Logger.McpCallWithoutDecision(context.Params?.Name);
                return ValueTask.FromResult(DenialResult(context.Params?.Name, PolicyReasons.HandlerSwap));
            }

            state.InnerReached = true;
            if (!IsPinnedHandler(state.Pin, context.MatchedPrimitive, checkDefinition: true))
            {
                state.HandlerSwapDetected = true;
                _runtime.Logger.McpHandlerSwap(state.Pin?.Name ?? context.Params?.Name);
                return ValueTask.FromResult(DenialResult(state.Pin?.Name ?? context.Params?.Name, PolicyReasons.HandlerSwap));
            }

            return next(context, cancellationToken);
        };

    /// <summary>
    /// The error result a denied call gets: <c>isError</c> true and a text that names the reason, followed for
    /// <c>malformed_input</c> by what is wrong and how to send it instead.
    /// </summary>
    internal static CallToolResult DenialResult(string? tool, string reason, string? detail = null) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = detail is null
            ? $"[sec0] Tool \"{tool}\" denied by policy: {reason}"
            : $"[sec0] Tool \"{tool}\" denied by policy: {reason} ({detail}). {MalformedInputHint}" }],
        Meta = new JsonObject { ["sec0"] = new JsonObject { ["denial_reason"] = reason, ["denial_level"] = DenialLevels.Middleware } },
    };

    /// <summary>
    /// An escalated call: with a token, spends it when it was approved for exactly this call (the call then runs) or
    /// names the refusal; without one, creates the escalation (<see cref="ApprovalService.EscalateAsync"/>, bounded by
    /// <see cref="Sec0McpOptions.EscalationTimeout"/>).
    /// </summary>
    /// <returns>The denial reason of a refused token; null otherwise (the envelope's escalation status says whether it may run).</returns>
    private async Task<string?> EscalateAsync(AuditEnvelope e, ApprovalService approvals, Decision decision, ApprovalBinding binding, byte[] arguments, string? token, CancellationToken cancellationToken)
    {
        if (token is not null)
        {
            var redemption = await approvals.RedeemAsync(token, binding, cancellationToken).ConfigureAwait(false);
            e.EscalationId = redemption.Escalation?.Id;
            e.EscalationStatus = redemption.Escalation is { } redeemed ? ApprovalNames.Of(redeemed.Status) : null;
            return redemption.Accepted ? null : "approval_token_" + ApprovalNames.Of(redemption.Refusal);
        }

        var request = EscalationRequest.For(decision, binding, arguments, DenialLevels.Middleware, e.TraceId, _runtime.Policy.Security.SideEffects.HumanEscalation);
        var attempt = await approvals.EscalateAsync(request, binding, _runtime.Options.EscalationTimeout, cancellationToken).ConfigureAwait(false);
        (e.EscalationId, e.EscalationStatus, e.EscalationError) = (attempt.EscalationId, attempt.Status, attempt.Error);
        return null;
    }

    private static string? TakeApprovalToken(CallToolRequestParams? parameters)
    {
        if (parameters?.Meta is not { } meta || !meta.TryGetPropertyValue(Sec0McpOptions.ApprovalTokenMetaName, out var node))
        {
            return null;
        }

        meta.Remove(Sec0McpOptions.ApprovalTokenMetaName);
        return node is JsonValue value && value.TryGetValue<string>(out var text) ? text : string.Empty;
    }

    /// <summary>
    /// True when <paramref name="matched"/> is the pinned instance (by reference) and, with
    /// <paramref name="checkDefinition"/>, still advertises the pinned definition (by hash). An unregistered name
    /// must have no handler at all: the SDK then answers "unknown tool" itself.
    /// </summary>
    private static bool IsPinnedHandler(PinnedTool? pin, IMcpServerPrimitive? matched, bool checkDefinition)
    {
        if (pin is null)
        {
            return matched is null;
        }

        return ReferenceEquals(matched, pin.Tool) && (!checkDefinition || pin.DefinitionUnchanged(pin.Tool.ProtocolTool));
    }

    private CallToolResult Deny(AuditEnvelope e, Activity? activity, string tool, string reason, string outcome, long started, string? detail = null)
    {
        var result = DenialResult(tool, reason, detail);
        if (e.EscalationId is not null && result.Meta?["sec0"] is JsonObject sec0)
        {
            sec0["escalation_id"] = e.EscalationId;
            sec0["escalation_status"] = e.EscalationStatus;
        }

        e.Status = EnvelopeStatus.Error;
        e.DenialReason = reason;
        e.DecisionReason = reason;
        e.DenialLevel = DenialLevels.Middleware;
        e.DenialType = DenialTypes.Of(outcome == DecisionNames.Escalate);
        e.Policy = AuditPolicyRecord.For(outcome, reason);
        e.SetOutputToHash(OutputBytes(result, tool));
        e.LatencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        activity?.SetTag("sec0.denial_reason", reason);
        activity?.SetTag("error.type", reason);
        activity?.SetStatus(ActivityStatusCode.Error, reason);
        if (detail is null)
        {
            _runtime.Logger.McpCallDenied(tool, reason);
        }
        else
        {
            _runtime.Logger.McpCallDeniedWithDetail(tool, reason, detail);
        }

        _runtime.Record(e);
        return result;
    }

    /// <summary>
    /// The bytes <c>output_sha256</c> is computed over (by the audit writer): the result's canonical JSON. A result
    /// canonical JSON cannot express (a duplicate member, a number beyond double range, a broken surrogate in a
    /// hand-built element) is hashed as the SDK serializes it, with a warning, so the call and its envelope still
    /// go through.
    /// </summary>
    private byte[] OutputBytes(CallToolResult result, string tool)
    {
        try
        {
            return CanonicalJson.OfResult(result);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException)
        {
            _runtime.Logger.McpResultNotCanonical(tool, ex.Message);
            return CanonicalJson.Serialized(result);
        }
    }

    private ScanStatus Verdict(Sec0McpScanOptions options, McpToolScanSubject subject, string kind)
    {
        if (options.GetVerdict is not { } getVerdict)
        {
            return ScanStatus.None;
        }

        try
        {
            return getVerdict(subject);
        }
        catch (Exception ex)
        {
            // A failing verdict source is an error verdict: fail_on_error in the policy decides whether it blocks.
            _runtime.Logger.McpVerdictUnreadable(ex, kind, subject.Tool);
            return ScanStatus.Error;
        }
    }

    private static string? StatusName(ScanStatus status) => status == ScanStatus.None ? null : ScanNames.Status(status);

    private static void SetTrace(AuditEnvelope e, Activity? activity, ActivityContext? parent)
    {
        if (activity is not null)
        {
            e.TraceId = activity.TraceId.ToHexString();
            e.SpanId = activity.SpanId.ToHexString();
        }
        else
        {
            // No listener: keep W3C ids anyway, continuing the client's trace when it sent one.
            e.TraceId = (parent?.TraceId ?? Activity.Current?.TraceId ?? ActivityTraceId.CreateRandom()).ToHexString();
            e.SpanId = ActivitySpanId.CreateRandom().ToHexString();
        }

        if (parent is { } p)
        {
            e.CauseTraceId = p.TraceId.ToHexString();
            e.CauseSpanId = p.SpanId.ToHexString();
        }
    }

    private void Tag(Activity? activity, string server, string tool, string toolRef)
    {
        if (activity is null)
        {
            return;
        }

        var otel = _runtime.Options.Otel;

        // The MCP and GenAI semantic conventions' names for a tool call, beside the names earlier versions used.
        activity.SetTag("mcp.method.name", Op);
        activity.SetTag("gen_ai.operation.name", "execute_tool");
        activity.SetTag("gen_ai.tool.name", tool);
        activity.SetTag("mcp.server", server);
        activity.SetTag("mcp.tool", tool);
        activity.SetTag("sec0.tool_ref", toolRef);
        activity.SetTag("service.name", otel.ServiceName ?? server);
        if (otel.Environment is { } environment)
        {
            activity.SetTag("deployment.environment", environment);
        }
    }
}
