using Microsoft.Extensions.Logging;
using Sec0.Config;
using Sec0.Signing;

namespace Sec0.ControlPlane;

/// <summary>
/// What a Sec0 app uses of the control plane, opened at start-up from <c>sec0.config.yaml</c>: the client, the key's validated
/// hierarchy and, when <c>policy: { source: control-plane }</c>, the policy source. The control plane is optional: with no
/// feature asking for it, <see cref="OpenAsync"/> returns null and nothing touches the network.
/// </summary>
public sealed class ControlPlaneConnection : IAsyncDisposable
{
    private ControlPlaneConnection(ControlPlaneClient client, ControlPlaneHierarchy hierarchy, bool verified, string stateDirectory)
    {
        Client = client;
        Hierarchy = hierarchy;
        HierarchyVerified = verified;
        StateDirectory = stateDirectory;
    }

    /// <summary>The client.</summary>
    public ControlPlaneClient Client { get; }

    /// <summary>The API key's tenant, environment and client: validated by the control plane, or the config's own when it was unreachable.</summary>
    public ControlPlaneHierarchy Hierarchy { get; }

    /// <summary>Whether the control plane confirmed <see cref="Hierarchy"/> at start-up.</summary>
    public bool HierarchyVerified { get; }

    /// <summary>Where the control-plane state is kept: <c>&lt;sec0Dir&gt;/control-plane</c>.</summary>
    public string StateDirectory { get; }

    /// <summary>The control-plane policy; null when the policy is a file or absent.</summary>
    public ControlPlanePolicySource? Policy { get; private set; }

    /// <summary>
    /// The audit upload (<c>controlPlane.auditUpload</c>), not started yet: the owner calls <see cref="AuditUploader.Start"/>
    /// once its audit log is open, and opens that log with <see cref="AuditUploader.CanDelete"/> as its retention guard.
    /// Null when uploads are off.
    /// </summary>
    public AuditUploader? AuditUpload { get; private set; }

    private ControlPlaneClient? UploadClient { get; set; }

    /// <summary>
    /// Opens the control plane for <paramref name="config"/>: validates the API key (<c>POST /api/auth/validate-key</c>) and checks
    /// that it belongs to <c>app.tenant</c> and <c>app.environment</c>, then loads the control-plane policy when configured.
    /// An unreachable control plane does not stop start-up (the config's hierarchy and the last good policy are used); a refused
    /// key, a key of another tenant or environment, or a missing URL or key for a feature that needs them does.
    /// </summary>
    /// <returns>The connection; null when no control-plane feature is configured.</returns>
    /// <exception cref="ControlPlaneException">The URL or key is missing for a configured feature, or the key is refused or belongs elsewhere.</exception>
    /// <exception cref="Policy.Sec0PolicyException">The control-plane policy is needed and there is none to use.</exception>
    public static async Task<ControlPlaneConnection?> OpenAsync(Sec0Config config, AuditSigner signer, Func<string, string?> environment, TimeProvider time, ILogger? logger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(environment);
        var feature = FeatureNeedingControlPlane(config);
        var key = config.Auth.Sec0ApiKey ?? config.Auth.Sec0BearerToken;
        if (feature is null)
        {
            // No feature, no network: the URL may come from a generic variable (API_BASE_URL) that names another service,
            // and the key must not be sent there just because both happen to be set.
            return null;
        }

        if (config.ControlPlane.ApiBaseUrl is not { } url)
        {
            throw ControlPlaneErrors.UrlUnresolved(feature);
        }

        if (key is null)
        {
            throw ControlPlaneErrors.ApiKeyMissing(feature);
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUrl))
        {
            throw new ControlPlaneException(ControlPlaneException.NotConfiguredCode, "[sec0] controlPlane.apiBaseUrl (or SEC0_CONTROL_PLANE_URL) is not an absolute http or https URL.");
        }

