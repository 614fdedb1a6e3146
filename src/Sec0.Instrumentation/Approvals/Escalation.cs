namespace Sec0.Approvals;

/// <summary>An escalation as stored: the request, who may decide it, the votes and where it stands.</summary>
public sealed record Escalation
{
    /// <summary>The longest arguments text kept for reviewers.</summary>
    public const int MaxArgumentsChars = 16 * 1024;

    /// <summary>The id (<c>esc_</c> and 32 hex digits).</summary>
    public required string Id { get; init; }

    /// <summary>The escalated call.</summary>
    public required EscalationRequest Request { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When <see cref="ApprovalRequirements.TimeoutAction"/> decides it if it is still pending.</summary>
    public DateTimeOffset ExpiresAt => CreatedAt + Request.Requirements.Ttl;

    /// <summary>The reviewer group resolved at creation (fixed, so a config change never re-decides it); empty for <c>auto_allow</c> or when none resolved.</summary>
    public IReadOnlyList<Reviewer> Reviewers { get; init; } = [];

    /// <summary>The accepted votes, in order.</summary>
    public IReadOnlyList<ApprovalVote> Votes { get; init; } = [];

    /// <summary>Where it stands.</summary>
    public EscalationStatus Status { get; init; } = EscalationStatus.Pending;

    /// <summary>Why it left pending.</summary>
    public EscalationResolution Resolution { get; init; } = EscalationResolution.None;

    /// <summary>When it left pending.</summary>
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>When its approval token was used (it can be used once).</summary>
    public DateTimeOffset? TokenUsedAt { get; init; }

    /// <summary>
    /// How many of <see cref="Votes"/> have their record in an audit log. A process without one (the CLI) leaves them to
    /// the next process with one that reads the escalation.
    /// </summary>
    public int RecordedVotes { get; init; }

    /// <summary>Whether the resolution has its record in an audit log.</summary>
    public bool ResolutionRecorded { get; init; }

    /// <summary>Whether the status is final.</summary>
    public bool IsResolved => Status != EscalationStatus.Pending;
}
