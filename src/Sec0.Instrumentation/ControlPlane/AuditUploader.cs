using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Sec0.Audit;
using Sec0.Config;

namespace Sec0.ControlPlane;

/// <summary>
/// Uploads closed daily audit files (<c>audit-YYYY-MM-DD.ndjson</c>) to the control plane's storage through presigned
/// URLs (<c>POST /api/sec0/upload-url</c>, then <c>PUT</c>), whole and once each, and remembers in
/// <c>&lt;stateDirectory&gt;/uploads.json</c> which are confirmed. Give <see cref="CanDelete"/> to the appender
/// (<see cref="AuditAppenderOptions.CanDeleteFile"/>) so retention never deletes a file before its upload is confirmed.
/// Runs in the background (<see cref="Start"/>); nothing here runs on a hop call's thread. docs/control-plane.md, "Audit upload".
/// </summary>
/// <remarks>
/// <para>
/// A file is closed when its day is before today (UTC, by the <see cref="TimeProvider"/>) and a newer daily file exists:
/// the appender writes only the newest file, and opens the next day's only after sealing and fsyncing the one before. So
/// the newest file is never uploaded, even after midnight: the appender may still append to it (a checkpoint at rotation
/// or at close) until it opens the next day's file, at the first line of that day or at its next start.
/// </para>
/// <para>
/// Only the daily files are uploaded. The appender's <c>.sec0-audit.head</c> is not: it is rewritten in place after every
/// batch, unsigned, and only says where the local log ended for the next start's truncation check; checkpoints and the
/// retention, gap and recovery records are signed lines inside the daily files and go up with them. Side files that
/// recovery moves torn or rejected bytes into stay local for inspection: they are not part of the chain, and the signed
/// <c>recovery</c> record that names them is uploaded.
/// </para>
/// </remarks>
public sealed class AuditUploader : IAsyncDisposable
{
    private readonly ControlPlaneClient _client;
    private readonly Func<CancellationToken, Task<ControlPlaneHierarchy>> _resolveHierarchy;
    private readonly AuditUploadConfig _config;
    private readonly TimeProvider _time;
    private readonly ILogger? _logger;
    private readonly Dictionary<string, AuditUploadState.Entry> _state;
    private readonly Lock _stateLock = new();
    private readonly Lock _startLock = new();
    private readonly SemaphoreSlim _pass = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<string> _reportedForeign = new(StringComparer.Ordinal);
    private ControlPlaneHierarchy? _hierarchy;
    private Task? _loop;
    private int _disposed;

    /// <summary>Creates an uploader for a known hierarchy (tenant, environment, client).</summary>
    /// <param name="client">
    /// The control-plane client; not disposed here. Its <see cref="ControlPlaneClient.RequestTimeout"/> bounds each request
    /// too, so give the uploader a client created with <see cref="AuditUploadConfig.Timeout"/>.
    /// </param>
    /// <param name="hierarchy">Where the API key sits; its names make the object keys.</param>
    /// <param name="config"><c>controlPlane.auditUpload</c>. <see cref="AuditUploadConfig.Enabled"/> is the caller's to check.</param>
    /// <param name="auditDirectory">The appender's directory (<c>controlPlane.appenderDir</c>).</param>
    /// <param name="stateDirectory">Where <c>uploads.json</c> is kept (created when first written).</param>
    /// <param name="time">The clock of "today", the pass interval and the retry delays; default the system clock.</param>
    /// <param name="logger">Where uploads and failures are logged.</param>
    /// <exception cref="ArgumentException">A directory is empty or the config has a non-positive interval, timeout or attempt count.</exception>
    public AuditUploader(ControlPlaneClient client, ControlPlaneHierarchy hierarchy, AuditUploadConfig config, string auditDirectory, string stateDirectory, TimeProvider? time = null, ILogger? logger = null)
        : this(client, Fixed(hierarchy), config, auditDirectory, stateDirectory, time, logger)
    {
    }

