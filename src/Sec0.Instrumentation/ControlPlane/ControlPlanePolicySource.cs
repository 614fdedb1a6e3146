using System.Text;
using Microsoft.Extensions.Logging;
using Sec0.Audit;
using Sec0.Config;
using Sec0.Policy;
using Sec0.Signing;

namespace Sec0.ControlPlane;

/// <summary>
/// The <c>control-plane</c> policy source (docs/control-plane.md): the policy is fetched with the API key, refreshed every
/// <c>refreshTtlMs</c> with <c>If-None-Match</c>, validated before use, and kept on disk as the last good one. A policy that
/// fails validation is rejected with its problems and the previous one stays; a failed refresh keeps the current policy; a
/// control plane that is down at start-up is replaced by the last good copy. Refreshes run in the background: no call waits.
/// </summary>
public sealed class ControlPlanePolicySource : IAsyncDisposable
{
    // policy_hash of an empty policy (SHA-256 of no bytes).
    private const string EmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private readonly ControlPlaneClient _client;
    private readonly string _tenant;
    private readonly ControlPlanePolicyConfig _config;
    private readonly PolicyCacheFile _cache;
    private readonly TimeProvider _time;
    private readonly ILogger? _logger;
    private readonly bool _debug;
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Func<PolicyDocument, IReadOnlyList<string>>? _vet;
    private Action<ControlPlanePolicySnapshot>? _changed;
    private Task? _loop;
    private string? _lastFailure;
    private int _disposed;

    private ControlPlanePolicySource(ControlPlaneClient client, string tenant, ControlPlanePolicyConfig config, PolicyCacheFile cache, TimeProvider time, ILogger? logger, bool debug)
    {
        _client = client;
        _tenant = tenant;
        _config = config;
        _cache = cache;
        _time = time;
        _logger = logger;
        _debug = debug;
        Current = null!;
    }

    /// <summary>The policy in use.</summary>
    public ControlPlanePolicySnapshot Current { get; private set; }

    /// <summary>
    /// Loads the first policy: from the control plane, else (unreachable, failing, or answering an invalid policy) from the
    /// last good copy under <paramref name="stateDirectory"/>.
    /// </summary>
    /// <param name="client">The control-plane client.</param>
    /// <param name="tenant">The tenant whose policy is fetched (<c>app.tenant</c>).</param>
    /// <param name="config">The <c>policy</c> block.</param>
    /// <param name="stateDirectory">Where the last good copy is kept (<c>&lt;sec0Dir&gt;/control-plane</c>).</param>
    /// <param name="signer">Signs the last good copy, and verifies it when it is read back.</param>
    /// <param name="environment">Reads <c>SEC0_DEBUG_POLICY_SYNC</c>.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where refreshes and rejections are logged.</param>
    /// <param name="cancellationToken">Cancels the first fetch.</param>
    /// <exception cref="ControlPlaneException">The control plane refused the key (401/403): a wrong key is not papered over with an old policy.</exception>
    /// <exception cref="Sec0PolicyException">There is no usable policy: the control plane failed or sent an invalid one, and there is no last good copy.</exception>
    public static async Task<ControlPlanePolicySource> StartAsync(
        ControlPlaneClient client,
        string tenant,
        ControlPlanePolicyConfig config,
        string stateDirectory,
        AuditSigner signer,
        Func<string, string?> environment,
        TimeProvider time,
        ILogger? logger,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(environment);
        var source = new ControlPlanePolicySource(client, tenant, config, new PolicyCacheFile(stateDirectory, signer), time, logger, IsOn(environment("SEC0_DEBUG_POLICY_SYNC")));
        Exception failure;
        try
        {
            var fetched = await source.FetchAsync(null, cancellationToken).ConfigureAwait(false);
            source.Current = source.Accept(fetched.Yaml!, fetched.ETag, null);
            return source;
        }
        catch (ControlPlaneException ex) when (ex.Code == ControlPlaneException.UnauthorizedCode)
        {
            throw;
        }
        catch (Exception ex) when (ex is ControlPlaneException or Sec0PolicyException)
        {
            failure = ex;
        }

        var lastGood = source._cache.TryLoad(tenant, config.Level, config.NodeId, out var problem);
        if (lastGood is { } copy)
        {
            var policy = Parse(copy.Yaml, source.SourceName, tenant);
            source.Current = new ControlPlanePolicySnapshot(policy, copy.Hash, copy.ETag, copy.FetchedAt, FromLastGood: true);
            logger?.PolicyFromLastGoodCopy(failure.Message, copy.FetchedAt, copy.Hash);
            return source;
        }

        var detail = failure is Sec0PolicyException invalid ? invalid.Message : failure.Message;
        throw new Sec0PolicyException(
            source.SourceName,
            [new PolicyProblem(string.Empty, 0, 0, $"no policy to start with: {detail}; and no last good copy can be used ({problem}). Fix the control plane or its policy, or use a policy file (policy: ./policy.yaml)")],
            failure);
    }

