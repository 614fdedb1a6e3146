using Microsoft.Extensions.Logging;
using Sec0.Signing;

namespace Sec0.Audit;

/// <summary>Options of an <see cref="AuditAppender"/>.</summary>
public sealed class AuditAppenderOptions
{
    /// <summary>The directory of the daily <c>audit-YYYY-MM-DD.ndjson</c> files (created if missing). Required.</summary>
    public string Directory { get; set; } = "";

    /// <summary>The key that signs the lines. Required. The appender does not dispose it.</summary>
    public AuditSigner? Signer { get; set; }

    /// <summary>Durability of an append; default <see cref="AuditFlushMode.Batch"/>.</summary>
    public AuditFlushMode Flush { get; set; } = AuditFlushMode.Batch;

    /// <summary>Which lines are signed; default <see cref="AuditSigningMode.PerEnvelope"/>.</summary>
    public AuditSigningMode SigningMode { get; set; } = AuditSigningMode.PerEnvelope;

    /// <summary>Checkpoint mode: a checkpoint after at most this many unsigned lines (default 1000).</summary>
    public int CheckpointEvery { get; set; } = 1000;

    /// <summary>Checkpoint mode: a checkpoint at most this long after the first unsigned line (default 1 s).</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many envelopes may wait for the writer; a full queue makes callers wait (default 8192).</summary>
    public int ChannelCapacity { get; set; } = 8192;

    /// <summary>Files whose day is older than this many days are deleted at start-up and rotation; 0 keeps everything (default 30).</summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>
    /// Whether retention may delete an expired daily file, asked with its file name (<c>audit-YYYY-MM-DD.ndjson</c>);
    /// null: every expired file may go. Retention deletes only the oldest run of expired files this allows and keeps
    /// the first one it refuses and every newer one, so the kept log still starts where its anchor says. Set it to
    /// <see cref="Sec0.ControlPlane.AuditUploader.CanDelete"/> to keep files until their upload is confirmed. Called on
    /// the appender's writer thread at start-up and at each day's rotation: it must be thread-safe; an exception counts as no.
    /// </summary>
    public Func<string, bool>? CanDeleteFile { get; set; }

    /// <summary>The clock (tests use a fake one); default <see cref="System.TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where recovery and write failures are logged, besides reaching the callers.</summary>
    public ILogger? Logger { get; set; }
}
