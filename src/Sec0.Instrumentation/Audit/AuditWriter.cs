using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Sec0.Telemetry;

namespace Sec0.Audit;

/// <summary>
/// What the audit writer thread alone touches: the open day file, rotation, retention, the chain (through its
/// <see cref="AuditLineBuilder"/>), the batch of built lines, the head file and fsync, and the callers waiting
/// for lines in the batch. <see cref="AuditAppender"/> owns the queue and the thread and calls this from it.
/// Not thread-safe: one thread at a time (the constructing thread, then the writer thread); only
/// <see cref="WrittenSeq"/> may be read from other threads.
/// </summary>
internal sealed class AuditWriter : IDisposable
{
    /// <summary>Waiting callers that make the batch go to the file: their wait is bounded by this, not by time.</summary>
    public const int MaxBatch = 512;

    private const int MaxBatchBytes = 1 << 20;
    private static readonly TimeSpan s_batchFsyncInterval = TimeSpan.FromMilliseconds(100);

    private readonly AuditAppenderOptions _options;
    private readonly ILogger? _logger;
    private readonly AuditLineBuilder _builder;
    private readonly ByteBuffer _batch = new(64 * 1024);
    private readonly List<AppendCompletion> _writtenCompletions = new(MaxBatch);
    private readonly List<AppendCompletion> _syncedCompletions = new(MaxBatch);
    private readonly AuditHeadFile _head;
    private readonly string _instance;
    private readonly string _signingName;
    private FileStream? _file;
    private DateOnly _fileDay;
    private long _unsignedLines;
    private long _batchEnvelopes;
    private long _firstUnsignedTimestamp;
    private long _lastFsyncTimestamp;
    private bool _dirty;
    private bool _headBehind;
    private long _writtenSeq;

    /// <summary>
    /// Opens the day's file and continues the recovered chain: writes the <c>recovery</c>, <c>truncation_detected</c> or
    /// <c>signing_mode</c> record the recovery calls for, applies retention, and fsyncs, all before it returns.
    /// </summary>
    /// <exception cref="IOException">The directory cannot be written.</exception>
    public AuditWriter(AuditAppenderOptions options, AuditLogRecovery.Result recovered)
    {
        _options = options;
        _logger = options.Logger;
        _builder = new AuditLineBuilder(options.Signer!, recovered.Chain);
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
        Flush(fsync: true);
        _writtenSeq = _builder.Seq;
    }

    /// <summary>The seq of the last line written to the file (not necessarily fsynced). Safe to read from any thread.</summary>
    public long WrittenSeq => Volatile.Read(ref _writtenSeq);

    /// <summary>
    /// Builds the envelope's line into the batch, rotating first when its day is past the open file's. Its caller, if
    /// one waits, is completed when the line is written (fsynced with <see cref="AuditFlushMode.Always"/>). A full batch
    /// goes to the file at once.
    /// </summary>
    public void Append(AuditEnvelope envelope, AppendCompletion? completion)
    {
        var day = DateOnly.FromDateTime(envelope.Timestamp.UtcDateTime);
        if (day > _fileDay)
        {
            Rotate(day, envelope.Timestamp);
        }

        var sign = _options.SigningMode == AuditSigningMode.PerEnvelope;
        var line = _builder.BuildEnvelope(envelope, sign);
        _batch.Write(line);
        _batch.WriteByte((byte)'\n');
        _batchEnvelopes++;
        if (!sign)
        {
            if (_unsignedLines++ == 0)
            {
                _firstUnsignedTimestamp = Stopwatch.GetTimestamp();
            }
        }

        if (completion is not null)
        {
            (_options.Flush == AuditFlushMode.Always ? _syncedCompletions : _writtenCompletions).Add(completion);
        }

        if (!sign && _unsignedLines >= _options.CheckpointEvery)
        {
            WriteCheckpoint(envelope.Timestamp);
        }

        if (_writtenCompletions.Count + _syncedCompletions.Count >= MaxBatch || _batch.Count >= MaxBatchBytes)
        {
            Flush(fsync: _options.Flush == AuditFlushMode.Always);
        }
    }

