using Microsoft.Extensions.Logging;
using Sec0.Approvals;
using Sec0.Audit;
using Sec0.Config;
using Sec0.ControlPlane;
using Sec0.Hops;
using Sec0.Policy;
using Sec0.Scanning;
using Sec0.Signing;
using Sec0.Telemetry;

namespace Sec0;

/// <summary>
/// An initialized Sec0 runtime: the loaded <c>sec0.config.yaml</c>, its signing key and its audit
/// appender, with every <c>[Sec0Hop]</c> call routed through it. Works fully offline: no API key and no
/// network are needed for local audit. Dispose it at shutdown to flush and seal the audit log.
/// </summary>
public sealed class Sec0App : IAsyncDisposable, IDisposable
{
    /// <summary>The name of the ActivitySource hop spans are started on; add it to your OpenTelemetry tracer.</summary>
    public const string ActivitySourceName = "Sec0";

    private static readonly Lock s_gate = new();
    private static Sec0App? s_current;
    private readonly HopPipeline _pipeline;
    private TimeProvider _time = TimeProvider.System;
    private ILogger? _logger;
    private EscalationMirror? _mirror;
    private StartupScans? _scans;
    private OtlpSelfExport? _otlp;
    private int _disposed;

    private Sec0App(Sec0Config config, AuditSigner signer, AuditAppender appender, HopPipeline pipeline, SastVerdictCache? sast, DastVerdictCache? dast, ApprovalService? approvals)
    {
        Approvals = approvals;
        Sast = sast;
        Dast = dast;
        Config = config;
        Signer = signer;
        Appender = appender;
        _pipeline = pipeline;
    }

    /// <summary>The app <c>[Sec0Hop]</c> calls currently go through, or null before <see cref="Initialize(string, Sec0AppOptions?)"/>.</summary>
    public static Sec0App? Current => s_current;

    /// <summary>The loaded configuration.</summary>
    public Sec0Config Config { get; }

    /// <summary>The key that signs the audit log.</summary>
    public AuditSigner Signer { get; }

    /// <summary>The audit appender (also usable directly for custom envelopes).</summary>
    public AuditAppender Appender { get; }

    /// <summary>The SAST verdicts hops are decided with; null when the policy's <c>sast.enabled</c> is false.</summary>
    public SastVerdictCache? Sast { get; }

    /// <summary>The DAST verdicts hops are decided with; null when the policy's <c>dast.enabled</c> is false.</summary>
    public DastVerdictCache? Dast { get; }

    /// <summary>
    /// The approvals of escalated hop calls (docs/approvals.md, "Escalated hop calls"): wait for an escalation with
    /// <see cref="ApprovalService.WaitForApprovalAsync"/>, reviewers vote with <see cref="ApprovalService.VoteAsync"/>
    /// (or <c>sec0 approvals</c> on the same folder). Null when the policy does not set
    /// <c>security.side_effects.approve_high_risk: true</c> or the config has no approvals (a <see cref="Sec0Config"/>
    /// built in code with <see cref="Sec0Config.Approvals"/> null): escalated hop calls are then refused without an escalation.
    /// </summary>
    public ApprovalService? Approvals { get; }

    /// <summary>The control plane this app uses (docs/control-plane.md); null when none is configured.</summary>
    public ControlPlaneConnection? ControlPlane { get; private set; }

    /// <summary>The policy calls are decided with now: the file's, or the control plane's latest accepted one.</summary>
    public PolicyDocument Policy => _pipeline.Engine.Policy;

    /// <summary>The folder of the daily audit files.</summary>
    public string AuditDirectory => Config.ControlPlane.AppenderDir;

