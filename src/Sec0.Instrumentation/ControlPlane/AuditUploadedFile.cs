namespace Sec0.ControlPlane;

/// <summary>A daily audit file whose upload the storage confirmed (answered 2xx to the <c>PUT</c>).</summary>
/// <param name="FileName">The file's name, <c>audit-YYYY-MM-DD.ndjson</c>.</param>
/// <param name="ObjectKey">The key it was uploaded under.</param>
/// <param name="Length">How many bytes were uploaded.</param>
/// <param name="Sha256">The lowercase SHA-256 hex of those bytes.</param>
public sealed record AuditUploadedFile(string FileName, string ObjectKey, long Length, string Sha256);
