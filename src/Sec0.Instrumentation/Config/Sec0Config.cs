namespace Sec0.Config;

/// <summary>
/// A loaded and validated <c>sec0.config.yaml</c>. Create it with <see cref="Sec0ConfigLoader.Load"/>;
/// paths in it are absolute and every default and fallback is already applied.
/// </summary>
public sealed record Sec0Config
{
    /// <summary>The <c>app</c> block.</summary>
    public required AppConfig App { get; init; }

    /// <summary>The <c>auth</c> block, with environment-variable fallbacks applied.</summary>
    public AuthConfig Auth { get; init; } = new();

    /// <summary>The <c>controlPlane</c> block.</summary>
    public required ControlPlaneConfig ControlPlane { get; init; }

    /// <summary>The optional top-level <c>orchestrator</c> block; null when absent.</summary>
    public OrchestratorConfig? Orchestrator { get; init; }

    /// <summary>The optional <c>audit</c> block, or <see cref="AuditConfig.Default"/> when absent.</summary>
    public AuditConfig Audit { get; init; } = AuditConfig.Default;

    /// <summary>
    /// The optional <c>approvals</c> block: reviewer groups and the escalations' folder. Null only for configs built in
    /// code; the loader always sets it (no block: no groups, folder <c>&lt;sec0Dir&gt;/approvals</c>).
    /// </summary>
    public ApprovalsConfig? Approvals { get; init; }

    /// <summary>
    /// The optional top-level <c>policy</c>: the absolute path of the policy file every hop's decision
    /// uses (docs/policy.md). Null: no policy file, every call is allowed unless its enforcement block denies it.
    /// </summary>
    public string? PolicyPath { get; init; }

    /// <summary>
    /// <c>policy: { source: control-plane, ... }</c>: the policy comes from the control plane (docs/control-plane.md);
    /// null when the policy is a file (<see cref="PolicyPath"/>) or absent. Never set together with <see cref="PolicyPath"/>.
    /// </summary>
    public ControlPlanePolicyConfig? ControlPlanePolicy { get; init; }

    /// <summary>The optional <c>otel</c> block, with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> as the endpoint's fallback.</summary>
    public OtelConfig Otel { get; init; } = new();

    /// <summary>
    /// Keys in the file that this SDK does not read, as YAML paths in file order (<c>controlPlane.otlpEndpoint</c>,
    /// <c>app.hops.OrderAgent.Run.automation</c>). They are not errors: Sec0's TypeScript SDK and other tools share the
    /// file. <see cref="Sec0App.Initialize(Sec0Config, Sec0AppOptions?)"/> logs them once as a warning.
    /// </summary>
    public IReadOnlyList<string> UnknownKeys { get; init; } = [];

    /// <summary>The absolute path of the config file.</summary>
    public required string FilePath { get; init; }

    /// <summary>The config file's folder: relative paths in the file resolve against it.</summary>
    public required string Directory { get; init; }

    /// <summary>
    /// Returns the <c>app.hops</c> entry for <paramref name="key"/>, checking that it has the type the hop
    /// method declares (<see cref="HopType.Unspecified"/> accepts any type).
    /// </summary>
    /// <exception cref="Sec0ConfigException">The key has no entry, or the entry has another type.</exception>
    public HopConfig GetHop(string key, HopType expected = HopType.Unspecified)
    {
        if (key is null || !App.Hops.TryGetValue(key, out var hop))
        {
            throw ConfigErrors.NoHop(FilePath, key);
        }

        if (expected != HopType.Unspecified && hop.Type != expected)
        {
            throw ConfigErrors.HopTypeMismatch(FilePath, key, hop.Type, expected, hop.Line, hop.Column);
        }

        return hop;
    }
}