    /// <summary>
    /// Creates an uploader that asks for the hierarchy when it first has something to upload (for example
    /// <c>ct =&gt; client.ValidateKeyAsync(ct)</c>), so creating it needs no network. A failure is logged and asked
    /// again at the next pass; the first answer is kept.
    /// </summary>
    /// <param name="client">
    /// The control-plane client; not disposed here. Its <see cref="ControlPlaneClient.RequestTimeout"/> bounds each request
    /// too, so give the uploader a client created with <see cref="AuditUploadConfig.Timeout"/>.
    /// </param>
    /// <param name="hierarchy">Asks where the API key sits; its names make the object keys.</param>
    /// <param name="config"><c>controlPlane.auditUpload</c>. <see cref="AuditUploadConfig.Enabled"/> is the caller's to check.</param>
    /// <param name="auditDirectory">The appender's directory (<c>controlPlane.appenderDir</c>).</param>
    /// <param name="stateDirectory">Where <c>uploads.json</c> is kept (created when first written).</param>
    /// <param name="time">The clock of "today", the pass interval and the retry delays; default the system clock.</param>
    /// <param name="logger">Where uploads and failures are logged.</param>
    /// <exception cref="ArgumentException">A directory is empty or the config has a non-positive interval, timeout or attempt count.</exception>
    public AuditUploader(ControlPlaneClient client, Func<CancellationToken, Task<ControlPlaneHierarchy>> hierarchy, AuditUploadConfig config, string auditDirectory, string stateDirectory, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(hierarchy);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(auditDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(stateDirectory);
        if (config.MaxAttempts < 1 || config.Interval <= TimeSpan.Zero || config.Timeout <= TimeSpan.Zero || config.RetryDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("[sec0] AuditUploadConfig: MaxAttempts must be at least 1, Interval and Timeout positive, RetryDelay not negative.", nameof(config));
        }

        _client = client;
        _resolveHierarchy = hierarchy;
        _config = config;
        AuditDirectory = Path.GetFullPath(auditDirectory);
        StateDirectory = Path.GetFullPath(stateDirectory);
        _time = time ?? TimeProvider.System;
        _logger = logger;
        _state = AuditUploadState.Load(StateDirectory, logger);
        if (client.RequestTimeout < config.Timeout)
        {
            _logger?.AuditUploadClientTimeoutShorter(client.RequestTimeout.TotalMilliseconds, config.Timeout.TotalMilliseconds);
        }
    }

    /// <summary>The directory of the daily audit files.</summary>
    public string AuditDirectory { get; }

    /// <summary>The directory of <c>uploads.json</c>.</summary>
    public string StateDirectory { get; }

    /// <summary>
    /// Starts the background loop: a pass at once, then one every <see cref="AuditUploadConfig.Interval"/>. A second
    /// call does nothing.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The uploader is disposed.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_startLock)
        {
            var token = _stopping.Token;
            _loop ??= Task.Run(() => LoopAsync(token));
        }
    }