        var client = new ControlPlaneClient(new ControlPlaneClientOptions { BaseUrl = baseUrl, ApiKey = key });
        ControlPlaneConnection? connection = null;
        try
        {
            var (hierarchy, verified) = await ValidateAsync(client, config, logger, cancellationToken).ConfigureAwait(false);
            connection = new ControlPlaneConnection(client, hierarchy, verified, Path.Combine(config.ControlPlane.Sec0Dir, "control-plane"));
            if (config.ControlPlane.AuditUpload is { Enabled: true } upload)
            {
                // Its own client: a whole day file goes in one request, under the upload timeout, not the 4 s of API calls.
                var uploadClient = connection.UploadClient = new ControlPlaneClient(new ControlPlaneClientOptions { BaseUrl = baseUrl, ApiKey = key, RequestTimeout = upload.Timeout });
                Func<CancellationToken, Task<ControlPlaneHierarchy>> resolve = verified ? _ => Task.FromResult(hierarchy) : uploadClient.ValidateKeyAsync;
                connection.AuditUpload = new AuditUploader(uploadClient, resolve, upload, config.ControlPlane.AppenderDir, Path.Combine(config.ControlPlane.Sec0Dir, "uploads"), time, logger);
            }

            if (config.ControlPlanePolicy is { } policy)
            {
                connection.Policy = await ControlPlanePolicySource.StartAsync(client, config.App.Tenant, policy, connection.StateDirectory, signer, environment, time, logger, cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                client.Dispose();
            }

            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (AuditUpload is not null)
        {
            await AuditUpload.DisposeAsync().ConfigureAwait(false);
        }

        if (Policy is not null)
        {
            await Policy.DisposeAsync().ConfigureAwait(false);
        }

        UploadClient?.Dispose();
        Client.Dispose();
    }

    /// <summary>
    /// The retention guard for the audit log of <paramref name="config"/>: with uploads on, a daily file may be deleted only
    /// once <paramref name="connection"/>'s uploader confirmed it (nothing is deleted before the connection is open); null
    /// with uploads off. Pass it to the audit log before the connection exists; it reads the connection when asked.
    /// </summary>
    public static Func<string, bool>? RetentionGuard(Sec0Config config, Func<ControlPlaneConnection?> connection)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(connection);
        return config.ControlPlane.AuditUpload is { Enabled: true } ? name => connection()?.AuditUpload?.CanDelete(name) ?? false : null;
    }

    private static string? FeatureNeedingControlPlane(Sec0Config config) =>
        config.ControlPlanePolicy is not null ? "the control-plane policy source (policy: { source: control-plane })"
        : config.ControlPlane.Escalations == EscalationReporting.Mirror ? "controlPlane.escalations: mirror"
        : config.ControlPlane.AuditUpload is { Enabled: true } ? "controlPlane.auditUpload"
        : null;

    private static async Task<(ControlPlaneHierarchy Hierarchy, bool Verified)> ValidateAsync(ControlPlaneClient client, Sec0Config config, ILogger? logger, CancellationToken cancellationToken)
    {
        var own = new ControlPlaneHierarchy(config.App.Tenant, config.App.Environment, config.App.Client.Name ?? config.App.Tenant, config.App.Client.Version ?? "0.0.0", null);
        ControlPlaneHierarchy hierarchy;
        try
        {
            hierarchy = await client.ValidateKeyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ControlPlaneException ex) when (ex.IsRetryable)
        {
            // A control plane that is down must not stop an app that can run on local state.
            logger?.ApiKeyNotValidated(ex.Message);
            return (own, false);
        }

        if (!string.Equals(hierarchy.Tenant, config.App.Tenant, StringComparison.Ordinal))
        {
            throw new ControlPlaneException(
                ControlPlaneException.UnauthorizedCode,
                $"[sec0] API key validation failed: the key belongs to tenant \"{hierarchy.Tenant}\", but app.tenant is \"{config.App.Tenant}\" in {config.FilePath}. Use this tenant's key, or fix app.tenant.");
        }

        if (!string.Equals(hierarchy.Environment, config.App.Environment, StringComparison.OrdinalIgnoreCase))
        {
            throw new ControlPlaneException(
                ControlPlaneException.UnauthorizedCode,
                $"[sec0] API key validation failed: the key is for environment \"{hierarchy.Environment}\", but app.environment is \"{config.App.Environment}\" in {config.FilePath}. Use the {config.App.Environment} key, or fix app.environment.");
        }

        logger?.ApiKeyValid(ControlPlaneErrors.Redact(client.BaseUrl), hierarchy.Tenant, hierarchy.Environment, hierarchy.ClientName, hierarchy.ClientVersion);
        return (hierarchy, true);
    }
}
