using Microsoft.Extensions.Logging;

namespace Sec0;

/// <summary>Options of <see cref="Sec0App.Initialize(string, Sec0AppOptions?)"/>.</summary>
public sealed class Sec0AppOptions
{
    /// <summary>Where Sec0 logs recovery, retention and audit failures. Optional.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The clock of envelope timestamps; default <see cref="System.TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Environment-variable lookup (tests pass their own); default the process environment.</summary>
    public Func<string, string?>? Environment { get; set; }

    /// <summary>
    /// Create an Ed25519 key at <c>controlPlane.localSignerPath</c> (mode 0600) when none exists, as the
    /// quickstart does. Off by default: a missing key is an error in production.
    /// </summary>
    public bool CreateSigningKeyIfMissing { get; set; }
}
