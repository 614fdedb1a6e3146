namespace Sec0.Audit;

/// <summary>The names of <see cref="AuditSigningMode"/> in config (<c>audit.signing</c>) and in the log (<c>signing</c>).</summary>
internal static class AuditSigningModes
{
    public const string PerEnvelope = "per_envelope";
    public const string Checkpoint = "checkpoint";

    public static string Name(AuditSigningMode mode) => mode == AuditSigningMode.Checkpoint ? Checkpoint : PerEnvelope;

    public static bool TryParse(string? name, out AuditSigningMode mode)
    {
        switch (name)
        {
            case PerEnvelope:
                mode = AuditSigningMode.PerEnvelope;
                return true;
            case Checkpoint:
                mode = AuditSigningMode.Checkpoint;
                return true;
            default:
                mode = default;
                return false;
        }
    }
}
