using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Sec0.Audit;

/// <summary>
/// Appends signed, hash-chained audit envelopes to daily NDJSON files. Callers never do I/O: a bounded
/// queue feeds one background writer that batches, signs, chains, writes and fsyncs per
/// <see cref="AuditAppenderOptions.Flush"/>. A full queue makes callers wait; write errors reach the
/// callers; an envelope is never dropped silently. One appender per directory, across processes.
/// </summary>
public sealed class AuditAppender : IAsyncDisposable, IDisposable
{
    private const int MaxBatch = 512;
    private const int IdleNapsBeforeParking = 10;
    private static readonly TimeSpan s_batchFsyncInterval = TimeSpan.FromMilliseconds(100);

    // How long fire-and-forget envelopes may wait for the writer: long enough that the writer's work (signing
    // above all) runs after the call that queued it has returned rather than beside it, and that a stream of
    // calls is written in batches without waking the writer per call.
    private static readonly TimeSpan s_writeBehind = TimeSpan.FromMilliseconds(1);

    private readonly AuditAppenderOptions _options;
    private readonly AuditQueue<PendingAppend> _queue;
    private readonly AuditDirectoryLock _lock;
    private readonly AuditLineBuilder _builder;
    private readonly ByteBuffer _batch = new(64 * 1024);
    private readonly List<AppendCompletion> _writtenCompletions = new(MaxBatch);
    private readonly List<AppendCompletion> _syncedCompletions = new(MaxBatch);
    private readonly TaskCompletionSource _writerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger? _logger;
    private readonly AuditHeadFile _head;
    private readonly string _instance;
    private readonly string _signingName;
    private FileStream? _file;
    private DateOnly _fileDay;
    private long _unsignedLines;
    private long _firstUnsignedTimestamp;
    private long _lastFsyncTimestamp;
    private bool _dirty;
    private bool _headBehind;
    private volatile Exception? _fault;
    private long _lostAfterFault;
    private long _writtenSeq;
    private int _closed;

    private AuditAppender(AuditAppenderOptions options, AuditDirectoryLock directoryLock, AuditLogRecovery.Result recovered)
    {
        _options = options;
        _lock = directoryLock;
        _logger = options.Logger;
        _builder = new AuditLineBuilder(options.Signer!, recovered.Chain);
        _queue = new AuditQueue<PendingAppend>(options.ChannelCapacity);
        _instance = recovered.Instance ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _signingName = AuditSigningModes.Name(options.SigningMode);
        _head = AuditHeadFile.Open(options.Directory);

        var now = options.TimeProvider.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);

        // Never go back to an older day file, even if the clock did.
        var newFile = OpenFile(recovered.LastDay is { } last && last > today ? last : today);
        var recordWritten = newFile;
        if (recovered.Torn.Count > 0 || recovered.Rejected.Count > 0 || recovered.UnsealedFromSeq > 0)
        {
            WriteRecoveryRecord(now, recovered);
            recordWritten = true;
        }

        if (recovered.Head is { } mismatch)
        {
            WriteTruncationRecord(now, mismatch);
            recordWritten = true;
        }

        if (!recordWritten && recovered.ModeAtEnd != options.SigningMode)
        {
            // Every record says the signing mode in force from it on; this one says only that.
            WriteRecord(AuditRecordKinds.SigningMode, now, new JsonObject());
        }

        ApplyRetention(now);
        FlushBatch(fsync: true);
        _writtenSeq = _builder.Seq;

