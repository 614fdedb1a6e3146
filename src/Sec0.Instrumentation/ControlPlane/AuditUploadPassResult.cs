namespace Sec0.ControlPlane;

/// <summary>What one pass of <see cref="AuditUploader.UploadPendingAsync"/> did.</summary>
/// <param name="Uploaded">The files uploaded and confirmed in this pass, oldest first.</param>
/// <param name="Failed">The files still not uploaded: each is tried again at the next pass and kept until then.</param>
/// <param name="AlreadyUploaded">How many closed files had been uploaded before, with the content they have now.</param>
public sealed record AuditUploadPassResult(IReadOnlyList<AuditUploadedFile> Uploaded, IReadOnlyList<AuditUploadFailure> Failed, int AlreadyUploaded)
{
    /// <summary>True when every closed file is uploaded.</summary>
    public bool IsComplete => Failed.Count == 0;
}
