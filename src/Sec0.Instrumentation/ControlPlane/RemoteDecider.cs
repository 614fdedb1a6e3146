using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Sec0.Audit;
using Sec0.Config;
using Sec0.Policy;

namespace Sec0.ControlPlane;

/// <summary>
/// Remote runtime decisions (<c>controlPlane.runtime</c>, <c>POST /v1/runtime/evaluate</c>, docs/control-plane.md): a call the
/// local engine found violations in is decided by the remote engine, within one latency budget for the whole decision,
/// retries included. When the remote engine is late or fails, the failure mode decides: the local decision stands
/// (<c>local</c>), the call is allowed (<c>allow</c>) or denied (<c>deny</c>). Calls without violations never reach the
/// network. Failures are logged as warnings, at most one per <see cref="WarningInterval"/>. Thread-safe; share one per app.
/// </summary>
/// <remarks>
/// <see cref="Decide"/> is for callers that are synchronous up to the call (the hop interceptor, also for asynchronous hops):
/// it uses the synchronous <see cref="HttpClient.Send(HttpRequestMessage, HttpCompletionOption, CancellationToken)"/>, cancelled at
/// the budget's deadline, so the thread waits no longer than the budget. <see cref="DecideAsync"/> is for the MCP middleware and
/// the gateway.
/// </remarks>
public sealed class RemoteDecider : IDisposable
{
    /// <summary>The protocol version sent as <c>protocolVersion</c> (the spec's <c>info.version</c>).</summary>
    public const string ProtocolVersion = "2026-02-01";

    /// <summary><c>context.integrationSurface</c>: the one value the spec's enum allows.</summary>
    public const string IntegrationSurface = "@coreax/sdk";

    /// <summary>Answers larger than this are refused (a decision is a few hundred bytes).</summary>
    public const int MaxResponseBytes = 64 * 1024;

    /// <summary>The reason of a call allowed by <c>failureMode: allow</c>.</summary>
    public const string FallbackAllowReason = "runtime_remote_unavailable_fallback_allow";

    /// <summary>The reason of a call denied by <c>failureMode: deny</c>.</summary>
    public const string FallbackDenyReason = "runtime_remote_unavailable_fallback_deny";

    /// <summary>The reason of a call denied because the remote engine answered <c>clarify</c>.</summary>
    public const string ClarifyReason = "runtime_remote_clarification_required";

    /// <summary>During an outage one warning per this interval, with the count of failures not logged since the last.</summary>
    public static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// After this many decisions in a row that ran out of budget, the remote engine is not asked for <see cref="OutageCooldown"/>:
    /// the failure mode decides at once, so an engine that swallows connections cannot hold every violating call for the
    /// whole budget (and, on the hop path, a thread with it).
    /// </summary>
    public const int OutageThreshold = 3;

    /// <summary>How long the remote engine is skipped after <see cref="OutageThreshold"/> late decisions in a row.</summary>
    public static readonly TimeSpan OutageCooldown = TimeSpan.FromSeconds(5);

    // Longer reasons are cut: the reason goes into envelopes and exception messages.
    internal const int MaxReasonLength = 200;

    // Reasons the local engine denies whatever deny_on says, which a remote engine does not know about: an open circuit
    // (the hop is failing: no network round trip on top) and an input that cannot be hashed (it could not be recorded).
    private static readonly PolicyReasonSet s_localOnly = PolicyReasonSet.Of(PolicyReason.CircuitOpen).Add(PolicyReason.MalformedInput);

    private static readonly long s_warningTicks = (long)(WarningInterval.TotalSeconds * Stopwatch.Frequency);

    private readonly HttpClient _http;
    private readonly string? _token;
    private readonly ILogger? _logger;
    private readonly string _endpointText;
    private long _nextWarning;
    private int _unlogged;
    private int _failing;
    private int _consecutiveTimeouts;
    private long _skipUntil;
    private int _disposed;

