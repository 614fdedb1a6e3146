using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Sec0.Audit;

namespace Sec0.Approvals;

/// <summary>
/// Sec0's local approvals: creates escalations for escalated calls, takes reviewers' votes, applies quorum, roles, veto
/// and timeouts (<see cref="EscalationRules"/>), hands out single-use approval tokens and checks them when the call is
/// retried. Every step is a signed record in the audit log when the service has one.
/// </summary>
/// <remarks>
/// <para>
/// Several processes may share one store (the app, <c>sec0 approvals</c>, the reviewer page, gateway replicas): each
/// change is decided under the store's lock. A process with an audit log records the steps it takes, and the votes and
/// resolutions it finds not yet recorded (a vote cast with the CLI is recorded by the next process with an audit log
/// that reads the escalation; a crash between the record and the store's mark can record a step twice, never zero times).
/// </para>
/// <para>Timeouts are applied when an escalation is read, and by <see cref="SweepAsync"/>, which <see cref="StartSweeper"/> runs periodically.</para>
/// </remarks>
public sealed class ApprovalService : IAsyncDisposable
{
    /// <summary>How long a resolved escalation is kept when no retention is given: 30 days.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(30);

    /// <summary>How often <see cref="WaitForApprovalAsync"/> looks at the store for changes made by other processes.</summary>
    public static readonly TimeSpan WaitPollInterval = TimeSpan.FromMilliseconds(200);

    private readonly IEscalationStore _store;
    private readonly ApproverGroups _groups;
    private readonly ApprovalTokens? _tokens;
    private readonly AuditAppender? _audit;
    private readonly TimeProvider _time;
    private readonly ILogger? _logger;
    private readonly string? _environment;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _catchUp = new(1, 1);
    private Task _sweeper = Task.CompletedTask;

