using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Sec0.Policy;
using Sec0.Telemetry;

namespace Sec0.Scanning;

/// <summary>
/// The verdict store shared by <see cref="SastVerdictCache"/> and <c>DastVerdictCache</c>: verdicts
/// per key with a lifetime, at most one scan in flight per key (concurrent readers share it), scans run in
/// the background with a bounded number at once. Reading a verdict is a dictionary lookup and never waits
/// for a scan. A scanner exception or timeout becomes an <c>error</c> verdict.
/// </summary>
internal sealed class ScanVerdictCache : IDisposable
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _ttl;
    private readonly TimeSpan _errorTtl;
    private readonly TimeSpan _pendingTtl;
    private readonly TimeSpan _scanTimeout;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger? _logger;
    private readonly string _kind;

    public ScanVerdictCache(string kind, TimeSpan ttl, ScanCacheOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ScanTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrentScans, 1);
        _kind = kind;
        _ttl = ttl;
        _errorTtl = options.ErrorRetryAfter < ttl ? options.ErrorRetryAfter : ttl;
        _pendingTtl = options.PendingRetryAfter < ttl ? options.PendingRetryAfter : ttl;
        _scanTimeout = options.ScanTimeout;
        _time = options.TimeProvider;
        _logger = options.Logger;
        _slots = new SemaphoreSlim(options.MaxConcurrentScans, options.MaxConcurrentScans);
    }

    /// <summary>
    /// The verdict for <paramref name="key"/> now. A key without a verdict, or with an expired one, gets a
    /// background scan (unless one is running) and reads as <c>pending</c> until it finishes, except that an
    /// expired <c>fail</c> or <c>error</c> keeps standing until the rescan replaces it.
    /// </summary>
    public ScanVerdict Read<TState>(string key, TState state, Func<TState, CancellationToken, Task<ScanOutcome>> scan)
    {
        var now = _time.GetUtcNow();
        if (_entries.TryGetValue(key, out var entry) && entry.Verdict is { } fresh && now < fresh.ExpiresAt)
        {
            return fresh;
        }

        entry ??= _entries.GetOrAdd(key, static k => new Entry(k));
        _ = Start(entry, state, scan, force: false, now);
        return entry.Verdict switch
        {
            null => entry.PendingVerdict,
            { Status: ScanStatus.Fail or ScanStatus.Error } stale => stale,
            _ => entry.PendingVerdict,
        };
    }

    /// <summary>Starts a scan of <paramref name="key"/> unless one is running (then joins it); with <paramref name="force"/> even when a fresh verdict exists.</summary>
    public Task<ScanVerdict> Scan<TState>(string key, TState state, Func<TState, CancellationToken, Task<ScanOutcome>> scan, bool force)
    {
        var entry = _entries.GetOrAdd(key, static k => new Entry(k));
        return Start(entry, state, scan, force, _time.GetUtcNow());
    }

    /// <summary>The stored verdict of <paramref name="key"/>, fresh or not; false when it has none.</summary>
    public bool TryGet(string key, out ScanVerdict verdict)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.Verdict is { } v)
        {
            verdict = v;
            return true;
        }

        verdict = null!;
        return false;
    }

    /// <summary>Stores a verdict known from elsewhere (a saved verdict file); a running scan still replaces it when it ends.</summary>
    public void Set(ScanVerdict verdict)
    {
        var entry = _entries.GetOrAdd(verdict.Key, static k => new Entry(k));
        entry.Verdict = verdict;
    }

    /// <summary>Every stored verdict.</summary>
    public IReadOnlyList<ScanVerdict> Snapshot() => [.. _entries.Values.Select(e => e.Verdict).OfType<ScanVerdict>()];

    /// <summary>Creates a verdict for <paramref name="key"/> with the lifetime its status gets.</summary>
    public ScanVerdict CreateVerdict(string key, ScanOutcome outcome)
    {
        var now = _time.GetUtcNow();
        var lifetime = outcome.Status switch
        {
            ScanStatus.Error => _errorTtl,
            ScanStatus.Pending => _pendingTtl,
            _ => _ttl,
        };
        return new ScanVerdict(key, outcome.Status, outcome.Findings, outcome.ScanId, outcome.Error, now, now + lifetime);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private Task<ScanVerdict> Start<TState>(Entry entry, TState state, Func<TState, CancellationToken, Task<ScanOutcome>> scan, bool force, DateTimeOffset now)
    {
        lock (entry)
        {
            if (entry.InFlight is { } running)
            {
                return running;
            }

            if (!force && entry.Verdict is { } fresh && now < fresh.ExpiresAt)
            {
                return Task.FromResult(fresh);
            }

            if (_stop.IsCancellationRequested)
            {
                return Task.FromResult(entry.Verdict ?? entry.PendingVerdict);
            }

            // Task.Run: a scanner's synchronous prologue must not run on the caller's thread.
            var task = Task.Run(() => RunAsync(entry, state, scan));
            entry.InFlight = task;
            return task;
        }
    }

    private async Task<ScanVerdict> RunAsync<TState>(Entry entry, TState state, Func<TState, CancellationToken, Task<ScanOutcome>> scan)
    {
        ScanOutcome outcome;
        try
        {
            await _slots.WaitAsync(_stop.Token).ConfigureAwait(false);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(_scanTimeout);
                try
                {
                    // WaitAsync: a scanner that ignores its token still ends in an error at the timeout.
                    outcome = await scan(state, timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !_stop.IsCancellationRequested)
                {
                    outcome = new ScanOutcome(ScanStatus.Error, [], null, $"the scan timed out after {_scanTimeout.TotalSeconds:0.###} s");
                }
                catch (Exception ex) when (!_stop.IsCancellationRequested)
                {
                    outcome = new ScanOutcome(ScanStatus.Error, [], null, $"the scanner failed: {ex.GetType().Name}: {ex.Message}");
                }
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            outcome = new ScanOutcome(ScanStatus.Error, [], null, "the scan was stopped because Sec0 shut down");
        }

        if (outcome.Status == ScanStatus.Error)
        {
            _logger?.ScanEndedInError(_kind, entry.Key, outcome.Error);
        }

        Sec0Metrics.RecordScanVerdict(_kind, ScanNames.Status(outcome.Status));
        var verdict = CreateVerdict(entry.Key, outcome);
        lock (entry)
        {
            entry.Verdict = verdict;
            entry.InFlight = null;
        }

        return verdict;
    }

    private sealed class Entry(string key)
    {
        public readonly string Key = key;
        public readonly ScanVerdict PendingVerdict = ScanVerdict.Pending(key, DateTimeOffset.MinValue);
        public volatile ScanVerdict? Verdict;
        public Task<ScanVerdict>? InFlight;
    }
}
