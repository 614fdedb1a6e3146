using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Sec0.Approvals;
using Sec0.Audit;
using Sec0.ControlPlane;
using Sec0.Gateway.Auth;
using Sec0.Gateway.State;
using Sec0.Gateway.Upstreams;
using Sec0.Policy;
using Sec0.Telemetry;

namespace Sec0.Gateway.Pipeline;

/// <summary>
/// Handles one gateway request from route to response: route, caller headers, credential, body, decision
/// (entitlements and policy through the one <see cref="DecisionEngine"/>), idempotency, quotas, the upstream call.
/// Every request ends in exactly one signed envelope, whatever its status.
/// </summary>
internal sealed class GatewayRequestHandler
{
    private const string Op = "tools/call";
    private const string JsonContentType = "application/json";

    private readonly GatewayRuntime _runtime;

    public GatewayRequestHandler(GatewayRuntime runtime) => _runtime = runtime;

    public async Task HandleAsync(HttpContext http)
    {
        var started = Stopwatch.GetTimestamp();
        var request = http.Request;
        var parent = GatewayTrace.ParseParent(request.Headers[GatewayTrace.TraceParentHeader], request.Headers[GatewayTrace.TraceStateHeader]);
        using var activity = !GatewayRuntime.Source.HasListeners() ? null
            : parent is { } p
                ? GatewayRuntime.Source.StartActivity("POST /mcp", ActivityKind.Server, p)
                : GatewayRuntime.Source.StartActivity("POST /mcp", ActivityKind.Server);
        var call = new GatewayCall(GatewayTrace.Create(parent, activity), started);
        call.Trace.WriteHeaders(http.Response);

        GatewayOutcome outcome;
        try
        {
            outcome = await RunAsync(http, call).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The caller went away: nothing to answer, but the request is still on the record.
            outcome = GatewayOutcome.Failed(new GatewayError(499, "CLIENT_CLOSED_REQUEST", "[sec0-gateway] The caller closed the connection before the answer.", "client_closed_request"));
            call.Aborted = true;
        }
        catch (Exception ex)
        {
            _runtime.Logger.GatewayRequestFailed(ex, GatewayError.Clip(request.Path.Value ?? string.Empty));
            outcome = GatewayOutcome.Failed(GatewayError.Internal());
        }

        // The answer is settled before it is sent: the key is completed or freed and the envelope is queued first,
        // so a caller that has the answer finds the record, and a duplicate waiting on the key is released at once.
        var answer = PrepareResponse(http, call, outcome);
        if (call.Lease is { } lease)
        {
            await ReleaseOrCompleteAsync(call, lease, outcome).ConfigureAwait(false);
        }

        Record(call, outcome, activity);
        if (!call.Aborted && answer is not null)
        {
            try
            {
                await http.Response.Body.WriteAsync(answer, http.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                // The caller went away while the answer was written; the record already says what it was.
            }
        }
    }

    private async Task<GatewayOutcome> RunAsync(HttpContext http, GatewayCall call)
    {
        var request = http.Request;
        var rawTarget = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? string.Empty;
        var route = ToolRoute.Parse(rawTarget, out var routeError);
        if (route is null)
        {
            return GatewayOutcome.Failed(routeError ?? GatewayError.NotFound(rawTarget));
        }

        call.Route = route.Value;
        if (!HttpMethods.IsPost(request.Method))
        {
            http.Response.Headers.Allow = "POST";
            return GatewayOutcome.Failed(GatewayError.MethodNotAllowed(request.Method));
        }

        var headers = CallerHeaders.Read(request.Headers, out var headerError);
        if (headers is null)
        {
            return GatewayOutcome.Failed(headerError!);
        }

        call.Headers = headers;
        http.Response.Headers[CallerHeaders.IdempotencyKeyHeader] = headers.IdempotencyKey;

        var auth = await _runtime.Authenticator.AuthenticateAsync(request.Headers.Authorization, request.Headers[GatewayAuthenticator.TenantHeader], http.RequestAborted).ConfigureAwait(false);
        if (!auth.Succeeded)
        {
            call.AuthFailure = auth.Failure;
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return GatewayOutcome.Failed(GatewayError.Unauthenticated());
        }

        var principal = auth.Principal!;
        call.Principal = principal;

        if (GatewayBody.ReadContentTypeError(request) is { } typeError)
        {
            return GatewayOutcome.Failed(typeError);
        }

        var body = await GatewayBody.ReadAsync(request, _runtime.MaxBodyBytes, http.RequestAborted).ConfigureAwait(false);
        if (body.Error is { } bodyError)
        {
            return GatewayOutcome.Failed(bodyError);
        }

        using var arguments = body.Arguments;
        call.CanonicalInput = body.Canonical ?? body.Received;

        var toolRoute = route.Value;
        var toolRef = toolRoute.ToolRef;
        var entitlement = _runtime.Entitlements?.Check(principal.Tenant, principal.User, principal.Roles, headers.NodeId, toolRoute.Server, toolRoute.Tool, toolRoute.Version, toolRef);
        // One engine for the whole decision, also when a control-plane policy refresh replaces it meanwhile.
        var policy = _runtime.Policy;
        var engine = policy.Engine;
        call.PolicyHash = policy.PolicyHash;
        var decision = engine.Decide(new DecisionContext
        {
            Server = toolRoute.Server,
            Tool = toolRoute.Tool,
            Version = toolRoute.Version,
            PayloadBytes = body.Length,
            // Every gateway request carries a key (it is required above); whether the tool has side effects is the
            // tool server's knowledge, so no side_effect risk tag is claimed here.
            HasIdempotencyKey = true,
            MissingAuditSignature = _runtime.Appender.IsFaulted,
            MalformedInput = body.Canonical is null,
            NotEntitled = entitlement is { Allowed: false },
        });

        // Entitlements are the gateway's authorization: a caller refused by them is not a question for the remote engine.
        if (_runtime.Remote is { } remote && entitlement is not { Allowed: false } && RemoteDecider.Consults(decision))
        {
            // Not RequestAborted: the budget bounds the wait, and a decided request is recorded even when its caller left.
            decision = await remote.DecideAsync(decision, engine, new RemoteDecisionContext
            {
                ExecutionLayer = DenialLevels.Gateway,
                Tenant = principal.Tenant,
                Server = toolRoute.Server,
                Tool = toolRoute.Tool,
                Version = toolRoute.Version,
                // As the envelope records them: hashed with privacy.redact_identities.
                NodeId = _runtime.Identity(headers.NodeId),
                RunId = headers.RunId,
            }, CancellationToken.None).ConfigureAwait(false);
        }

        call.Decision = decision;
        Sec0Metrics.RecordDecision(decision.OutcomeName, decision.PrimaryReasonName);
        Sec0Metrics.RecordGatewayRequest(decision.OutcomeName);
        (ApprovalService Service, ApprovalBinding Binding)? pendingApproval = null;
        if (decision.IsBlocked)
        {
            if (decision.PrimaryReason == PolicyReason.MalformedInput)
            {
                return GatewayOutcome.Failed(GatewayError.MalformedInput(body.Problem ?? "not canonical JSON"));
            }

            var reason = decision.PrimaryReasonName;
            var escalated = decision.Outcome == DecisionOutcome.Escalate;
            if (escalated && _runtime.Options.Approvals is { } approvals)
            {
                var binding = new ApprovalBinding(principal.Tenant, toolRef, headers.NodeId ?? string.Empty, Sha256Hex.Of(body.Canonical!));
                if (request.Headers[ApprovalTokenHeader].Count > 0)
                {
                    // Spent last, just before the tool runs: a retry stopped by a replay, a quota or a missing target keeps it.
                    pendingApproval = (approvals, binding);
                }
                else
                {
                    await CreateEscalationAsync(http, call, approvals, decision, binding, body.Canonical!).ConfigureAwait(false);
                }
            }

            if (pendingApproval is null && call.EscalationStatus != ApprovalNames.Of(EscalationStatus.Approved))
            {
                return GatewayOutcome.Failed(reason == PolicyReasons.ToolNotInAllowlist
                    ? GatewayError.ToolNotAllowed(toolRef, principal.Tenant)
                    : GatewayError.PolicyDenied(reason, toolRef), escalated);
            }
        }

        if (!_runtime.Upstreams.TryGetValue(toolRoute.Server, out var upstream))
        {
            return GatewayOutcome.Failed(GatewayError.TargetNotFound(toolRoute.Server));
        }

        // Idempotency before quotas: a replay is not a new call and does not spend quota.
        if (_runtime.Dedupe is { } dedupe)
        {
            var key = new IdempotencyKey(principal.Tenant, toolRoute.Server, toolRoute.ToolAtVersion, headers.IdempotencyKey);
            var requestHash = Sha256Hex.Of(body.Canonical!);
            call.InputSha256 = requestHash;
            IdempotencyClaim? claim;
            try
            {
                claim = await ClaimAsync(dedupe, key, requestHash, http.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsStateFailure(ex, http))
            {
                if (StateFailed(call, ex, "idempotency") is { } refused)
                {
                    return refused;
                }

                claim = null;
            }

            switch (claim?.Kind)
            {
                case null:
                    break;
                case IdempotencyClaimKind.Completed:
                    return GatewayOutcome.Replay(claim.Value.Response!);
                case IdempotencyClaimKind.Mismatch:
                    return GatewayOutcome.Failed(GatewayError.KeyReused());
                case IdempotencyClaimKind.InFlight:
                    return GatewayOutcome.Failed(GatewayError.Duplicate());
                default:
                    call.Lease = new GatewayLease(dedupe, key, claim.Value.LeaseId!);
                    break;
            }
        }

        if (entitlement is { Limits: var limits } && _runtime.Quotas is { } quotas)
        {
            GatewayError? quotaError;
            try
            {
                quotaError = await GatewayQuota.CheckAsync(quotas, http.Response, principal.Tenant, toolRef, limits, _runtime.Time.GetUtcNow(), http.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsStateFailure(ex, http))
            {
                quotaError = StateFailed(call, ex, "quota")?.Error;
            }

            if (quotaError is not null)
            {
                if (quotaError.Status == StatusCodes.Status429TooManyRequests)
                {
                    Sec0Metrics.RecordQuotaRejection(quotaError.Reason);
                }

                return GatewayOutcome.Failed(quotaError);
            }
        }

        if (pendingApproval is { } approval && await RedeemAsync(http, call, approval.Service, approval.Binding).ConfigureAwait(false) is { } refusal)
        {
            return refusal;
        }

        return await CallUpstreamAsync(http, call, upstream, toolRoute, arguments!.RootElement, headers).ConfigureAwait(false);
    }

    /// <summary>
    /// A retried escalated call's <c>x-sec0-approval-token</c>: spent when it was approved for exactly this call (which
    /// then runs), otherwise refused. A repeated header is refused rather than guessed at.
    /// </summary>
    /// <returns>The refusal; null when the call may run.</returns>
    private async Task<GatewayOutcome?> RedeemAsync(HttpContext http, GatewayCall call, ApprovalService approvals, ApprovalBinding binding)
    {
        var token = http.Request.Headers[ApprovalTokenHeader];
        var redemption = await approvals.RedeemAsync(token.Count == 1 ? token[0] : null, binding, http.RequestAborted).ConfigureAwait(false);
        call.EscalationId = redemption.Escalation?.Id;
        call.EscalationStatus = redemption.Escalation is { } e ? ApprovalNames.Of(e.Status) : null;
        return redemption.Accepted ? null : GatewayOutcome.Failed(GatewayError.ApprovalTokenRefused(ApprovalNames.Of(redemption.Refusal)), escalated: true);
    }

    /// <summary>An escalated call without a token: its escalation (<see cref="ApprovalService.EscalateAsync"/>).</summary>
    private async Task CreateEscalationAsync(HttpContext http, GatewayCall call, ApprovalService approvals, Decision decision, ApprovalBinding binding, byte[] canonical)
    {
        var request = EscalationRequest.For(decision, binding, canonical, DenialLevels.Gateway, call.Trace.TraceId.ToHexString(), _runtime.Options.Policy?.Security.SideEffects.HumanEscalation);
        var attempt = await approvals.EscalateAsync(request, binding, _runtime.Options.EscalationTimeout, http.RequestAborted).ConfigureAwait(false);
        (call.EscalationId, call.EscalationStatus, call.EscalationError) = (attempt.EscalationId, attempt.Status, attempt.Error);
    }

    private async ValueTask<IdempotencyClaim> ClaimAsync(IIdempotencyStore dedupe, IdempotencyKey key, string requestHash, CancellationToken cancellationToken)
    {
        var claim = await dedupe.ClaimAsync(key, requestHash, _runtime.DedupeLease, _runtime.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return claim.Kind == IdempotencyClaimKind.InFlight
            ? await dedupe.WaitAsync(key, requestHash, _runtime.DedupeLease, _runtime.DedupeWait, _runtime.Time, cancellationToken).ConfigureAwait(false)
            : claim;
    }

    /// <summary>A store failure, not the caller going away.</summary>
    private static bool IsStateFailure(Exception ex, HttpContext http)
        => !(ex is OperationCanceledException && http.RequestAborted.IsCancellationRequested);

    /// <summary>
    /// The shared state failed: fail closed (503, the default) or, with <see cref="Sec0GatewayOptions.StateFailOpen"/>,
    /// go on without it. Either way the envelope carries <c>state_unavailable</c>.
    /// </summary>
    private GatewayOutcome? StateFailed(GatewayCall call, Exception ex, string what)
    {
        call.StateFailure = what;
        _runtime.Logger.GatewayStateStoreFailed(ex, what, ex.GetType().Name, _runtime.Options.StateFailOpen ? "forwarding without it (state.fail_open)" : "answering 503");
        return _runtime.Options.StateFailOpen ? null : GatewayOutcome.Failed(GatewayError.StateUnavailable());
    }

    private async Task<GatewayOutcome> CallUpstreamAsync(HttpContext http, GatewayCall call, IGatewayUpstream upstream, ToolRoute route, JsonElement arguments, CallerHeaders headers)
    {
        var forwarded = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["x-cause-trace"] = call.Trace.TraceId.ToHexString(),
            ["x-cause-span"] = call.Trace.SpanId.ToHexString(),
        };
        foreach (var name in s_forwardedHeaders)
        {
            // Kestrel takes UTF-8 header values, HttpClient sends only ASCII: a value it would refuse is not passed on
            // (it is still in the envelope), rather than failing the upstream call.
            if (http.Request.Headers.TryGetValue(name, out var value) && value.Count == 1 && value[0] is { } text && Ascii.IsValid(text))
            {
                forwarded[name] = text;
            }
        }

        // max_duration_ms is enforced while the call runs: the token fires and the upstream abandons the call.
        using var timeout = new CancellationTokenSource(_runtime.MaxDuration, _runtime.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, http.RequestAborted);
        UpstreamResult result;
        try
        {
            result = await upstream.CallToolAsync(
                new UpstreamCall(route.Server, route.Tool, route.Version, arguments, headers.IdempotencyKey, call.Trace.ToTraceParent(), forwarded),
                linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !http.RequestAborted.IsCancellationRequested)
        {
            return GatewayOutcome.Failed(GatewayError.UpstreamTimeout(_runtime.MaxDuration.TotalMilliseconds));
        }

        call.UpstreamStatus = result.UpstreamStatus;
        return result.Outcome switch
        {
            UpstreamOutcome.Ok => GatewayOutcome.Forwarded(result.Body ?? "{}"u8.ToArray()),
            UpstreamOutcome.Unavailable => GatewayOutcome.Failed(GatewayError.UpstreamUnavailable(route.Server, result.UpstreamStatus, result.Message)),
            UpstreamOutcome.Unreachable => GatewayOutcome.Failed(GatewayError.UpstreamUnreachable(route.Server, result.Message)),
            _ => GatewayOutcome.Failed(GatewayError.UpstreamFailed(route.Server, result.UpstreamStatus, result.Message)),
        };
    }

    /// <summary>The header a caller retries an escalated call with; never forwarded to the tool server.</summary>
    internal const string ApprovalTokenHeader = "x-sec0-approval-token";

    private static readonly string[] s_forwardedHeaders = ["x-node-id", "x-agent-ref", "x-agent-state", "x-agent-parent-ref", "baggage"];

    /// <summary>Sets the status and headers and returns the body to send (null when the response already started).</summary>
    private static byte[]? PrepareResponse(HttpContext http, GatewayCall call, GatewayOutcome outcome)
    {
        var response = http.Response;
        byte[] body;
        if (outcome.Error is { } error)
        {
            body = GatewayErrorBody.Write(error, call.UpstreamStatus, outcome.Escalated, call.EscalationId, call.EscalationStatus);
            call.ResponseBody = body;
            if (response.HasStarted)
            {
                return null;
            }

            response.StatusCode = error.Status;
        }
        else
        {
            body = outcome.Body!;
            call.ResponseBody = body;
            if (response.HasStarted)
            {
                return null;
            }

            response.StatusCode = outcome.Stored?.StatusCode ?? StatusCodes.Status200OK;
            if (outcome.Stored is not null)
            {
                response.Headers["x-dedupe"] = "replay";
            }
        }

        response.ContentType = JsonContentType;
        response.ContentLength = body.Length;
        return body;
    }

    private async Task ReleaseOrCompleteAsync(GatewayCall call, GatewayLease lease, GatewayOutcome outcome)
    {
        try
        {
            // Only a forwarded answer is kept for replays; after a failure the key is free for a retry.
            if (outcome.Error is null && outcome.Stored is null && outcome.Body is { } body)
            {
                var stored = new StoredResponse(StatusCodes.Status200OK, JsonContentType, body);
                if (!await lease.Store.CompleteAsync(lease.Key, lease.LeaseId, stored, _runtime.DedupeTtl, _runtime.Time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false))
                {
                    _runtime.Logger.GatewayIdempotencyLeaseExpired(call.Headers?.IdempotencyKey);
                }
            }
            else
            {
                await lease.Store.ReleaseAsync(lease.Key, lease.LeaseId, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            _runtime.Logger.GatewayIdempotencyNotUpdated(ex, call.Headers?.IdempotencyKey);
        }
    }

    private void Record(GatewayCall call, GatewayOutcome outcome, Activity? activity)
    {
        var route = call.Route;
        var principal = call.Principal;
        var headers = call.Headers;
        var e = _runtime.NewEnvelope(principal?.Tenant);
        e.Server = route?.Server;
        e.Tool = route?.Tool;
        e.ToolRef = route?.ToolRef;
        e.Op = Op;
        e.TraceId = call.Trace.TraceId.ToHexString();
        e.SpanId = call.Trace.SpanId.ToHexString();
        e.IdempotencyKey = headers?.IdempotencyKey;
        e.NodeId = _runtime.Identity(headers?.NodeId);
        e.AgentRef = _runtime.Identity(headers?.AgentRef);
        e.User = _runtime.Identity(principal?.User);
        e.HttpStatus = outcome.Error?.Status ?? outcome.Stored?.StatusCode ?? StatusCodes.Status200OK;
        e.LatencyMs = Stopwatch.GetElapsedTime(call.Started).TotalMilliseconds;
        e.Policy = AuditPolicyRecord.Allow;

        // The caller across the boundary: its traceparent's span, else the cause ids it named.
        if (call.Trace.Parent is { } parentSpan)
        {
            e.CauseTraceId = parentSpan.TraceId.ToHexString();
            e.CauseSpanId = parentSpan.SpanId.ToHexString();
        }
        else if (headers is not null)
        {
            e.CauseTraceId = headers.CauseTrace;
            e.CauseSpanId = headers.CauseSpan;
        }

        if (call.InputSha256 is { } inputHash)
        {
            // Already hashed for idempotency: not hashed again by the writer.
            e.InputSha256 = inputHash;
        }
        else if (call.CanonicalInput is { } input)
        {
            e.SetInputToHash(input);
        }

        if (call.ResponseBody is { } output)
        {
            e.SetOutputToHash(output);
        }

        if (call.Decision is { } decision)
        {
            e.PolicyHash = call.PolicyHash;
            if (_runtime.Remote is not null)
            {
                e.DecisionSource = decision.SourceName;
            }

            AuditRisk.Apply(e, decision);
            if (!decision.Violations.IsEmpty)
            {
                e.Policy = AuditPolicyRecord.For(decision.OutcomeName, decision.PrimaryReasonName);
                e.DecisionReason = decision.PrimaryReasonName;
            }
        }

        e.EscalationId = call.EscalationId;
        e.EscalationStatus = call.EscalationStatus;
        e.EscalationError = call.EscalationError;
        if (call.StateFailure is not null && outcome.Error is null)
        {
            // Forwarded without its shared state (fail_open): the record says so.
            e.DecisionReason ??= GatewayError.StateUnavailable().Reason;
        }

        if (outcome.Error is { } error)
        {
            e.Status = EnvelopeStatus.Error;
            e.DenialReason = error.Reason;
            e.DecisionReason ??= error.Reason;
            e.DenialLevel = DenialLevels.Gateway;
            if (error.IsPolicyDenial)
            {
                e.DenialType = DenialTypes.Of(outcome.Escalated);
                e.Policy = AuditPolicyRecord.For(outcome.Escalated ? DecisionNames.Escalate : DecisionNames.Deny, error.Reason);
            }

            activity?.SetStatus(ActivityStatusCode.Error, error.Code);
        }
        else
        {
            e.Status = EnvelopeStatus.Of(!GatewayBody.IsToolError(outcome.Body));
            if (outcome.Stored is not null)
            {
                e.Op = Op + ".replay";
            }
        }

        if (activity is not null && route is { } r)
        {
            activity.DisplayName = "POST /mcp/" + r.Server + "/" + r.ToolAtVersion;
            activity.SetTag("mcp.server", r.Server);
            activity.SetTag("mcp.tool", r.Tool);
            activity.SetTag("sec0.tool_ref", r.ToolRef);
            activity.SetTag("http.response.status_code", e.HttpStatus);
        }

        _runtime.Record(e);

        if (call.AuthFailure is { } why)
        {
            _runtime.Logger.GatewayUnauthenticated(e.ToolRef ?? "(no route)", why);
        }
    }
}