    /// <summary>
    /// Loads <paramref name="configPath"/> (relative paths resolve against the current directory; paths
    /// inside the file against the file's folder), loads the signing key, opens the audit log (recovering
    /// it after a crash) and routes every <c>[Sec0Hop]</c> call through the new app. With a control plane configured
    /// (docs/control-plane.md) this waits for its start-up calls; prefer <see cref="InitializeAsync(string, Sec0AppOptions?, CancellationToken)"/> then.
    /// </summary>
    /// <exception cref="Sec0ConfigException">The config is missing or invalid.</exception>
    /// <exception cref="Sec0SignerException">The signing key can't be loaded.</exception>
    /// <exception cref="Sec0AuditException">The audit directory can't be opened or is in use by another process.</exception>
    /// <exception cref="ControlPlaneException">The control plane is configured and refuses the API key, or its URL or key is missing.</exception>
    /// <exception cref="InvalidOperationException">Another app is still initialized in this process.</exception>
    public static Sec0App Initialize(string configPath = Sec0ConfigLoader.DefaultFileName, Sec0AppOptions? options = null) =>
        InitializeAsync(configPath, options, CancellationToken.None).GetAwaiter().GetResult();

    /// <inheritdoc cref="Initialize(string, Sec0AppOptions?)"/>
    /// <param name="configPath">The config file.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the control plane's start-up calls.</param>
    public static Task<Sec0App> InitializeAsync(string configPath = Sec0ConfigLoader.DefaultFileName, Sec0AppOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new Sec0AppOptions();
        var loadOptions = new Sec0ConfigLoadOptions
        {
            CheckSigningKeyExists = !options.CreateSigningKeyIfMissing,
            Environment = options.Environment ?? System.Environment.GetEnvironmentVariable,
        };
        var config = Sec0ConfigLoader.Load(configPath, loadOptions);
        return InitializeAsync(config, options, cancellationToken);
    }

    /// <summary>Initializes from an already loaded configuration.</summary>
    /// <exception cref="Sec0SignerException">The signing key can't be loaded.</exception>
    /// <exception cref="Sec0PolicyException">The policy file named by <c>policy</c> is missing or invalid, or the control-plane policy is needed and none can be used.</exception>
    /// <exception cref="Sec0AuditException">The audit directory can't be opened or is in use.</exception>
    /// <exception cref="ControlPlaneException">The control plane is configured and refuses the API key, or its URL or key is missing.</exception>
    /// <exception cref="InvalidOperationException">Another app is still initialized in this process, or the policy enables SAST or DAST and <see cref="Sec0AppOptions.SastScanner"/> or <see cref="Sec0AppOptions.DastScanner"/> is not set.</exception>
    public static Sec0App Initialize(Sec0Config config, Sec0AppOptions? options = null) =>
        InitializeAsync(config, options, CancellationToken.None).GetAwaiter().GetResult();