    /// <summary>
    /// Runs one pass now: uploads every closed file not yet confirmed with its current content, with up to
    /// <see cref="AuditUploadConfig.MaxAttempts"/> attempts each. Waits for a pass already running (passes never
    /// overlap). Failures are in the result and the log, not thrown.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled, or the uploader disposed meanwhile.</exception>
    /// <exception cref="ObjectDisposedException">The uploader is disposed.</exception>
    public async Task<AuditUploadPassResult> UploadPendingAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        return await PassAsync(linked.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// True only when the upload of <paramref name="fileName"/> (<c>audit-YYYY-MM-DD.ndjson</c>, in the audit directory)
    /// is confirmed for the content the file has now: its length and SHA-256 are those uploaded. Reads the whole file;
    /// thread-safe; false on any doubt (unknown name, no upload, a link, a read error).
    /// </summary>
    public bool CanDelete(string fileName)
    {
        if (string.IsNullOrEmpty(fileName) || !AuditFileNames.TryParseDay(fileName, out _))
        {
            return false; // the exact pattern leaves no room for a directory part
        }

        AuditUploadState.Entry? entry;
        lock (_stateLock)
        {
            _state.TryGetValue(fileName, out entry);
        }

        if (entry is null)
        {
            return false;
        }

        var path = Path.Combine(AuditDirectory, fileName);
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.LinkTarget is not null || info.Length != entry.Length)
            {
                return false;
            }

            using var stream = OpenRead(path);
            var (length, sha) = Hash(stream);
            return length == entry.Length && string.Equals(sha, entry.Sha256, StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Stops the loop, cancels an upload in flight and waits for the running pass to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        Task? loop;
        lock (_startLock)
        {
            loop = _loop;
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(false); // it catches everything
        }

        // A pass started through UploadPendingAsync was cancelled above; it ends at its next await.
        await _pass.WaitAsync().ConfigureAwait(false);
        _pass.Release();
        _stopping.Dispose();
    }

    private static Func<CancellationToken, Task<ControlPlaneHierarchy>> Fixed(ControlPlaneHierarchy hierarchy)
    {
        ArgumentNullException.ThrowIfNull(hierarchy);
        var task = Task.FromResult(hierarchy);
        return _ => task;
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await PassAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The loop outlives any one pass: a bug or an odd file system must not stop later uploads.
                _logger?.AuditUploadPassFailed(ex, ex.Message);
            }

            try
            {
                await Task.Delay(_config.Interval, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<AuditUploadPassResult> PassAsync(CancellationToken cancellationToken)
    {
        await _pass.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RunPassAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pass.Release();
        }
    }

    private async Task<AuditUploadPassResult> RunPassAsync(CancellationToken cancellationToken)
    {
        var uploaded = new List<AuditUploadedFile>();
        var failed = new List<AuditUploadFailure>();
        List<(DateOnly Day, string Path)> files;
        try
        {
            files = AuditFileNames.List(AuditDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger?.AuditUploadCannotList(AuditDirectory, ex.Message);
            return new AuditUploadPassResult(uploaded, failed, 0);
        }

        var dirty = ForgetDeleted(files);
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        var upToDate = 0;
        var pending = new List<AuditUploadCandidate>();

        // Never the newest file: the appender may still be writing it (see the remarks on the class).
        for (var i = 0; i < files.Count - 1 && files[i].Day < today; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (day, path) = files[i];
            var name = Path.GetFileName(path);
            try
            {
                var (known, current, stateChanged, candidate) = await CheckAsync(name, day, path, cancellationToken).ConfigureAwait(false);
                if (!known)
                {
                    continue; // a link, or not a Sec0 file
                }

                if (current)
                {
                    upToDate++;
                    dirty |= stateChanged;
                }
                else
                {
                    pending.Add(candidate!);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _logger?.AuditUploadCannotRead(name, ex.Message);
                failed.Add(new AuditUploadFailure(name, 0, ex.Message, true));
            }
        }

        if (dirty)
        {
            SaveState();
        }

        if (pending.Count > 0)
        {
            ControlPlaneHierarchy? hierarchy = null;
            try
            {
                hierarchy = await HierarchyAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ControlPlaneException ex)
            {
                _logger?.AuditUploadDeferred(pending.Count, ex.Message);
                failed.AddRange(pending.Select(p => new AuditUploadFailure(p.Name, 0, ex.Message, ex.IsRetryable)));
            }

            if (hierarchy is not null)
            {
                foreach (var file in pending)
                {
                    var (done, failure) = await UploadAsync(file, hierarchy, cancellationToken).ConfigureAwait(false);
                    if (done is not null)
                    {
                        uploaded.Add(done);
                    }
                    else
                    {
                        failed.Add(failure!);
                    }
                }
            }
        }

        return new AuditUploadPassResult(uploaded, failed, upToDate);
    }

    /// <summary>
    /// Whether a closed file's current content is uploaded: by length and last-write time when they are those recorded
    /// (no read), else by its SHA-256. <c>Known</c> is false when the file is not Sec0's to upload.
    /// </summary>
    private async Task<(bool Known, bool Current, bool StateChanged, AuditUploadCandidate? File)> CheckAsync(string name, DateOnly day, string path, CancellationToken cancellationToken)
    {
        var info = new FileInfo(path);
        if (!info.Exists && info.LinkTarget is null)
        {
            return (false, false, false, null); // deleted since the listing (retention runs on its own thread)
        }

        AuditUploadState.Entry? entry;
        lock (_stateLock)
        {
            _state.TryGetValue(name, out entry);
        }

        if (info.LinkTarget is null && entry is not null && info.Length == entry.Length && info.LastWriteTimeUtc == entry.LastWriteUtc)
        {
            return (true, true, false, null);
        }

        // Never through a link (it could point at any file this process can read), never a file another tool wrote.
        if (info.LinkTarget is not null || AuditFileOwnership.Of(path) != AuditFileOwnership.Owner.Sec0)
        {
            if (info.Length > 0 || info.LinkTarget is not null)
            {
                ReportForeign(name);
            }

            return (false, false, false, null);
        }

        var lastWrite = info.LastWriteTimeUtc;
        long length;
        string sha;
        var stream = OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            (length, sha) = await HashAsync(stream, cancellationToken).ConfigureAwait(false);
        }

        if (entry is not null && entry.Length == length && string.Equals(entry.Sha256, sha, StringComparison.Ordinal))
        {
            // Same content, touched: remember the new time so the next pass need not read it again.
            lock (_stateLock)
            {
                _state[name] = entry with { LastWriteUtc = lastWrite };
            }

            return (true, true, true, null);
        }

        if (entry is not null)
        {
            _logger?.AuditFileChangedSinceUpload(name, entry.Length, entry.Sha256, length, sha);
        }

        return (true, false, false, new AuditUploadCandidate(name, day, path, length, sha, lastWrite));
    }

    private async Task<(AuditUploadedFile? Done, AuditUploadFailure? Failure)> UploadAsync(AuditUploadCandidate file, ControlPlaneHierarchy hierarchy, CancellationToken cancellationToken)
    {
        var key = AuditObjectKey.For(hierarchy, file.Day, file.Sha256);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // A fresh presigned URL per attempt: they are single-use and may expire.
                var presigned = await WithTimeoutAsync(t => _client.RequestUploadUrlAsync(key, hierarchy, t), "upload URL request", cancellationToken).ConfigureAwait(false);
                var stream = new HashingReadStream(OpenRead(file.Path), file.Length);
                string? sent;
                await using (stream.ConfigureAwait(false))
                {
                    await WithTimeoutAsync(
                        async t =>
                        {
                            await _client.UploadAsync(presigned, stream, file.Length, t).ConfigureAwait(false);
                            return true;
                        },
                        ControlPlaneErrors.UploadOperation,
                        cancellationToken).ConfigureAwait(false);
                    sent = stream.Sha256;
                }

                if (!string.Equals(sent, file.Sha256, StringComparison.Ordinal))
                {
                    // The storage has bytes, but not the ones measured: not confirmed; the next pass measures again.
                    var message = $"[sec0] Audit file {file.Name} changed while it was uploaded; the upload is not confirmed and the next pass uploads its new content.";
                    _logger?.AuditFileChangedDuringUpload(file.Name);
                    return (null, new AuditUploadFailure(file.Name, attempt, message, true));
                }

                Confirm(file, key);
                _logger?.AuditFileUploaded(file.Name, file.Length, key);
                return (new AuditUploadedFile(file.Name, key, file.Length, file.Sha256), null);
            }
            catch (ControlPlaneException ex) when (ex.IsRetryable && attempt < _config.MaxAttempts)
            {
                _logger?.AuditUploadRetrying(file.Name, attempt, _config.MaxAttempts, ex.Message);
            }
            catch (ControlPlaneException ex)
            {
                _logger?.AuditUploadGaveUp(file.Name, attempt, ex.Message);
                return (null, new AuditUploadFailure(file.Name, attempt, ex.Message, ex.IsRetryable));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _logger?.AuditUploadFileUnreadable(file.Name, ex.Message);
                return (null, new AuditUploadFailure(file.Name, attempt, ex.Message, true));
            }

            // Linear backoff, as in the TypeScript SDK: the delay before attempt n+1 is n times RetryDelay.
            await Task.Delay(_config.RetryDelay * attempt, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Bounds one request by <see cref="AuditUploadConfig.Timeout"/>; running out of it is a retryable failure.</summary>
    private async Task<T> WithTimeoutAsync<T>(Func<CancellationToken, Task<T>> request, string operation, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_config.Timeout);
        try
        {
            return await request(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ControlPlaneException(ControlPlaneException.UnavailableCode, $"[sec0] {operation} failed: no answer within {_config.Timeout.TotalMilliseconds:0} ms.", null, true, ex);
        }
    }

    private async Task<ControlPlaneHierarchy> HierarchyAsync(CancellationToken cancellationToken)
    {
        if (_hierarchy is { } known)
        {
            return known;
        }

        ControlPlaneHierarchy? hierarchy;
        try
        {
            hierarchy = await WithTimeoutAsync(_resolveHierarchy, "API key validation", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not ControlPlaneException and not OperationCanceledException)
        {
            throw new ControlPlaneException(ControlPlaneException.UnavailableCode, $"[sec0] audit upload cannot tell its tenant, environment and client: {ex.Message}", null, true, ex);
        }

        return _hierarchy = hierarchy ?? throw new ControlPlaneException(ControlPlaneException.BadResponseCode, "[sec0] audit upload cannot tell its tenant, environment and client: the hierarchy resolver returned null.");
    }

    private void Confirm(AuditUploadCandidate file, string key)
    {
        lock (_stateLock)
        {
            _state[file.Name] = new AuditUploadState.Entry(file.Length, file.Sha256, key, _time.GetUtcNow(), file.LastWriteUtc);
        }

        SaveState();
    }

    /// <summary>Drops the entries of files no longer in the directory (retention deleted them), so the state stays small.</summary>
    private bool ForgetDeleted(List<(DateOnly Day, string Path)> files)
    {
        var present = files.Select(f => Path.GetFileName(f.Path)).ToHashSet(StringComparer.Ordinal);
        lock (_stateLock)
        {
            var gone = _state.Keys.Where(k => !present.Contains(k)).ToList();
            foreach (var name in gone)
            {
                _state.Remove(name);
            }

            return gone.Count > 0;
        }
    }

    private void SaveState()
    {
        Dictionary<string, AuditUploadState.Entry> snapshot;
        lock (_stateLock)
        {
            snapshot = new Dictionary<string, AuditUploadState.Entry>(_state, StringComparer.Ordinal);
        }

        try
        {
            AuditUploadState.Save(StateDirectory, snapshot);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The confirmations stand for this process (CanDelete reads memory); after a restart they are uploaded again.
            _logger?.AuditUploadStateNotSaved(StateDirectory, ex.Message);
        }
    }

    private void ReportForeign(string name)
    {
        lock (_reportedForeign)
        {
            if (!_reportedForeign.Add(name))
            {
                return;
            }
        }

        _logger?.AuditUploadSkippedForeignFile(name);
    }

    private static FileStream OpenRead(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.Open,
        Access = FileAccess.Read,
        Share = FileShare.ReadWrite | FileShare.Delete,
        Options = FileOptions.SequentialScan,
    });

    private static (long Length, string Sha256) Hash(Stream stream)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        return (total, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static async Task<(long Length, string Sha256)> HashAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        return (total, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
