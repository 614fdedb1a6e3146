using Microsoft.Extensions.Logging;

namespace Sec0.Scanning;

/// <summary>The scanners' log messages. Event ids 5000-5099 (docs/logging.md).</summary>
internal static partial class ScanLogMessages
{
    [LoggerMessage(EventId = 5001, EventName = "SastVerdictsNotSaved", Level = LogLevel.Warning,
        Message = "[sec0] The SAST verdicts could not be saved; the next start rescans.")]
    public static partial void SastVerdictsNotSaved(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5002, EventName = "HopHashesNotSaved", Level = LogLevel.Warning,
        Message = "[sec0] The saved set of hop hashes could not be updated; rescanning every hop.")]
    public static partial void HopHashesNotSaved(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5003, EventName = "HopManifestUnreadable", Level = LogLevel.Warning,
        Message = "[sec0] The hop manifest of {Assembly} could not be read; hops are scanned at their first call.")]
    public static partial void HopManifestUnreadable(this ILogger logger, Exception exception, string assembly);

    [LoggerMessage(EventId = 5004, EventName = "ScanEndedInError", Level = LogLevel.Warning,
        Message = "[sec0] {Kind} scan of {Key} ended in error: {Error}")]
    public static partial void ScanEndedInError(this ILogger logger, string kind, string key, string? error);
}
