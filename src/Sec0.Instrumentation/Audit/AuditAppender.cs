using Microsoft.Extensions.Logging;
using Sec0.Telemetry;

namespace Sec0.Audit;

/// <summary>
/// Appends signed, hash-chained audit envelopes to daily NDJSON files. Callers never do I/O: a bounded
/// queue feeds one background writer that batches, signs, chains, writes and fsyncs per
/// <see cref="AuditAppenderOptions.Flush"/>. A full queue makes callers wait; write errors reach the
/// callers; an envelope is never dropped silently. One appender per directory, across processes.
/// </summary>
/// <remarks>
/// This is the side callers touch: the queue, the fault and close state, and the writer thread's loop. What that
/// thread alone touches (file, day, chain, rotation, retention, head file, fsync) is the <see cref="AuditWriter"/>'s.
/// </remarks>
public sealed class AuditAppender : IAsyncDisposable, IDisposable
{
    // The most items the writer takes in one pass before it looks at its timers and the queue's state again.
    private const int MaxItemsPerPass = AuditWriter.MaxBatch * 8;
    private const int IdleNapsBeforeParking = 10;

    // How long fire-and-forget envelopes may wait for the writer: long enough that the writer's work (signing
    // above all) runs after the call that queued it has returned rather than beside it, and that a stream of
    // calls is written in batches without waking the writer per call.
    private static readonly TimeSpan s_writeBehind = TimeSpan.FromMilliseconds(1);

    private readonly AuditAppenderOptions _options;
    private readonly AuditQueue<PendingAppend> _queue;
    private readonly AuditDirectoryLock _lock;
    private readonly AuditWriter _writer;
    private readonly TaskCompletionSource _writerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger? _logger;
    private volatile Exception? _fault;
    private long _lostAfterFault;
    private int _closed;
    private readonly IDisposable _queueDepth;

    private AuditAppender(AuditAppenderOptions options, AuditDirectoryLock directoryLock, AuditLogRecovery.Result recovered)
    {
        _options = options;
        _lock = directoryLock;
        _logger = options.Logger;
        _queue = new AuditQueue<PendingAppend>(options.ChannelCapacity);
        _writer = new AuditWriter(options, recovered);
        _queueDepth = Sec0Metrics.RegisterAuditQueue(options.Directory, () => _queue.Count);

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
                options.Logger?.AuditTornBytesMoved(torn.Bytes, torn.File, torn.SideFile);
            }

            foreach (var rejected in recovered.Rejected)
            {
                options.Logger?.AuditLinesRejected(rejected.Lines, rejected.File, rejected.FirstSeq, rejected.LastSeq, rejected.Reason, rejected.SideFile);
            }

            if (recovered.Head is { } head)
            {
                options.Logger?.AuditTruncationDetected(head.LogSeq, head.Head?.ToString() ?? "(head file missing)", head.Reason);
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
        _queueDepth.Dispose();
        try
        {
            await _writerDone.Task.ConfigureAwait(false);
        }
        finally
        {
            _writer.Dispose();
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
            $"[sec0] Writing the audit log in \"{_options.Directory}\" failed: {fault.Message}. The log is intact up to seq {_writer.WrittenSeq}; {Interlocked.Read(ref _lostAfterFault)} queued envelope(s) were not written. Fix the cause and restart: recovery continues the chain.",
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
            if (processed == MaxItemsPerPass)
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
        while (count < MaxItemsPerPass && _queue.TryDequeue(out var item))
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
                    _writer.Flush(fsync: true);
                    item.Completion!.SetResult();
                    continue;
                }

                _writer.Append(item.Envelope, item.Completion);
            }
            catch (Exception ex)
            {
                // Once the writer holds the caller's completion, failing its batch fails that caller; a second
                // failure would throw and kill this thread (and could reach a reused, pooled completion).
                var held = item.Completion is { } completion && _writer.Holds(completion);
                Fault(ex);
                if (!held)
                {
                    FailItem(item);
                }
            }
        }

        if (_fault is null && count > 0)
        {
            try
            {
                _writer.Flush(fsync: _options.Flush == AuditFlushMode.Always);
            }
            catch (Exception ex)
            {
                Fault(ex);
            }
        }

        _queue.SignalSpace();
        return count;
    }

    // After a fault nothing more is written: no timer is due (a due timer would spin), and none runs.
    private TimeSpan? NextTimerDue() => _fault is null ? _writer.NextTimerDue() : null;

    private void RunTimers()
    {
        if (_fault is not null)
        {
            return;
        }

        try
        {
            _writer.RunTimers();
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
            _writer.Seal();
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
        var pending = _writer.FailPending(ex, FaultException);
        _logger?.AuditWriteFailed(ex, _options.Directory, _writer.WrittenSeq, pending);
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