    /// <summary>
    /// Where every accepted policy goes (the app swaps its decision engine), and an extra check a new policy must pass
    /// (the app refuses changes it can only apply at restart, such as enabling SAST). Set once, before <see cref="StartRefreshing"/>.
    /// </summary>
    public void OnChanged(Action<ControlPlanePolicySnapshot> changed, Func<PolicyDocument, IReadOnlyList<string>>? vet = null)
    {
        _changed = changed;
        _vet = vet;
    }

    /// <summary>Refreshes every <c>refreshTtlMs</c> in the background until disposed.</summary>
    public void StartRefreshing() => _loop ??= Task.Run(RefreshLoopAsync);

    /// <summary>
    /// One refresh: fetches with <c>If-None-Match</c>; a changed, valid policy becomes <see cref="Current"/> and is saved.
    /// Never throws for a control-plane or policy failure: the current policy stays, and the failure is logged.
    /// </summary>
    /// <returns>True when the policy changed.</returns>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _refreshGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = Current;
            PolicyFetch fetched;
            try
            {
                // After the last good copy was used, fetch unconditionally: its ETag may be stale on another server.
                fetched = await FetchAsync(current.FromLastGood ? null : current.ETag, cancellationToken).ConfigureAwait(false);
            }
            catch (ControlPlaneException ex)
            {
                LogFailure(ex.Message, "keeping policy_hash " + current.Hash);
                return false;
            }

            if (fetched.IsNotModified)
            {
                Current = current with { FetchedAt = _time.GetUtcNow() };
                Debug("not modified; policy_hash {0} stays", current.Hash);
                _lastFailure = null;
                return false;
            }

            ControlPlanePolicySnapshot next;
            try
            {
                if (string.IsNullOrWhiteSpace(fetched.Yaml) && !IsEmpty(current))
                {
                    // An empty answer means "no enforcement"; from a proxy's default page or a misrouted request it would drop
                    // every rule at once. A control plane that means it sends a minimal policy (tenant only).
                    throw new Sec0PolicyException(SourceName, [new PolicyProblem(string.Empty, 0, 0, "the control plane answered with an empty policy, which would turn every rule off; to enforce nothing, publish a policy with only its tenant")]);
                }

                next = Accept(fetched.Yaml ?? string.Empty, fetched.ETag, _vet);
            }
            catch (Sec0PolicyException ex)
            {
                LogFailure(ex.Message, "the previous policy (policy_hash " + current.Hash + ") stays in force");
                return false;
            }

            _lastFailure = null;
            if (next.Hash == current.Hash)
            {
                Current = next;
                Debug("unchanged content; policy_hash {0} stays", next.Hash);
                return false;
            }

            try
            {
                _changed?.Invoke(next);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Not applied: Current stays, so the next refresh tries again instead of seeing "unchanged".
                _logger?.PolicyNotApplied(ex, next.Hash);
                return false;
            }

