using Microsoft.Extensions.Logging;
using Sec0.Config;
using Sec0.Signing;

namespace Sec0.Audit;

/// <summary>
/// Opens the signed audit log a <c>sec0.config.yaml</c> describes: its key (<c>controlPlane.localSignerPath</c>) and
/// its appender (<c>controlPlane.appenderDir</c>, the <c>audit</c> block). The one place the app, the gateway and
/// anything else started from the config open their log, so they open it the same way.
/// </summary>
internal static class ConfiguredAuditLog
{
    /// <summary>Loads (or creates) the key and opens the appender; the caller owns and disposes both.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="createKeyIfMissing">Create an Ed25519 key when the key file is missing.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">Where to log.</param>
    /// <param name="environment">Environment variables, for the key's allowed directories.</param>
    /// <param name="canDeleteFile">
    /// <see cref="AuditAppenderOptions.CanDeleteFile"/>: with audit upload, <see cref="Sec0.ControlPlane.AuditUploader.CanDelete"/>, so
    /// retention keeps files until their upload is confirmed.
    /// </param>
    /// <exception cref="Sec0SignerException">The signing key can't be loaded.</exception>
    /// <exception cref="Sec0AuditException">The audit directory can't be opened or is in use.</exception>
    public static (AuditSigner Signer, AuditAppender Appender) Open(Sec0Config config, bool createKeyIfMissing, TimeProvider timeProvider, ILogger? logger, Func<string, string?>? environment, Func<string, bool>? canDeleteFile = null)
    {
        var keyPath = config.ControlPlane.LocalSignerPath;
        AuditSigner signer;
        if (createKeyIfMissing && !File.Exists(keyPath))
        {
            signer = SigningKeyFile.Create(keyPath, SigningAlgorithm.Ed25519);
            logger?.AuditSigningKeyCreated(keyPath);
        }
        else
        {
            signer = LocalDevSigner.FromFile(keyPath, config.Directory, logger, environment);
        }

        try
        {
            var appender = AuditAppender.Open(new AuditAppenderOptions
            {
                Directory = config.ControlPlane.AppenderDir,
                Signer = signer,
                Flush = config.Audit.Flush,
                SigningMode = config.Audit.Signing,
                CheckpointEvery = config.Audit.CheckpointEvery,
                CheckpointInterval = TimeSpan.FromMilliseconds(config.Audit.CheckpointIntervalMs),
                ChannelCapacity = config.Audit.ChannelCapacity,
                RetentionDays = config.ControlPlane.RetentionDays,
                CanDeleteFile = canDeleteFile,
                TimeProvider = timeProvider,
                Logger = logger,
            });
            return (signer, appender);
        }
        catch
        {
            signer.Dispose();
            throw;
        }
    }
}