    /// <inheritdoc cref="Initialize(Sec0Config, Sec0AppOptions?)"/>
    /// <param name="config">The loaded configuration.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the control plane's start-up calls.</param>
    public static async Task<Sec0App> InitializeAsync(Sec0Config config, Sec0AppOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        options ??= new Sec0AppOptions();
        ThrowIfInitialized();
        var environment = options.Environment ?? System.Environment.GetEnvironmentVariable;
        var logger = options.LoggerFactory?.CreateLogger("Sec0");
        if (config.UnknownKeys.Count > 0)
        {
            // A warning, not an error: the file is shared with Sec0's TypeScript SDK and other tools. Once, at start-up.
            logger?.UnknownConfigKeys(config.FilePath, string.Join(", ", config.UnknownKeys));
        }

        // Without a policy file every violation is only recorded, except what a hop's own enforcement block denies.
        var filePolicy = config.PolicyPath is { } policyPath ? PolicyLoader.Load(policyPath) : null;
        ControlPlaneConnection? controlPlane = null;
        var retentionGuard = ControlPlaneConnection.RetentionGuard(config, () => controlPlane);
        var (signer, appender) = ConfiguredAuditLog.Open(config, options.CreateSigningKeyIfMissing, options.TimeProvider, logger, environment, retentionGuard);
        Sec0App app;
        try
        {
            // Start-up calls (key validation, first policy fetch) are bounded by the client's timeout; none runs on a call's thread.
            controlPlane = await ControlPlaneConnection.OpenAsync(config, signer, environment, options.TimeProvider, logger, cancellationToken).ConfigureAwait(false);
            var policy = controlPlane?.Policy?.Current.Policy ?? filePolicy ?? new PolicyDocument { Tenant = config.App.Tenant };
            app = await CreateAsync(config, options, policy, signer, appender, controlPlane, logger, environment).ConfigureAwait(false);
        }
        catch
        {
            if (controlPlane is not null)
            {
                await controlPlane.DisposeAsync().ConfigureAwait(false);
            }

            await appender.DisposeAsync().ConfigureAwait(false);
            signer.Dispose();
            throw;
        }

        try
        {
            // Hops are routed here only once DAST `mode: sync` has its verdicts, so the first calls already have them.
            await app._scans!.StartAsync(options.HopManifest, cancellationToken).ConfigureAwait(false);
            app.Publish();
            return app;
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static void ThrowIfInitialized()
    {
        lock (s_gate)
        {
            if (s_current is not null)
            {
                throw new InvalidOperationException("[sec0] Sec0 is already initialized in this process. Dispose the current Sec0App before initializing another.");
            }
        }
    }

    private static async Task<Sec0App> CreateAsync(Sec0Config config, Sec0AppOptions options, PolicyDocument policy, AuditSigner signer, AuditAppender appender, ControlPlaneConnection? controlPlane, ILogger? logger, Func<string, string?> environment)
    {
        ThrowIfInitialized();
        var engine = DecisionEngine.Create(policy);
        if (policy.Sast.Enabled && options.SastScanner is null)
        {
            // Enabled without a scanner would leave every hash unscanned: refuse rather than pass silently.
            throw new InvalidOperationException("[sec0] The policy enables sast but no scanner is set: set Sec0AppOptions.SastScanner (for example to SemgrepScanner.FromEnvironment()).");
        }

        if (policy.Dast.Enabled && options.DastScanner is null)
        {
            throw new InvalidOperationException("[sec0] The policy enables dast but no scanner is set: set Sec0AppOptions.DastScanner (for example to NucleiScanner.FromEnvironment()).");
        }

        var escalationTimeout = policy.Security.SideEffects.ApproveHighRisk
            ? EscalationTimeoutVariable.Read(environment, config.FilePath) ?? EscalationTimeoutVariable.Default
            : EscalationTimeoutVariable.Default;
        var approvals = OpenApprovals(config, policy, appender, escalationTimeout, options.TimeProvider, logger);
        SastVerdictCache? sast = null;
        DastVerdictCache? dast = null;
        HopPipeline? pipeline = null;
        Sec0App? app = null;
        try
        {
            var scanOptions = options.ScanOptions ?? new ScanCacheOptions { TimeProvider = options.TimeProvider, Logger = logger };
            sast = policy.Sast.Enabled ? new SastVerdictCache(options.SastScanner!, policy.Sast, scanOptions) : null;
            dast = policy.Dast.Enabled ? new DastVerdictCache(options.DastScanner!, policy.Dast, scanOptions) : null;
            pipeline = new HopPipeline(config, appender, engine, options.TimeProvider, logger, sast, dast, approvals, RemoteDecider.Create(config, logger));
            app = new Sec0App(config, signer, appender, pipeline, sast, dast, approvals?.Service);
            app._time = options.TimeProvider;
            app._logger = logger;
            app.ControlPlane = controlPlane;
            app.StartControlPlane(policy, approvals);
            app._scans = new StartupScans(config, sast, dast, options.TimeProvider, logger);
            app._otlp = OtlpSelfExport.Start(config, options.ExportTelemetry);
            return app;
        }
        catch
        {
            // What started here stops here; the caller closes the control plane, the audit log and the key.
            if (app?._mirror is { } mirror)
            {
                await mirror.DisposeAsync().ConfigureAwait(false);
            }

            pipeline?.Remote?.Dispose();
            sast?.Dispose();
            dast?.Dispose();
            if (approvals is not null)
            {
                await approvals.Service.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Makes this the process's app and routes hops through it; refused when another app got there first.</summary>
    private void Publish()
    {
        lock (s_gate)
        {
            ThrowIfInitialized();
            s_current = this;
            HopHost.Current = _pipeline;
        }
    }

    /// <summary>
    /// The control plane's background work: closed audit files are uploaded, policy refreshes swap the decision engine (a
    /// change that needs a restart is refused and the running policy kept), and escalations are mirrored when
    /// <c>controlPlane.escalations: mirror</c>.
    /// </summary>
    private void StartControlPlane(PolicyDocument startPolicy, HopApprovals? approvals)
    {
        if (ControlPlane is not { } controlPlane)
        {
            return;
        }

        controlPlane.AuditUpload?.Start();

        if (controlPlane.Policy is { } source)
        {
            _pipeline.SetPolicyHash(source.Current.Hash);
            source.OnChanged(snapshot => _pipeline.UpdatePolicy(snapshot.Policy, snapshot.Hash), next => RestartOnlyChanges(startPolicy, next));
            source.StartRefreshing();
        }

        if (Config.ControlPlane.Escalations == EscalationReporting.Mirror)
        {
            if (approvals is null)
            {
                _logger?.EscalationMirrorIdle();
            }
            else
            {
                _mirror = new EscalationMirror(controlPlane.Client, approvals.Service, Config.App.Tenant, controlPlane.StateDirectory, _time, _logger);
            }
        }
    }

    /// <summary>What a new control-plane policy changes that only a restart applies: scanners and approvals are set up at start-up.</summary>
    private static List<string> RestartOnlyChanges(PolicyDocument running, PolicyDocument next)
    {
        var problems = new List<string>();
        void Check(string key, bool before, bool after)
        {
            if (before != after)
            {
                problems.Add($"{key} changes from {(before ? "true" : "false")} to {(after ? "true" : "false")}, which this app applies only at start-up: restart it to use the new policy");
            }
        }

        Check("sast.enabled", running.Sast.Enabled, next.Sast.Enabled);
        Check("dast.enabled", running.Dast.Enabled, next.Dast.Enabled);
        Check("security.side_effects.approve_high_risk", running.Security.SideEffects.ApproveHighRisk, next.Security.SideEffects.ApproveHighRisk);
        return problems;
    }

    /// <summary>
    /// The approvals of escalated hops, as the gateway opens its own: when the policy sets <c>approve_high_risk</c> (only
    /// then does a decision escalate), over the escalations in <c>approvals.dir</c> shared with <c>sec0 approvals</c>, the
    /// token secret beside them, and this app's audit log; a sweeper applies timeouts.
    /// </summary>
    private static HopApprovals? OpenApprovals(Sec0Config config, PolicyDocument policy, AuditAppender appender, TimeSpan timeout, TimeProvider time, ILogger? logger)
    {
        if (!policy.Security.SideEffects.ApproveHighRisk || config.Approvals is not { } approvals)
        {
            return null;
        }

        var service = ApprovalService.OpenFolder(approvals.Directory, approvals.Groups, appender, time, logger, config.App.Environment, approvals.Retention);
        return new HopApprovals(service, policy.Security.SideEffects.HumanEscalation, timeout);
    }

    /// <summary>Waits until every envelope queued so far is written and fsynced.</summary>
    /// <exception cref="Sec0AuditException">A write failed.</exception>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => Appender.FlushAsync(cancellationToken);

    /// <summary>Stops routing hops through this app, flushes and seals the audit log, releases the key.</summary>
    /// <exception cref="Sec0AuditException">Queued envelopes could not be written.</exception>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        lock (s_gate)
        {
            if (ReferenceEquals(s_current, this))
            {
                s_current = null;
            }

            if (ReferenceEquals(HopHost.Current, _pipeline))
            {
                HopHost.Current = null;
            }
        }

        _scans?.SaveSastVerdicts();
        _pipeline.Remote?.Dispose();
        Sast?.Dispose();
        Dast?.Dispose();

        // Before the approvals it reports on.
        if (_mirror is not null)
        {
            await _mirror.DisposeAsync().ConfigureAwait(false);
        }

        if (ControlPlane is not null)
        {
            await ControlPlane.DisposeAsync().ConfigureAwait(false);
        }

        // Before the audit log: the sweeper records into it.
        if (Approvals is not null)
        {
            await Approvals.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await Appender.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            Signer.Dispose();

            // Last: the final metrics collection includes the audit writer's closing writes.
            _otlp?.Dispose();
        }
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