    /// <summary>Creates a decider over its own HTTP client (no redirects, no cookies, answers capped at <see cref="MaxResponseBytes"/>).</summary>
    /// <param name="config">The endpoint, failure mode, budget, retries and API key.</param>
    /// <param name="logger">Where failures are logged (warnings, rate-limited); null for nowhere.</param>
    public RemoteDecider(RemoteDecisionConfig config, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Budget <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(config), config.Budget, "[sec0] controlPlane.runtime.timeoutMs must be positive.");
        }

        Config = config;
        _logger = logger;
        _token = string.IsNullOrWhiteSpace(config.ApiKey) ? null : config.ApiKey.Trim();
        _endpointText = ControlPlaneErrors.Redact(config.Endpoint);

        // Redirects are not followed: the bearer key would go with them. Pooled connections are renewed so DNS changes are seen.
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = config.Budget,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan, MaxResponseContentBufferSize = MaxResponseBytes };
    }

    /// <summary>A decider for <c>config.ControlPlane.Runtime</c>; null when decisions are local only.</summary>
    public static RemoteDecider? Create(Sec0Config config, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.ControlPlane.Runtime is { } runtime ? new RemoteDecider(runtime, logger) : null;
    }

    /// <summary>The endpoint, failure mode, budget and retries.</summary>
    public RemoteDecisionConfig Config { get; }

    /// <summary>
    /// Whether the remote engine is consulted on <paramref name="local"/>: when it has violations, none of them
    /// <c>circuit_open</c> or <c>malformed_input</c> (which the local engine denies whatever any engine says).
    /// </summary>
    public static bool Consults(in Decision local) => !local.Violations.IsEmpty && local.Violations.Intersect(s_localOnly).IsEmpty;

    /// <summary>
    /// Decides a call synchronously: <paramref name="local"/> itself when the remote engine is not consulted (see
    /// <see cref="Consults"/>), else the remote engine's decision, or the failure mode's when the remote engine is late or
    /// fails. Returns within <see cref="RemoteDecisionConfig.Budget"/> (plus scheduling); never throws for a remote failure.
    /// </summary>
    /// <param name="local">The local engine's decision.</param>
    /// <param name="engine">The engine that made it: its mode, strategy and <c>deny_on</c> are sent as <c>enforcement</c>.</param>
    /// <param name="context">What the request's <c>context</c> says about the call.</param>
    public Decision Decide(in Decision local, DecisionEngine engine, RemoteDecisionContext context)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(context);
        if (!Consults(local))
        {
            return local;
        }

        if (Skipped(local, engine) is { } skipped)
        {
            return skipped;
        }

        var started = Stopwatch.GetTimestamp();
        var body = RuntimeEvaluateMessage.Write(local, engine, context);
        using var deadline = new CancellationTokenSource(Config.Budget);
        var attempts = 0;
        while (true)
        {
            attempts++;
            ControlPlaneException failure;
            try
            {
                return Answered(local, engine, Attempt(body, deadline.Token));
            }
            catch (ControlPlaneException ex)
            {
                failure = ex;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Whatever else goes wrong in the HTTP stack is a failure too: the call is decided and recorded regardless.
                failure = Unexpected(ex);
            }

            if (!ShouldRetry(failure, attempts, started, deadline.Token, out var backoff))
            {
                return Fallback(local, engine, failure, attempts);
            }

            // The thread is the caller's and waits anyway; the wait ends before the deadline (ShouldRetry checked).
            Thread.Sleep(backoff);
        }
    }

    /// <summary>As <see cref="Decide"/>, asynchronously, for the MCP middleware and the gateway.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the caller went away).</exception>
    public async Task<Decision> DecideAsync(Decision local, DecisionEngine engine, RemoteDecisionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(context);
        if (!Consults(local))
        {
            return local;
        }

        if (Skipped(local, engine) is { } skipped)
        {
            return skipped;
        }

        var started = Stopwatch.GetTimestamp();
        var body = RuntimeEvaluateMessage.Write(local, engine, context);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Config.Budget);
        var attempts = 0;
        while (true)
        {
            attempts++;
            ControlPlaneException failure;
            try
            {
                return Answered(local, engine, await AttemptAsync(body, deadline.Token).ConfigureAwait(false));
            }
            catch (ControlPlaneException ex)
            {
                cancellationToken.ThrowIfCancellationRequested();
                failure = ex;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                cancellationToken.ThrowIfCancellationRequested();
                failure = Unexpected(ex);
            }

            if (!ShouldRetry(failure, attempts, started, deadline.Token, out var backoff))
            {
                return Fallback(local, engine, failure, attempts);
            }

            await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Records where <paramref name="decision"/> came from: <c>decision_source</c> on the envelope, and <c>sec0.decision_source</c>
    /// on the span when the network was involved (a clean call's span stays as it was). Hops and the MCP middleware call it.
    /// </summary>
    internal static void Stamp(AuditEnvelope envelope, Activity? activity, in Decision decision)
    {
        envelope.DecisionSource = decision.SourceName;
        if (decision.Source != DecisionSource.Local)
        {
            activity?.SetTag("sec0.decision_source", envelope.DecisionSource);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // Calls still in flight then see the local decision (Skipped), never the failure mode: shutting down must not
        // turn failureMode: allow into an open door.
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _http.Dispose();
        }
    }

    /// <summary>
    /// The decision made without asking: the local one after <see cref="Dispose"/>, the failure mode's while the remote
    /// engine is in its outage cooldown; null when the remote engine is to be asked.
    /// </summary>
    private Decision? Skipped(in Decision local, DecisionEngine engine)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return local.WithOutcome(local.Outcome, DecisionSource.FallbackLocal, null);
        }

        if (Stopwatch.GetTimestamp() < Interlocked.Read(ref _skipUntil))
        {
            return Fallback(local, engine, new ControlPlaneException(
                ControlPlaneException.UnavailableCode,
                $"[sec0] remote decision skipped: the engine at {_endpointText} ran out of budget {OutageThreshold} times in a row, so it is not asked for {OutageCooldown.TotalSeconds:0} s.",
                null,
                true), 0);
        }

        return null;
    }

    private bool ShouldRetry(ControlPlaneException failure, int attempts, long started, CancellationToken deadline, out TimeSpan backoff)
    {
        // Retry n waits n × RetryBackoff, and only when the wait ends before the deadline: a retry after it would be refused anyway.
        backoff = Config.RetryBackoff * attempts;
        return failure.IsRetryable
            && attempts <= Config.MaxRetries
            && !deadline.IsCancellationRequested
            && backoff < Config.Budget - Stopwatch.GetElapsedTime(started);
    }

    private RemoteAnswer Attempt(byte[] body, CancellationToken deadline)
    {
        using var request = Request(body);
        HttpResponseMessage response;
        try
        {
            response = _http.Send(request, HttpCompletionOption.ResponseHeadersRead, deadline);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            throw SendFailed(ex, deadline);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                string detail;
                try
                {
                    detail = Snippet(ReadBody(response, 512, truncate: true, deadline));
                }
                catch (ControlPlaneException)
                {
                    detail = string.Empty;
                }

                throw StatusFailed(status, detail);
            }

            return RuntimeEvaluateMessage.Read(ReadBody(response, MaxResponseBytes, truncate: false, deadline), status, _endpointText);
        }
    }

    private async Task<RemoteAnswer> AttemptAsync(byte[] body, CancellationToken deadline)
    {
        using var request = Request(body);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            throw SendFailed(ex, deadline);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                string detail;
                try
                {
                    detail = Snippet(await ReadBodyAsync(response, 512, truncate: true, deadline).ConfigureAwait(false));
                }
                catch (ControlPlaneException)
                {
                    detail = string.Empty;
                }

                throw StatusFailed(status, detail);
            }

            return RuntimeEvaluateMessage.Read(await ReadBodyAsync(response, MaxResponseBytes, truncate: false, deadline).ConfigureAwait(false), status, _endpointText);
        }
    }

    /// <summary>Reads at most <paramref name="cap"/> bytes; more is an error unless <paramref name="truncate"/>.</summary>
    private byte[] ReadBody(HttpResponseMessage response, int cap, bool truncate, CancellationToken deadline)
    {
        if (!truncate && response.Content.Headers.ContentLength > cap)
        {
            throw TooLarge((int)response.StatusCode);
        }

        // A synchronous read takes no token: at the deadline the response is disposed, which aborts a read in progress.
        using var abort = deadline.Register(static r => ((HttpResponseMessage)r!).Dispose(), response);
        try
        {
            using var stream = response.Content.ReadAsStream(deadline);
            var buffer = new byte[Size(response, cap)];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }

            return Capped(buffer, total, cap, truncate, (int)response.StatusCode);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            throw ReadFailed(ex, deadline, (int)response.StatusCode);
        }
    }

    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, int cap, bool truncate, CancellationToken deadline)
    {
        if (!truncate && response.Content.Headers.ContentLength > cap)
        {
            throw TooLarge((int)response.StatusCode);
        }

        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(deadline).ConfigureAwait(false);
            var buffer = new byte[Size(response, cap)];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), deadline).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            return Capped(buffer, total, cap, truncate, (int)response.StatusCode);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            throw ReadFailed(ex, deadline, (int)response.StatusCode);
        }
    }

    // One byte more than the cap tells an oversized answer; a declared length keeps small answers' buffers small.
    private static int Size(HttpResponseMessage response, int cap) =>
        response.Content.Headers.ContentLength is long length && length < cap ? (int)length + 1 : cap + 1;

    private byte[] Capped(byte[] buffer, int total, int cap, bool truncate, int status)
    {
        if (total > cap && !truncate)
        {
            throw TooLarge(status);
        }

        return buffer.AsSpan(0, Math.Min(total, cap)).ToArray();
    }

    private HttpRequestMessage Request(byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Config.Endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_token is not null)
        {
            request.Headers.Authorization = BearerToken.Header(_token);
        }

        return request;
    }

    private static string Snippet(byte[] body) => ControlPlaneErrors.Printable(Encoding.UTF8.GetString(body), 200);

    private Decision Answered(in Decision local, DecisionEngine engine, RemoteAnswer answer)
    {
        Interlocked.Exchange(ref _consecutiveTimeouts, 0);
        Recovered();
        var (outcome, reason) = answer.Action switch
        {
            RemoteAction.Deny => (DecisionOutcome.Deny, answer.Reason),
            RemoteAction.Escalate => (DecisionOutcome.Escalate, answer.Reason),
            // clarify asks the caller for more before the call may run: it must not run now (the TypeScript SDK runs it).
            RemoteAction.Clarify => (DecisionOutcome.Deny, ClarifyReason),
            _ => (DecisionOutcome.Allow, answer.Reason),
        };

        return local.WithOutcome(Observed(outcome, engine), DecisionSource.Remote, reason);
    }

    private Decision Fallback(in Decision local, DecisionEngine engine, ControlPlaneException failure, int attempts)
    {
        if (attempts > 0 && failure.IsRetryable && failure.StatusCode is null
            && Interlocked.Increment(ref _consecutiveTimeouts) >= OutageThreshold)
        {
            // No answer at all, several times in a row: stop paying the budget per call for a while.
            Interlocked.Exchange(ref _consecutiveTimeouts, 0);
            Interlocked.Exchange(ref _skipUntil, Stopwatch.GetTimestamp() + (long)(OutageCooldown.TotalSeconds * Stopwatch.Frequency));
        }

        Warn(failure, attempts);
        return Config.FailureMode switch
        {
            RemoteDecisionFailureMode.Allow => local.WithOutcome(DecisionOutcome.Allow, DecisionSource.FallbackAllow, FallbackAllowReason),
            RemoteDecisionFailureMode.Deny => local.WithOutcome(Observed(DecisionOutcome.Deny, engine), DecisionSource.FallbackDeny, FallbackDenyReason),
            _ => local.WithOutcome(local.Outcome, DecisionSource.FallbackLocal, null),
        };
    }

    // Observe mode never blocks, whichever engine decided: as the local engine does, a block becomes would_deny.
    private static DecisionOutcome Observed(DecisionOutcome outcome, DecisionEngine engine) =>
        engine.Mode == EnforcementMode.Observe && outcome is DecisionOutcome.Deny or DecisionOutcome.Escalate ? DecisionOutcome.WouldDeny : outcome;

    private void Warn(ControlPlaneException failure, int attempts)
    {
        Volatile.Write(ref _failing, 1);
        if (_logger is null)
        {
            return;
        }

        // One warning per interval during an outage, not one per call: the first failure is logged at once.
        var now = Stopwatch.GetTimestamp();
        var next = Interlocked.Read(ref _nextWarning);
        if (now < next || Interlocked.CompareExchange(ref _nextWarning, now + s_warningTicks, next) != next)
        {
            Interlocked.Increment(ref _unlogged);
            return;
        }

        var unlogged = Interlocked.Exchange(ref _unlogged, 0);
        var fallback = Config.FailureMode switch
        {
            RemoteDecisionFailureMode.Allow => "the call is allowed (" + FallbackAllowReason + ")",
            RemoteDecisionFailureMode.Deny => "the call is denied (" + FallbackDenyReason + ")",
            _ => "the local decision stands",
        };
        _logger.RemoteDecisionFailed(
            failure.Message,
            attempts,
            (long)Config.Budget.TotalMilliseconds,
            Config.FailureMode.ToString().ToLowerInvariant(),
            fallback,
            unlogged,
            (long)WarningInterval.TotalSeconds);
    }

    private void Recovered()
    {
        if (Volatile.Read(ref _failing) == 0 || Interlocked.Exchange(ref _failing, 0) == 0)
        {
            return;
        }

        var unlogged = Interlocked.Exchange(ref _unlogged, 0);
        Interlocked.Exchange(ref _nextWarning, 0);
        _logger?.RemoteDecisionRecovered(_endpointText, unlogged);
    }

    private ControlPlaneException Unexpected(Exception ex) =>
        new(ControlPlaneException.BadResponseCode, $"[sec0] remote decision failed: POST {_endpointText} failed with {ex.GetType().Name}: {ex.Message}", null, false, ex);

    private ControlPlaneException SendFailed(Exception ex, CancellationToken deadline) =>
        deadline.IsCancellationRequested ? Late(null, ex)
        : ex is ObjectDisposedException ? new ControlPlaneException(ControlPlaneException.NotConfiguredCode, "[sec0] remote decision failed: the decider is disposed.", null, false, ex)
        : new ControlPlaneException(ControlPlaneException.UnavailableCode, $"[sec0] remote decision failed: the remote decision engine at {_endpointText} is unreachable ({ex.Message}).", null, true, ex);

    private ControlPlaneException ReadFailed(Exception ex, CancellationToken deadline, int status) =>
        deadline.IsCancellationRequested ? Late(status, ex)
        : new ControlPlaneException(ControlPlaneException.UnavailableCode, $"[sec0] remote decision failed: the connection to {_endpointText} broke during the answer ({ex.Message}).", status, true, ex);

    private ControlPlaneException Late(int? status, Exception ex) =>
        new(ControlPlaneException.UnavailableCode, $"[sec0] remote decision failed: POST {_endpointText} did not answer within the budget of {(long)Config.Budget.TotalMilliseconds} ms.", status, true, ex);

    private ControlPlaneException TooLarge(int status) =>
        new(ControlPlaneException.BadResponseCode, $"[sec0] remote decision failed: POST {_endpointText} answered with more than {MaxResponseBytes} bytes.", status);

    private ControlPlaneException StatusFailed(int status, string detail)
    {
        var body = detail.Length == 0 ? string.Empty : ": " + detail;
        if (status is 401 or 403)
        {
            return new ControlPlaneException(
                ControlPlaneException.UnauthorizedCode,
                $"[sec0] remote decision failed: the remote decision engine refused the API key (POST {_endpointText} answered {status}{body}); verify SEC0_RUNTIME_API_KEY (or auth.sec0ApiKey).",
                status);
        }

        // 408 is the engine's own timeout, 429 and 5xx are transient: worth another attempt while the budget lasts.
        var retryable = status is 408 or 429 || status >= 500;
        return new ControlPlaneException(
            retryable ? ControlPlaneException.UnavailableCode : ControlPlaneException.BadResponseCode,
            $"[sec0] remote decision failed (POST {_endpointText} answered {status}{body}).",
            status,
            retryable);
    }
}
