namespace Sec0.Config;

/// <summary><c>controlPlane</c>: where Sec0 keeps its local state, signing key and audit log.</summary>
public sealed record ControlPlaneConfig
{
    /// <summary>The retention used when <c>retentionDays</c> is absent.</summary>
    public const int DefaultRetentionDays = 30;

    /// <summary>
    /// The control plane's base URL, without a trailing <c>/</c>, taken as Sec0's TypeScript SDK does: <c>controlPlane.apiBaseUrl</c>
    /// when set, else the first set of the environment variables <c>SEC0_CONTROL_PLANE_URL</c>, <c>CONTROL_PLANE_URL</c>,
    /// <c>API_BASE_URL</c>. Null when none is set: the product works fully offline (there is no default URL).
    /// </summary>
    public string? ApiBaseUrl { get; init; }

    /// <summary><c>controlPlane.sec0Dir</c> as an absolute path (relative values resolve against the config file's folder).</summary>
    public required string Sec0Dir { get; init; }

    /// <summary><c>controlPlane.localSignerPath</c> as an absolute path: the Ed25519 signing key file.</summary>
    public required string LocalSignerPath { get; init; }

    /// <summary><c>controlPlane.appenderDir</c> as an absolute path; defaults to <c>&lt;Sec0Dir&gt;/logs</c>.</summary>
    public required string AppenderDir { get; init; }

    /// <summary><c>controlPlane.retentionDays</c>: how many days of daily audit files are kept (at least 1, default 30).</summary>
    public int RetentionDays { get; init; } = DefaultRetentionDays;

    /// <summary><c>controlPlane.escalations</c>: <c>local</c> (default) or <c>mirror</c>.</summary>
    public EscalationReporting Escalations { get; init; } = EscalationReporting.Local;

    /// <summary><c>controlPlane.auditUpload</c>; null when absent (nothing is uploaded).</summary>
    public AuditUploadConfig? AuditUpload { get; init; }

    /// <summary><c>controlPlane.runtime</c> with <c>mode: remote</c> (or <c>SEC0_RUNTIME_MODE=remote</c>); null: decisions are local only.</summary>
    public RemoteDecisionConfig? Runtime { get; init; }
}