            Current = next;
            _logger?.PolicyChanged(current.Hash, next.Hash);
            return true;
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }

    private string SourceName => $"control-plane policy {ControlPlaneErrors.Redact(_client.BaseUrl)}api/policy/{Uri.EscapeDataString(_tenant)}?level={_config.Level}" + (_config.NodeId is null ? string.Empty : "&nodeId=" + Uri.EscapeDataString(_config.NodeId));

    private async Task RefreshLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_config.RefreshTtl, _time, _stop.Token).ConfigureAwait(false);
                await RefreshAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A bug here must not end refreshing for the process's lifetime (the TS SDK's memoised failure).
                _logger?.PolicyRefreshCrashed(ex, _config.RefreshTtl);
            }
        }
    }

    /// <summary>Fetches the node's policy, falling back to the base policy when the node's is empty and <c>fallbackToBase</c> allows.</summary>
    private async Task<PolicyFetch> FetchAsync(string? etag, CancellationToken cancellationToken)
    {
        Debug("fetch level={0} nodeId={1}", _config.Level, _config.NodeId ?? "(base)");
        var fetched = await _client.GetPolicyAsync(_tenant, _config.Level, _config.NodeId, etag, cancellationToken).ConfigureAwait(false);
        if (_config.NodeId is not null && _config.FallbackToBase && !fetched.IsNotModified && string.IsNullOrWhiteSpace(fetched.Yaml))
        {
            Debug("empty policy for node {0}; falling back to the base policy", _config.NodeId);

            // No ETag kept: a 304 for the node would hide a change of the base policy.
            var baseFetch = await _client.GetPolicyAsync(_tenant, _config.Level, null, null, cancellationToken).ConfigureAwait(false);
            // Fetched without If-None-Match: the client refuses a 304 to it, so this is the base policy's text.
            return PolicyFetch.Changed(baseFetch.Yaml ?? string.Empty, null);
        }

        return fetched;
    }

    /// <summary>Validates <paramref name="yaml"/> and saves it as the last good policy.</summary>
    private ControlPlanePolicySnapshot Accept(string yaml, string? etag, Func<PolicyDocument, IReadOnlyList<string>>? vet)
    {
        var policy = Parse(yaml, SourceName, _tenant);
        if (vet?.Invoke(policy) is { Count: > 0 } problems)
        {
            throw new Sec0PolicyException(SourceName, [.. problems.Select(p => new PolicyProblem(string.Empty, 0, 0, p))]);
        }

        var hash = Sha256Hex.Of(Encoding.UTF8.GetBytes(yaml.Trim()));
        var now = _time.GetUtcNow();
        if (string.IsNullOrWhiteSpace(yaml))
        {
            // Used (the TypeScript SDK's "no enforcement"), but never kept as the fallback for an outage.
            _logger?.PolicyEmpty();
            return new ControlPlanePolicySnapshot(policy, hash, etag, now, FromLastGood: false);
        }

        try
        {
            _cache.Save(yaml, hash, etag, now, _tenant, _config.Level, _config.NodeId);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The policy is still good to use; only the fallback for a later outage is older.
            _logger?.PolicyLastGoodCopyNotSaved(ex, _cache.YamlPath);
        }

        Debug("accepted policy_hash {0}", hash);
        return new ControlPlanePolicySnapshot(policy, hash, etag, now, FromLastGood: false);
    }

    /// <summary>Parses and validates; an empty policy means no enforcement, as in Sec0's TypeScript SDK; another tenant's is refused.</summary>
    private static PolicyDocument Parse(string yaml, string sourceName, string tenant)
    {
        if (string.IsNullOrWhiteSpace(yaml))
        {
            return new PolicyDocument { Tenant = tenant };
        }

        var policy = PolicyLoader.Parse(yaml, sourceName);
        if (!string.Equals(policy.Tenant, tenant, StringComparison.Ordinal))
        {
            throw new Sec0PolicyException(sourceName, [new PolicyProblem("tenant", 0, 0, $"is \"{policy.Tenant}\", but this app's tenant is \"{tenant}\": the control plane sent another tenant's policy")]);
        }

        return policy;
    }

    private void LogFailure(string message, string consequence)
    {
        // One warning per distinct failure, not one per refresh during an outage.
        if (string.Equals(_lastFailure, message, StringComparison.Ordinal))
        {
            Debug("still failing: {0}", message);
            return;
        }

        _lastFailure = message;
        _logger?.PolicyRefreshFailed(consequence, message);
    }

    private void Debug(string format, params object?[] args)
    {
        if (_debug)
        {
            _logger?.PolicySyncDebug(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        }
    }

    private static bool IsEmpty(ControlPlanePolicySnapshot snapshot) =>
        snapshot.Hash == EmptyHash;

    private static bool IsOn(string? value) =>
        value?.Trim().ToLowerInvariant() is { Length: > 0 } v && v != "0" && v != "false";
}