        // A thread of its own: the writer sleeps and wakes without going through the thread pool the
        // application's requests run on. (A lower OS priority was tried: a starved writer fills the queue
        // and then the callers wait, which is worse.)
        new Thread(WriterThread) { IsBackground = true, Name = "Sec0 audit writer" }.Start();
    }

    /// <summary>The directory this appender writes.</summary>
    public string Directory => _options.Directory;

    /// <summary>True once a write has failed: later appends throw until the appender is reopened.</summary>
    public bool IsFaulted => _fault is not null;

    /// <summary>The key id on every line.</summary>
    public string KeyId => _options.Signer!.KeyId;

    /// <summary>
    /// Opens the directory for appending: takes the directory lock (a second writer gets a clear error),
    /// recovers from a crash (torn last line moved aside, chain continued by a signed <c>recovery</c>
    /// record), applies retention, and starts the background writer.
    /// </summary>
    /// <exception cref="Sec0AuditException">The directory is in use by another writer or cannot be written.</exception>
    public static AuditAppender Open(AuditAppenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Directory))
        {
            throw new ArgumentException("AuditAppenderOptions.Directory is required: the folder for the audit-YYYY-MM-DD.ndjson files.", nameof(options));
        }

        if (options.Signer is null)
        {
            throw new ArgumentException("AuditAppenderOptions.Signer is required: audit lines are always signed (see LocalDevSigner.FromKeyRef).", nameof(options));
        }

        if (options.ChannelCapacity < 1 || options.CheckpointEvery < 1 || options.CheckpointInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("AuditAppenderOptions: ChannelCapacity and CheckpointEvery must be at least 1 and CheckpointInterval positive.", nameof(options));
        }

        var directory = Path.GetFullPath(options.Directory);
        options.Directory = directory;
        AuditDirectoryLock? directoryLock = null;
        try
        {
            System.IO.Directory.CreateDirectory(directory);
            directoryLock = AuditDirectoryLock.Acquire(directory);
            AuditLogRecovery.Result recovered;
            using (var key = options.Signer.CreateVerifier())
            {
                recovered = AuditLogRecovery.Recover(directory, options.TimeProvider.GetUtcNow(), new AuditLineReader(key));
            }

            foreach (var torn in recovered.Torn)
            {
                options.Logger?.LogWarning("[sec0] Audit recovery: moved {Bytes} torn bytes at the end of {File} to {SideFile}.", torn.Bytes, torn.File, torn.SideFile);
            }

            foreach (var rejected in recovered.Rejected)
            {
                options.Logger?.LogError("[sec0-audit] Audit recovery: {Lines} line(s) at the end of {File} (seq {First}..{Last}) are not a valid continuation of the signed log ({Reason}): forged or altered lines. Moved to {SideFile}; `sec0 verify` reports it.", rejected.Lines, rejected.File, rejected.FirstSeq, rejected.LastSeq, rejected.Reason, rejected.SideFile);
            }

            if (recovered.Head is { } head)
            {
                options.Logger?.LogError("[sec0-audit] The audit log ends at seq {Seq}, but the writer last left it at {Head} ({Reason}): lines were removed from its end. A signed truncation_detected record says so; `sec0 verify` reports it.", head.LogSeq, head.Head?.ToString() ?? "(head file missing)", head.Reason);
            }

            return new AuditAppender(options, directoryLock, recovered);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            directoryLock?.Dispose();
            throw new Sec0AuditException(Sec0AuditException.WriteFailedCode, $"[sec0] Cannot open the audit directory \"{directory}\": {ex.Message}", ex);
        }
        catch
        {
            directoryLock?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Queues an envelope without waiting for the write: the hot path of instrumented calls. Waits only
    /// when the queue is full. A write failure of a queued envelope is raised by the next
    /// <see cref="Enqueue"/>, <see cref="AppendAsync"/>, <see cref="FlushAsync"/> or dispose.
    /// </summary>
    /// <exception cref="Sec0AuditException">The appender failed earlier or is closed.</exception>
    public void Enqueue(AuditEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ThrowIfUnusable();
        Stamp(envelope);
        var item = new PendingAppend(envelope, null);
        var urgent = _options.Flush == AuditFlushMode.Always;
        var result = _queue.TryEnqueue(item, urgent);
        if (result == AuditQueue<PendingAppend>.EnqueueResult.Full)
        {
            // A full queue makes the caller wait for the writer; nothing is dropped.
            result = _queue.EnqueueAsync(item, urgent, CancellationToken.None).AsTask().GetAwaiter().GetResult()
                ? AuditQueue<PendingAppend>.EnqueueResult.Added
                : AuditQueue<PendingAppend>.EnqueueResult.Completed;
        }

        if (result == AuditQueue<PendingAppend>.EnqueueResult.Completed)
        {
            ThrowClosed();
        }
    }

    /// <summary>
    /// Appends an envelope and completes once it is written (<see cref="AuditFlushMode.None"/>,
    /// <see cref="AuditFlushMode.Batch"/>) or fsynced (<see cref="AuditFlushMode.Always"/>).
    /// </summary>
    /// <exception cref="Sec0AuditException">The write failed, or the appender failed earlier or is closed.</exception>
    public ValueTask AppendAsync(AuditEnvelope envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ThrowIfUnusable();
        Stamp(envelope);
        var completion = AppendCompletion.Rent();
        var item = new PendingAppend(envelope, completion);
        return _queue.TryEnqueue(item, urgent: true) == AuditQueue<PendingAppend>.EnqueueResult.Added
            ? completion.Task
            : AppendSlowAsync(item, completion, cancellationToken);
    }

    /// <summary>Completes when everything queued before it is written and fsynced.</summary>
    /// <exception cref="Sec0AuditException">A write failed.</exception>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        var completion = AppendCompletion.Rent();
        var item = new PendingAppend(null, completion);
        return _queue.TryEnqueue(item, urgent: true) == AuditQueue<PendingAppend>.EnqueueResult.Added
            ? completion.Task
            : AppendSlowAsync(item, completion, cancellationToken);
    }

    /// <summary>Drains the queue, seals the chain (checkpoint mode), fsyncs and releases the directory.</summary>
    /// <exception cref="Sec0AuditException">Some queued envelopes could not be written.</exception>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _queue.Complete();
        try
        {
            await _writerDone.Task.ConfigureAwait(false);
        }
        finally
        {
            _file?.Dispose();
            _head.Dispose();
            _lock.Dispose();
        }

        if (_fault is { } fault)
        {
            throw FaultException(fault);
        }
    }

    /// <summary>Drains, seals and closes synchronously.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void Stamp(AuditEnvelope envelope)
    {
        if (envelope.Timestamp == default)
        {
            envelope.Timestamp = _options.TimeProvider.GetUtcNow();
        }
    }

    private void ThrowIfUnusable()
    {
        if (_fault is { } fault)
        {
            throw FaultException(fault);
        }

        if (_closed != 0)
        {
            throw new Sec0AuditException(Sec0AuditException.ClosedCode, $"[sec0] The audit appender for \"{_options.Directory}\" is closed; the envelope was not written.");
        }
    }

    private Sec0AuditException FaultException(Exception fault)
        => new(
            Sec0AuditException.WriteFailedCode,
            $"[sec0] Writing the audit log in \"{_options.Directory}\" failed: {fault.Message}. The log is intact up to seq {Volatile.Read(ref _writtenSeq)}; {Interlocked.Read(ref _lostAfterFault)} queued envelope(s) were not written. Fix the cause and restart: recovery continues the chain.",
            fault);

    private async ValueTask AppendSlowAsync(PendingAppend item, AppendCompletion completion, CancellationToken cancellationToken)
    {
        if (!await _queue.EnqueueAsync(item, urgent: true, cancellationToken).ConfigureAwait(false))
        {
            ThrowClosed();
        }

        await completion.Task.ConfigureAwait(false);
    }

    private void ThrowClosed()
    {
        ThrowIfUnusable();
        throw new Sec0AuditException(Sec0AuditException.ClosedCode, $"[sec0] The audit appender for \"{_options.Directory}\" is closed; the envelope was not written.");
    }

    private void WriterThread()
    {
        try
        {
            WriterLoop();
            _writerDone.SetResult();
        }
        catch (Exception ex)
        {
            // A bug in the loop must not leave callers waiting on a writer that is gone: fault the appender
            // (later appends throw), refuse new items and fail everything still queued.
            try
            {
                Fault(ex);
                _queue.Complete();
                SpinWait spin = default;
                while (!_queue.IsDrained)
                {
                    if (_queue.TryDequeue(out var item))
                    {
                        FailItem(item);
                    }
                    else
                    {
                        spin.SpinOnce(); // a producer that reserved a slot is about to land its item
                    }
                }
            }
            finally
            {
                _writerDone.SetException(ex);
            }
        }
    }

    private void WriterLoop()
    {
        var idleNaps = 0;
        while (true)
        {
            _queue.TakeUrgent();
            var processed = ProcessAvailable();
            RunTimers();
            if (processed == MaxBatch * 8)
            {
                continue; // behind: no nap until caught up
            }

            if (_queue.IsDrained)
            {
                break;
            }

            if (processed > 0 || !_queue.IsEmpty)
            {
                idleNaps = 0;
            }

            if (!_queue.IsEmpty || idleNaps++ < IdleNapsBeforeParking)
            {
                // Traffic: nap rather than park, so callers don't have to wake the writer; what they queue
                // meanwhile is written when the nap ends (or at once if someone waits for it).
                _queue.Nap(NextTimerDue() is { } due && due < s_writeBehind ? due : s_writeBehind);
                continue;
            }

            // Idle: park until an envelope arrives, or until a pending checkpoint or batch fsync is due.
            // An envelope that wakes the writer is written after one nap (see s_writeBehind).
            _queue.Park(NextTimerDue());
            idleNaps = 0;
            if (!_queue.HasUrgent && !_queue.IsCompleted && !_queue.IsEmpty)
            {
                _queue.Nap(s_writeBehind);
            }
        }

        Close();
    }

    private int ProcessAvailable()
    {
        var count = 0;
        while (count < MaxBatch * 8 && _queue.TryDequeue(out var item))
        {
            count++;
            if (_fault is not null)
            {
                FailItem(item);
                continue;
            }

            try
            {
                if (item.Envelope is null)
                {
                    // A flush request: everything before it gets written and fsynced first.
                    FlushBatch(fsync: true);
                    item.Completion!.SetResult();
                    continue;
                }

                AppendLine(item);
                if (_writtenCompletions.Count + _syncedCompletions.Count >= MaxBatch || _batch.Count >= 1 << 20)
                {
                    FlushBatch(fsync: _options.Flush == AuditFlushMode.Always);
                }
            }
            catch (Exception ex)
            {
                Fault(ex);
                FailItem(item);
            }
        }

        if (_fault is null && count > 0)
        {
            try
            {
                FlushBatch(fsync: _options.Flush == AuditFlushMode.Always);
            }
            catch (Exception ex)
            {
                Fault(ex);
            }
        }

        _queue.SignalSpace();
        return count;
    }

    private void AppendLine(PendingAppend item)
    {
        var envelope = item.Envelope!;
        var day = DateOnly.FromDateTime(envelope.Timestamp.UtcDateTime);
        if (day > _fileDay)
        {
            Rotate(day, envelope.Timestamp);
        }

        var sign = _options.SigningMode == AuditSigningMode.PerEnvelope;
        var line = _builder.BuildEnvelope(envelope, sign);
        _batch.Write(line);
        _batch.WriteByte((byte)'\n');
        if (!sign)
        {
            if (_unsignedLines++ == 0)
            {
                _firstUnsignedTimestamp = Stopwatch.GetTimestamp();
            }
        }

        if (item.Completion is { } c)
        {
            (_options.Flush == AuditFlushMode.Always ? _syncedCompletions : _writtenCompletions).Add(c);
        }

        if (!sign && _unsignedLines >= _options.CheckpointEvery)
        {
            WriteCheckpoint(envelope.Timestamp);
        }
    }

    private void WriteCheckpoint(DateTimeOffset timestamp)
    {
        if (_unsignedLines == 0)
        {
            return;
        }

        var fields = new JsonObject { ["covers_from"] = _builder.Seq - _unsignedLines + 1 };
        WriteRecord(AuditRecordKinds.Checkpoint, timestamp, fields);
        _unsignedLines = 0;
    }

    private void WriteRecord(string kind, DateTimeOffset timestamp, JsonObject fields)
    {
        fields["signing"] = _signingName;
        var line = _builder.BuildRecord(kind, timestamp, fields);
        _batch.Write(line);
        _batch.WriteByte((byte)'\n');
    }

    private void WriteRecoveryRecord(DateTimeOffset now, AuditLogRecovery.Result recovered)
    {
        var fields = new JsonObject
        {
            ["torn"] = Segments(recovered.Torn),
            ["rejected"] = Segments(recovered.Rejected),
        };
        if (recovered.UnsealedFromSeq > 0)
        {
            fields["covers_from"] = recovered.UnsealedFromSeq;
        }

        WriteRecord(AuditRecordKinds.Recovery, now, fields);

        static JsonArray Segments(IReadOnlyList<AuditLogRecovery.MovedSegment> segments)
        {
            var array = new JsonArray();
            foreach (var s in segments)
            {
                var item = new JsonObject { ["bytes"] = s.Bytes, ["file"] = s.File, ["lines"] = s.Lines, ["reason"] = s.Reason, ["side_file"] = s.SideFile };
                if (s.FirstSeq is { } first)
                {
                    item["first_seq"] = first;
                    item["last_seq"] = s.LastSeq;
                }

                array.Add((JsonNode)item);
            }

            return array;
        }
    }

    private void WriteTruncationRecord(DateTimeOffset now, AuditLogRecovery.HeadMismatch mismatch)
    {
        var fields = new JsonObject
        {
            ["reason"] = mismatch.Reason,
            ["log_seq"] = mismatch.LogSeq,
            ["log_hash"] = mismatch.LogHash,
        };
        if (mismatch.Head is { } head)
        {
            fields["head_seq"] = head.Seq;
            fields["head_hash"] = head.Hash;
        }

        WriteRecord(AuditRecordKinds.TruncationDetected, now, fields);
    }

    private void ApplyRetention(DateTimeOffset now)
    {
        if (_options.RetentionDays <= 0)
        {
            return;
        }

        // The kept chain is read from disk: everything built so far goes there first. With flush: always,
        // fsynced too: FlushBatch rewrites the head after it, and the head must never name a line that a power
        // loss could take back (the next start would record a cut that never happened).
        FlushBatch(fsync: _options.Flush == AuditFlushMode.Always);
        var outcome = AuditRetention.Apply(_options.Directory, _options.RetentionDays, DateOnly.FromDateTime(now.UtcDateTime), _file?.Name, _options.CanDeleteFile);
        foreach (var name in outcome.NotOurs)
        {
            _logger?.LogWarning("[sec0-audit] Retention left {File} alone: Sec0 did not write it.", name);
        }

        if (outcome.HeldForUpload > 0)
        {
            // Once per pass (start-up, rotation): the disk grows past the window while uploads fail, so say it.
            _logger?.LogWarning("[sec0] Audit retention keeps {Count} file(s) older than {Days} days until they are uploaded.", outcome.HeldForUpload, _options.RetentionDays);
        }

        if (outcome.Deleted.Count == 0)
        {
            return;
        }

        var list = new JsonArray();
        foreach (var name in outcome.Deleted)
        {
            list.Add((JsonNode)JsonValue.Create(name));
        }

        var fields = new JsonObject { ["deleted"] = list };
        if (outcome.FirstKept is { } first && !outcome.KeptStartsAtGenesis)
        {
            fields["retained_from_file"] = first.File;
            fields["retained_from_seq"] = first.Seq;
            fields["retained_from_prev"] = first.Prev;
        }

        if (outcome.ContinuesFromDeleted || outcome.KeptStartsAtGenesis)
        {
            // An anchor only for a kept chain that continues from the last line deleted here.
            WriteRecord(AuditRecordKinds.Retention, now, fields);
            _logger?.LogInformation("[sec0] Audit retention deleted {Count} file(s) older than {Days} days.", outcome.Deleted.Count, _options.RetentionDays);
            return;
        }

        if (outcome.LastDeleted is { } last)
        {
            fields["deleted_last_seq"] = last.Seq;
            fields["deleted_last_hash"] = last.Hash;
        }

        WriteRecord(AuditRecordKinds.Gap, now, fields);
        _logger?.LogError("[sec0-audit] Audit retention deleted {Count} file(s), but the log it keeps does not continue from them: files or lines in the retention window were deleted by something else. A signed gap record says so; `sec0 verify` reports it.", outcome.Deleted.Count);
    }

    private void Rotate(DateOnly day, DateTimeOffset timestamp)
    {
        // Seal and fsync the old file before the first line of the new one; buffered lines go first.
        if (_options.SigningMode == AuditSigningMode.Checkpoint)
        {
            WriteCheckpoint(timestamp);
        }

        FlushBatch(fsync: true);
        _file?.Dispose();
        OpenFile(day);
        ApplyRetention(timestamp);
    }

    /// <summary>Opens the day's file for appending; true when it was new (its file_start is written).</summary>
    private bool OpenFile(DateOnly day)
    {
        var path = Path.Combine(_options.Directory, AuditFileNames.ForDay(day));
        var existing = new FileInfo(path);
        if (existing.LinkTarget is not null)
        {
            throw AuditFileOwnership.NotSec0(path); // never append through a link into a file outside the folder
        }

        if (existing.Exists && existing.Length == 0)
        {
            File.Delete(path); // empty: nothing to lose (and a named pipe of that name would block the open)
        }

        var options = new FileStreamOptions
        {
            // A new file is created, never opened: if a link or pipe appears under its name meanwhile, this fails.
            Mode = existing.Exists && existing.Length > 0 ? FileMode.Append : FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        }

        _file = new FileStream(path, options);
        _fileDay = day;
        if (_file.Length != 0)
        {
            return false;
        }

        var now = _options.TimeProvider.GetUtcNow();
        var start = DateOnly.FromDateTime(now.UtcDateTime) == day ? now : new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        WriteRecord(AuditRecordKinds.FileStart, start, new JsonObject { ["file"] = Path.GetFileName(path), ["instance"] = _instance });
        return true;
    }

    private void FlushBatch(bool fsync)
    {
        if (_batch.Count > 0)
        {
            _file!.Write(_batch.WrittenSpan);
            _batch.Clear();
            Volatile.Write(ref _writtenSeq, _builder.Seq);
            _dirty = true;
            _headBehind = true;
        }

        foreach (var c in _writtenCompletions)
        {
            c.SetResult();
        }

        _writtenCompletions.Clear();
        if (fsync && _dirty)
        {
            _file!.Flush(flushToDisk: true);
            _dirty = false;
            _lastFsyncTimestamp = Stopwatch.GetTimestamp();
        }

        if (_headBehind)
        {
            // After the lines (and their fsync, when there is one): the head never names a line the log lacks.
            _head.Write(_builder.Seq, _builder.PrevHashHex);
            _headBehind = false;
        }

        if (fsync)
        {
            foreach (var c in _syncedCompletions)
            {
                c.SetResult();
            }

            _syncedCompletions.Clear();
        }
    }

    private TimeSpan? NextTimerDue()
    {
        if (_fault is not null)
        {
            return null; // nothing more is written; RunTimers does nothing (and a due timer would spin)
        }

        TimeSpan? due = null;
        if (_options.SigningMode == AuditSigningMode.Checkpoint && _unsignedLines > 0)
        {
            due = _options.CheckpointInterval - Stopwatch.GetElapsedTime(_firstUnsignedTimestamp);
        }

        if (_options.Flush == AuditFlushMode.Batch && _dirty)
        {
            var fsyncDue = s_batchFsyncInterval - Stopwatch.GetElapsedTime(_lastFsyncTimestamp);
            due = due is { } d && d < fsyncDue ? d : fsyncDue;
        }

        return due is { } x && x < TimeSpan.Zero ? TimeSpan.Zero : due;
    }

    private void RunTimers()
    {
        if (_fault is not null)
        {
            return;
        }

        try
        {
            if (_options.SigningMode == AuditSigningMode.Checkpoint && _unsignedLines > 0
                && Stopwatch.GetElapsedTime(_firstUnsignedTimestamp) >= _options.CheckpointInterval)
            {
                WriteCheckpoint(_options.TimeProvider.GetUtcNow());
                FlushBatch(fsync: _options.Flush != AuditFlushMode.None);
            }

            if (_options.Flush == AuditFlushMode.Batch && _dirty && Stopwatch.GetElapsedTime(_lastFsyncTimestamp) >= s_batchFsyncInterval)
            {
                FlushBatch(fsync: true);
            }
        }
        catch (Exception ex)
        {
            Fault(ex);
        }
    }

    private void Close()
    {
        if (_fault is not null)
        {
            return;
        }

        try
        {
            if (_options.SigningMode == AuditSigningMode.Checkpoint)
            {
                WriteCheckpoint(_options.TimeProvider.GetUtcNow());
            }

            FlushBatch(fsync: true);
        }
        catch (Exception ex)
        {
            Fault(ex);
        }
    }

    private void Fault(Exception ex)
    {
        _fault ??= ex;

        // Lines built but not written, and their callers, fail with the cause.
        _batch.Clear();
        var pending = _writtenCompletions.Count + _syncedCompletions.Count;
        foreach (var c in _writtenCompletions)
        {
            c.SetException(FaultException(ex));
        }

        foreach (var c in _syncedCompletions)
        {
            c.SetException(FaultException(ex));
        }

        _writtenCompletions.Clear();
        _syncedCompletions.Clear();
        _logger?.LogError(ex, "[sec0] Writing the audit log in {Directory} failed after seq {Seq}; {Pending} append(s) failed.", _options.Directory, Volatile.Read(ref _writtenSeq), pending);
    }

    private void FailItem(PendingAppend item)
    {
        if (item.Completion is { } c)
        {
            c.SetException(FaultException(_fault!));
        }
        else if (item.Envelope is not null)
        {
            Interlocked.Increment(ref _lostAfterFault);
        }
    }

    private readonly record struct PendingAppend(AuditEnvelope? Envelope, AppendCompletion? Completion);
}
