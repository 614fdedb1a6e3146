namespace Sec0.Audit;

/// <summary>How durable an append is when it completes.</summary>
public enum AuditFlushMode
{
    /// <summary>Written to the operating system per batch; fsync only at rotation and close. Survives a process crash, not a power loss.</summary>
    None = 0,

    /// <summary>Written per batch and fsynced in the background at most every 100 ms; an append completes once written.</summary>
    Batch = 1,

    /// <summary>An append completes only after the batch holding it was fsynced (group commit).</summary>
    Always = 2,
}