    /// <summary>
    /// Writes the batch to the file and completes the callers waiting for it; with <paramref name="fsync"/>, fsyncs too
    /// and completes the callers waiting for that. The head file is updated after the lines it names.
    /// </summary>
    public void Flush(bool fsync)
    {
        if (_batch.Count > 0)
        {
            var started = Sec0Metrics.AuditTimingEnabled ? Stopwatch.GetTimestamp() : 0;
            _file!.Write(_batch.WrittenSpan);
            if (started != 0)
            {
                Sec0Metrics.RecordWrite(started);
            }

            Sec0Metrics.RecordEnvelopesWritten(_batchEnvelopes);
            _batchEnvelopes = 0;
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
            var started = Sec0Metrics.AuditTimingEnabled ? Stopwatch.GetTimestamp() : 0;
            _file!.Flush(flushToDisk: true);
            if (started != 0)
            {
                Sec0Metrics.RecordFsync(started);
            }

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

    /// <summary>How long until a checkpoint (checkpoint mode) or a batch fsync (<see cref="AuditFlushMode.Batch"/>) is due; null when none is pending.</summary>
    public TimeSpan? NextTimerDue()
    {
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

    /// <summary>Writes the checkpoint and does the batch fsync that are due.</summary>
    public void RunTimers()
    {
        if (_options.SigningMode == AuditSigningMode.Checkpoint && _unsignedLines > 0
            && Stopwatch.GetElapsedTime(_firstUnsignedTimestamp) >= _options.CheckpointInterval)
        {
            WriteCheckpoint(_options.TimeProvider.GetUtcNow());
            Flush(fsync: _options.Flush != AuditFlushMode.None);
        }

        if (_options.Flush == AuditFlushMode.Batch && _dirty && Stopwatch.GetElapsedTime(_lastFsyncTimestamp) >= s_batchFsyncInterval)
        {
            Flush(fsync: true);
        }
    }

    /// <summary>At close: seals the unsigned lines (checkpoint mode), writes and fsyncs.</summary>
    public void Seal()
    {
        if (_options.SigningMode == AuditSigningMode.Checkpoint)
        {
            WriteCheckpoint(_options.TimeProvider.GetUtcNow());
        }

        Flush(fsync: true);
    }

    /// <summary>Whether <paramref name="completion"/> waits for a line of this writer's batch (only asked after a failure).</summary>
    public bool Holds(AppendCompletion completion) => _writtenCompletions.Contains(completion) || _syncedCompletions.Contains(completion);

    /// <summary>
    /// After a write failed: drops the lines built but not written and fails the callers waiting for them with
    /// <paramref name="describe"/>(<paramref name="cause"/>).
    /// </summary>
    /// <returns>How many callers were failed.</returns>
    public int FailPending(Exception cause, Func<Exception, Exception> describe)
    {
        _batch.Clear();
        var pending = _writtenCompletions.Count + _syncedCompletions.Count;
        foreach (var c in _writtenCompletions)
        {
            c.SetException(describe(cause));
        }

        foreach (var c in _syncedCompletions)
        {
            c.SetException(describe(cause));
        }

        _writtenCompletions.Clear();
        _syncedCompletions.Clear();
        return pending;
    }

    /// <summary>Closes the day file and the head file (once the writer thread is done).</summary>
    public void Dispose()
    {
        _file?.Dispose();
        _head.Dispose();
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
        // fsynced too: Flush rewrites the head after it, and the head must never name a line that a power
        // loss could take back (the next start would record a cut that never happened).
        Flush(fsync: _options.Flush == AuditFlushMode.Always);
        var outcome = AuditRetention.Apply(_options.Directory, _options.RetentionDays, DateOnly.FromDateTime(now.UtcDateTime), _file?.Name, _options.CanDeleteFile);
        foreach (var name in outcome.NotOurs)
        {
            _logger?.AuditRetentionSkippedForeignFile(name);
        }

        if (outcome.HeldForUpload > 0)
        {
            // Once per pass (start-up, rotation): the disk grows past the window while uploads fail, so say it.
            _logger?.AuditRetentionHeldForUpload(outcome.HeldForUpload, _options.RetentionDays);
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
            _logger?.AuditRetentionDeleted(outcome.Deleted.Count, _options.RetentionDays);
            return;
        }

        if (outcome.LastDeleted is { } last)
        {
            fields["deleted_last_seq"] = last.Seq;
            fields["deleted_last_hash"] = last.Hash;
        }

        WriteRecord(AuditRecordKinds.Gap, now, fields);
        _logger?.AuditRetentionGap(outcome.Deleted.Count);
    }

    private void Rotate(DateOnly day, DateTimeOffset timestamp)
    {
        // Seal and fsync the old file before the first line of the new one; buffered lines go first.
        if (_options.SigningMode == AuditSigningMode.Checkpoint)
        {
            WriteCheckpoint(timestamp);
        }

        Flush(fsync: true);
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
}