    /// <summary>Creates the service.</summary>
    /// <param name="store">Where escalations live.</param>
    /// <param name="groups">The reviewer groups.</param>
    /// <param name="tokens">The approval tokens' secret; null in a process that only votes and reads (the CLI), which then hands out and checks no tokens.</param>
    /// <param name="audit">Where the steps are recorded; null: nowhere (the CLI without the app's log).</param>
    /// <param name="time">The clock; the system clock when null.</param>
    /// <param name="logger">Where background failures are reported.</param>
    /// <param name="environment">The <c>environment</c> of the audit records.</param>
    /// <param name="retention">How long a resolved escalation is kept after it was resolved (<see cref="DefaultRetention"/> when null); <see cref="SweepAsync"/> deletes it then.</param>
    public ApprovalService(IEscalationStore store, ApproverGroups groups, ApprovalTokens? tokens, AuditAppender? audit = null, TimeProvider? time = null, ILogger? logger = null, string? environment = null, TimeSpan? retention = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(groups);
        _store = store;
        _groups = groups;
        _tokens = tokens;
        _audit = audit;
        _time = time ?? TimeProvider.System;
        _logger = logger;
        _environment = environment;
        Retention = retention ?? DefaultRetention;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Retention, TimeSpan.Zero, nameof(retention));
    }

    /// <summary>How long a resolved escalation is kept after it was resolved.</summary>
    public TimeSpan Retention { get; }

    /// <summary>
    /// The approvals of a process over the escalations folder <paramref name="directory"/>, shared with <c>sec0 approvals</c>
    /// and other processes: the file store, the token secret beside it (<c>token.key</c>, made when missing), and a
    /// sweeper that applies timeouts every 5 s. How the gateway, MCP servers and apps open theirs.
    /// </summary>
    /// <exception cref="IOException">The folder or the token secret cannot be created or read.</exception>
    internal static ApprovalService OpenFolder(string directory, ApproverGroups groups, AuditAppender? audit, TimeProvider? time, ILogger? logger, string? environment, TimeSpan? retention)
    {
        var service = new ApprovalService(
            new FileEscalationStore(directory),
            groups,
            ApprovalTokens.FromKeyFile(Path.Combine(directory, "token.key")),
            audit,
            time,
            logger,
            environment,
            retention);
        service.StartSweeper(TimeSpan.FromSeconds(5));
        return service;
    }

    /// <summary>The reviewer tokens of this service's secret (the reviewer page's sign-in).</summary>
    /// <exception cref="InvalidOperationException">The service has no token secret.</exception>
    public ReviewerTokens ReviewerTokens => Tokens.Reviewers;

    private ApprovalTokens Tokens => _tokens ?? throw new InvalidOperationException("[sec0] This ApprovalService has no token secret: it cannot hand out or check approval tokens.");

    /// <summary>
    /// Creates the escalation of an escalated call. <c>auto_allow</c> approves it at once; when the requirements need
    /// people and no reviewer group resolves, it ends as <see cref="EscalationStatus.NoApproversConfigured"/>.
    /// </summary>
    public async Task<Escalation> CreateAsync(EscalationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = _time.GetUtcNow();
        var requirements = request.Requirements;
        var arguments = request.Arguments is { Length: > Escalation.MaxArgumentsChars } text ? text[..Escalation.MaxArgumentsChars] : request.Arguments;
        var escalation = new Escalation
        {
            Id = EscalationIds.New(),
            Request = request with { Arguments = arguments },
            CreatedAt = now,
        };

        if (requirements.Strategy == ApprovalStrategy.AutoAllow)
        {
            escalation = escalation with { Status = EscalationStatus.Approved, Resolution = EscalationResolution.AutoAllow, ResolvedAt = now };
        }
        else if (_groups.Resolve(requirements.ApprovalSetId) is { } reviewers)
        {
            escalation = escalation with { Reviewers = reviewers };
        }
        else
        {
            escalation = escalation with { Status = EscalationStatus.NoApproversConfigured, Resolution = EscalationResolution.NoApprovers, ResolvedAt = now };
        }

        await _store.CreateAsync(escalation, cancellationToken).ConfigureAwait(false);
        await RecordAsync(escalation, "created", null, null, cancellationToken).ConfigureAwait(false);
        var created = await CatchUpAsync(escalation, cancellationToken).ConfigureAwait(false);
        if (!created.IsResolved)
        {
            // Hands it over to a queue (controlPlane.escalations: mirror); the report itself happens in the background.
            EscalationCreated?.Invoke(created);
        }

        return created;
    }

    /// <summary>Told of each escalation created pending, on the creating thread: must only queue work.</summary>
    internal Action<Escalation>? EscalationCreated { get; set; }

    /// <summary>
    /// Resolves a pending escalation as the control plane's reviewers decided (<c>controlPlane.escalations: mirror</c>):
    /// <see cref="EscalationStatus.Approved"/>, <see cref="EscalationStatus.Rejected"/> or <see cref="EscalationStatus.Expired"/>,
    /// with resolution <c>control_plane</c>, recorded in the audit log. An escalation resolved already (locally, or by its
    /// timeout) keeps its outcome. Returns the escalation as it stands; null when there is none.
    /// </summary>
    public async Task<Escalation?> ResolveFromControlPlaneAsync(string escalationId, EscalationStatus status, CancellationToken cancellationToken)
    {
        if (status is not (EscalationStatus.Approved or EscalationStatus.Rejected or EscalationStatus.Expired))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "[sec0] The control plane can only approve, reject or expire an escalation.");
        }

        var result = await _store.UpdateAsync(escalationId, current =>
        {
            var now = _time.GetUtcNow();
            var settled = EscalationRules.Settle(current, now);
            return settled.IsResolved ? settled : settled with { Status = status, Resolution = EscalationResolution.ControlPlane, ResolvedAt = now };
        }, cancellationToken).ConfigureAwait(false);
        return result is { After: var after } ? await CatchUpAsync(after, cancellationToken).ConfigureAwait(false) : null;
    }

    /// <summary>
    /// The escalation of an escalated call, as the MCP middleware and the gateway make it: created within
    /// <paramref name="timeout"/>; with <c>auto_allow</c> approved and its token spent at once, so the call may run.
    /// Failing to create it never changes the decision: the failure comes back as <see cref="EscalationAttempt.Error"/>
    /// (and is logged), and the caller refuses the call as it would have without approvals.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<EscalationAttempt> EscalateAsync(EscalationRequest request, ApprovalBinding call, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            var escalation = await CreateAsync(request, cancellationToken).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            var status = escalation.Status;
            if (status == EscalationStatus.Approved && !(await RedeemAsync(TokenFor(escalation), call, cancellationToken).ConfigureAwait(false)).Accepted)
            {
                status = EscalationStatus.Rejected;
            }

            return new EscalationAttempt(escalation.Id, ApprovalNames.Of(status), null);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            _logger?.EscalationNotCreated(ex, request.ToolRef);
            return new EscalationAttempt(null, null, ex is TimeoutException
                ? $"escalation creation timed out after {timeout.TotalMilliseconds:0} ms (SEC0_ESCALATION_TIMEOUT_MS)"
                : ex.Message);
        }
    }

    /// <summary>A reviewer's vote. Refused for a user outside the group, a role the user does not hold, a second vote, or a resolved escalation; refusals are recorded too.</summary>
    public async Task<VoteResult> VoteAsync(string escalationId, string user, string role, ApprovalDecision decision, string? note, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        var refusal = VoteRefusal.None;
        var result = await _store.UpdateAsync(escalationId, current =>
        {
            var now = _time.GetUtcNow();
            refusal = EscalationRules.CheckVote(current, user, role, now);
            var settled = EscalationRules.Settle(current, now);
            return refusal == VoteRefusal.None
                ? EscalationRules.AddVote(current, user, role, decision, note, now)
                : settled;
        }, cancellationToken).ConfigureAwait(false);

        if (result is not { After: var after })
        {
            return new VoteResult(VoteRefusal.UnknownEscalation, null);
        }

        if (refusal != VoteRefusal.None)
        {
            await RecordAsync(after, "vote_refused", new ApprovalVote(user, role, decision, _time.GetUtcNow(), note, false), ApprovalNames.Of(refusal), cancellationToken).ConfigureAwait(false);
            return new VoteResult(refusal, await CatchUpAsync(after, cancellationToken).ConfigureAwait(false));
        }

        return new VoteResult(VoteRefusal.None, await CatchUpAsync(after, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The escalation as it stands now (a timeout due is applied and stored); null when there is none.</summary>
    public async Task<Escalation?> GetAsync(string escalationId, CancellationToken cancellationToken)
    {
        var escalation = await _store.GetAsync(escalationId, cancellationToken).ConfigureAwait(false);
        return escalation is null ? null : await SettleAsync(escalation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every escalation as it stands now, newest first; <paramref name="status"/> filters.</summary>
    public async Task<IReadOnlyList<Escalation>> ListAsync(EscalationStatus? status, CancellationToken cancellationToken)
    {
        var result = new List<Escalation>();
        foreach (var escalation in await _store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            var settled = await SettleAsync(escalation, cancellationToken).ConfigureAwait(false);
            if (status is null || settled.Status == status)
            {
                result.Add(settled);
            }
        }

        return result;
    }

    /// <summary>
    /// Applies the timeouts due, records what is not recorded yet, and deletes the escalations resolved longer than
    /// <see cref="Retention"/> ago whose records are written (their audit records stay); returns how many changed or went.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var changed = 0;
        var now = _time.GetUtcNow();
        foreach (var escalation in await _store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (IsPastRetention(escalation, now))
            {
                if (await _store.DeleteAsync(escalation.Id, current => IsPastRetention(current, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false))
                {
                    changed++;
                }

                continue;
            }

            if (!escalation.IsResolved || !escalation.ResolutionRecorded || escalation.RecordedVotes < escalation.Votes.Count)
            {
                var settled = await SettleAsync(escalation, cancellationToken).ConfigureAwait(false);
                if (!ReferenceEquals(settled, escalation))
                {
                    changed++;
                }
            }
        }

        return changed;
    }

    /// <summary>Runs <see cref="SweepAsync"/> every <paramref name="interval"/> until the service is disposed. A failed sweep is logged and tried again.</summary>
    public void StartSweeper(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _sweeper = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval, _time);
            try
            {
                while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
                {
                    try
                    {
                        await SweepAsync(_stopping.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        _logger?.ApprovalsSweepFailed(ex, interval);
                    }
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // Disposed.
            }
        });
    }

    /// <summary>
    /// Waits until the escalation is resolved (by votes, in this process or another, or by its timeout) and returns it,
    /// with the approval token when it was approved.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No escalation has that id.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<ApprovalGrant> WaitForApprovalAsync(string escalationId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var escalation = await GetAsync(escalationId, cancellationToken).ConfigureAwait(false)
                ?? throw new KeyNotFoundException($"[sec0] No escalation {escalationId}.");
            if (escalation.IsResolved)
            {
                return new ApprovalGrant(escalation, TokenFor(escalation));
            }

            var untilExpiry = escalation.ExpiresAt - _time.GetUtcNow();
            var delay = untilExpiry < WaitPollInterval ? (untilExpiry > TimeSpan.Zero ? untilExpiry : TimeSpan.FromMilliseconds(1)) : WaitPollInterval;
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The approval token of an approved escalation whose token was not used yet; null otherwise.</summary>
    /// <exception cref="InvalidOperationException">The service has no token secret.</exception>
    public string? TokenFor(Escalation escalation)
    {
        ArgumentNullException.ThrowIfNull(escalation);
        return escalation.Status == EscalationStatus.Approved && escalation.TokenUsedAt is null ? Tokens.For(escalation.Id) : null;
    }

    /// <summary>
    /// Checks an approval token presented with <paramref name="call"/> and, when it is valid for exactly that call and
    /// not used, spends it (under the store's lock, so two retries at once cannot both run). Every outcome is recorded.
    /// </summary>
    public async Task<TokenRedemption> RedeemAsync(string? token, ApprovalBinding call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!Tokens.TryRead(token, out var id))
        {
            await RecordTokenRefusalAsync(null, call, TokenRefusal.Invalid, cancellationToken).ConfigureAwait(false);
            return new TokenRedemption(TokenRefusal.Invalid, null);
        }

        var refusal = TokenRefusal.None;
        var result = await _store.UpdateAsync(id, current =>
        {
            var now = _time.GetUtcNow();
            var settled = EscalationRules.Settle(current, now);
            refusal = settled.Status != EscalationStatus.Approved ? TokenRefusal.NotApproved
                : settled.TokenUsedAt is not null ? TokenRefusal.AlreadyUsed
                : !Matches(settled.Request, call) ? TokenRefusal.OtherCall
                : TokenRefusal.None;
            return refusal == TokenRefusal.None ? settled with { TokenUsedAt = now } : settled;
        }, cancellationToken).ConfigureAwait(false);

        if (result is not { After: var after })
        {
            await RecordTokenRefusalAsync(null, call, TokenRefusal.UnknownEscalation, cancellationToken).ConfigureAwait(false);
            return new TokenRedemption(TokenRefusal.UnknownEscalation, null);
        }

        if (refusal != TokenRefusal.None)
        {
            await RecordTokenRefusalAsync(after, call, refusal, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await RecordAsync(after, "token_used", null, null, cancellationToken).ConfigureAwait(false);
        }

        return new TokenRedemption(refusal, await CatchUpAsync(after, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Stops the sweeper.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _sweeper.ConfigureAwait(false);
        _stopping.Dispose();
    }

    // Resolved long enough ago, and (in a process with an audit log) every step recorded, so nothing is lost with it.
    private bool IsPastRetention(Escalation escalation, DateTimeOffset now) =>
        escalation.ResolvedAt is { } resolved
        && now - resolved >= Retention
        && (_audit is null || (escalation.ResolutionRecorded && escalation.RecordedVotes >= escalation.Votes.Count));

    private static bool Matches(EscalationRequest request, ApprovalBinding call) =>
        string.Equals(request.Tenant, call.Tenant, StringComparison.Ordinal)
        && string.Equals(request.ToolRef, call.ToolRef, StringComparison.Ordinal)
        && string.Equals(request.NodeId, call.NodeId, StringComparison.Ordinal)
        && string.Equals(request.ArgumentsSha256, call.ArgumentsSha256, StringComparison.OrdinalIgnoreCase);

    // A timeout due is applied under the store's lock (a vote racing it is decided one after the other).
    private async Task<Escalation> SettleAsync(Escalation escalation, CancellationToken cancellationToken)
    {
        if (!escalation.IsResolved && EscalationRules.Settle(escalation, _time.GetUtcNow()).IsResolved)
        {
            var result = await _store.UpdateAsync(escalation.Id, current => EscalationRules.Settle(current, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
            escalation = result?.After ?? escalation;
        }

        return await CatchUpAsync(escalation, cancellationToken).ConfigureAwait(false);
    }

    // Records the votes and the resolution that have no record yet, then marks them in the store. One catch-up at a time
    // in this process, on the stored state read under that lock: a vote and a reader of the same escalation (an agent
    // polling its status) would otherwise both see a vote unrecorded and both record it.
    private async Task<Escalation> CatchUpAsync(Escalation escalation, CancellationToken cancellationToken)
    {
        if (_audit is null || !NeedsRecords(escalation))
        {
            return escalation;
        }

        await _catchUp.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            escalation = await _store.GetAsync(escalation.Id, cancellationToken).ConfigureAwait(false) ?? escalation;
            return NeedsRecords(escalation) ? await RecordMissingAsync(escalation, cancellationToken).ConfigureAwait(false) : escalation;
        }
        finally
        {
            _catchUp.Release();
        }
    }

    private static bool NeedsRecords(Escalation escalation) =>
        escalation.RecordedVotes < escalation.Votes.Count || (escalation.IsResolved && !escalation.ResolutionRecorded);

    private async Task<Escalation> RecordMissingAsync(Escalation escalation, CancellationToken cancellationToken)
    {
        var unrecordedResolution = escalation.IsResolved && !escalation.ResolutionRecorded;

        for (var i = escalation.RecordedVotes; i < escalation.Votes.Count; i++)
        {
            await RecordAsync(escalation, "vote", escalation.Votes[i], null, cancellationToken).ConfigureAwait(false);
        }

        if (unrecordedResolution)
        {
            await RecordAsync(escalation, "resolved", null, null, cancellationToken).ConfigureAwait(false);
        }

        var votes = escalation.Votes.Count;
        var resolved = escalation.IsResolved;
        var marked = await _store.UpdateAsync(escalation.Id, current => current with
        {
            RecordedVotes = Math.Max(current.RecordedVotes, votes),
            ResolutionRecorded = current.ResolutionRecorded || (resolved && current.IsResolved),
        }, cancellationToken).ConfigureAwait(false);
        return marked?.After ?? escalation;
    }

    private Task RecordTokenRefusalAsync(Escalation? escalation, ApprovalBinding call, TokenRefusal refusal, CancellationToken cancellationToken)
    {
        if (_audit is null)
        {
            return Task.CompletedTask;
        }

        var approval = new JsonObject
        {
            ["event"] = "token_refused",
            ["refusal"] = ApprovalNames.Of(refusal),
            ["arguments_sha256"] = call.ArgumentsSha256,
        };
        var envelope = Envelope(escalation, approval);
        envelope.Tenant = call.Tenant;
        envelope.ToolRef = call.ToolRef;
        envelope.NodeId = string.IsNullOrEmpty(call.NodeId) ? null : call.NodeId;
        envelope.Status = EnvelopeStatus.Error;
        envelope.DenialReason = "approval_token_" + ApprovalNames.Of(refusal);
        return _audit.AppendAsync(envelope, cancellationToken).AsTask();
    }

    private Task RecordAsync(Escalation escalation, string step, ApprovalVote? vote, string? refusal, CancellationToken cancellationToken)
    {
        if (_audit is null)
        {
            return Task.CompletedTask;
        }

        var approval = new JsonObject { ["event"] = step };
        if (vote is not null)
        {
            approval["user"] = vote.User;
            approval["role"] = vote.Role;
            approval["decision"] = ApprovalNames.Of(vote.Decision);
            approval["at"] = vote.At.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            if (vote.Note is not null)
            {
                approval["note"] = vote.Note;
            }

            approval["counted"] = vote.Counted;
        }

        if (refusal is not null)
        {
            approval["refusal"] = refusal;
        }

        if (step is "created" or "resolved")
        {
            approval["approval_strategy"] = ApprovalNames.Of(escalation.Request.Requirements.Strategy);
            approval["resolution"] = ApprovalNames.Of(escalation.Resolution);
        }

        if (step == "resolved")
        {
            // The votes that decided it, so that one signed record says who approved what.
            var votes = new JsonArray();
            foreach (var v in escalation.Votes)
            {
                votes.Add((JsonNode)new JsonObject
                {
                    ["user"] = v.User,
                    ["role"] = v.Role,
                    ["decision"] = ApprovalNames.Of(v.Decision),
                    ["counted"] = v.Counted,
                });
            }

            approval["votes"] = votes;
        }

        var envelope = Envelope(escalation, approval);
        envelope.User = vote?.User;
        envelope.Status = EnvelopeStatus.Of(step is not "vote_refused");
        return _audit.AppendAsync(envelope, cancellationToken).AsTask();
    }

    private AuditEnvelope Envelope(Escalation? escalation, JsonObject approval) => new()
    {
        Timestamp = _time.GetUtcNow(),
        Tenant = escalation?.Request.Tenant,
        Environment = _environment,
        NodeType = "approvals",
        ToolRef = escalation?.Request.ToolRef,
        NodeId = escalation is null || escalation.Request.NodeId.Length == 0 ? null : escalation.Request.NodeId,
        Op = "approval." + (string)approval["event"]!,
        EscalationId = escalation?.Id,
        EscalationStatus = escalation is null ? null : ApprovalNames.Of(escalation.Status),
        DecisionReason = escalation?.Request.Violation,
        Approval = approval,
    };
}
