namespace Sec0.ControlPlane;

/// <summary>A closed daily file a pass is to upload, as measured before the first attempt.</summary>
/// <param name="Name">Its name, <c>audit-YYYY-MM-DD.ndjson</c>.</param>
/// <param name="Day">Its day.</param>
/// <param name="Path">Its full path.</param>
/// <param name="Length">Its length.</param>
/// <param name="Sha256">The SHA-256 hex of those bytes.</param>
/// <param name="LastWriteUtc">Its last-write time, taken before it was read.</param>
internal sealed record AuditUploadCandidate(string Name, DateOnly Day, string Path, long Length, string Sha256, DateTime LastWriteUtc);
