namespace Sec0;

/// <summary>
/// One <see cref="Sec0Approvals.UseToken"/>: the token and whether an approved call has spent it. Shared by the work
/// started inside the scope, so it is spent once for all of it.
/// </summary>
internal sealed class ApprovalTokenScope : IDisposable
{
    private int _spent;

    public ApprovalTokenScope(string token, ApprovalTokenScope? previous)
    {
        Token = token;
        Previous = previous;
    }

    public string Token { get; }

    /// <summary>The scope this one is nested in, restored when this one ends.</summary>
    public ApprovalTokenScope? Previous { get; }

    /// <summary>True once a call ran on the token: later calls in the scope (and the call's own hops) no longer present it.</summary>
    public bool IsSpent => Volatile.Read(ref _spent) != 0;

    public void MarkSpent() => Volatile.Write(ref _spent, 1);

    public void Dispose() => Sec0Approvals.End(this);
}
