namespace Sec0;

/// <summary>
/// Retrying an escalated <c>[Sec0Hop]</c> call once it is approved (docs/approvals.md, "Escalated hop calls"):
/// <code>
/// using (Sec0Approvals.UseToken(grant.Token!))
/// {
///     transfers.Send(order);   // the approved call: runs once
/// }
/// </code>
/// </summary>
public static class Sec0Approvals
{
    private static readonly AsyncLocal<ApprovalTokenScope?> s_scope = new();

    /// <summary>The innermost token scope of this asynchronous flow; null outside one.</summary>
    internal static ApprovalTokenScope? Current => s_scope.Value;

    /// <summary>
    /// Presents <paramref name="token"/> (from <see cref="Approvals.ApprovalService.WaitForApprovalAsync"/>) with the
    /// escalated hop calls made in this asynchronous flow until the scope is disposed. Calls the policy allows never
    /// look at it. The first escalated call it was approved for (same hop, node and arguments) spends it and runs; the
    /// body of that call, and every later call in the scope, no longer see it, so a hop the approved call makes gets an
    /// escalation of its own. A token that does not fit a call is refused with a <see cref="Sec0PolicyDeniedException"/>
    /// (code <see cref="Sec0PolicyDeniedException.ApprovalTokenRefusedCode"/>, violation <c>approval_token_&lt;refusal&gt;</c>),
    /// recorded, and stays valid for the call it was approved for.
    /// </summary>
    /// <remarks>
    /// The scope is an <see cref="AsyncLocal{T}"/>: it flows into work started inside it (awaits, <c>Task.Run</c>), and a
    /// scope opened inside an <c>async</c> method does not reach that method's caller.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="token"/> is null or blank.</exception>
    public static IDisposable UseToken(string token)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        var scope = new ApprovalTokenScope(token, s_scope.Value);
        s_scope.Value = scope;
        return scope;
    }

    /// <summary>Ends <paramref name="scope"/> when it is the innermost one of this flow (disposing an outer scope first ends the inner ones too).</summary>
    internal static void End(ApprovalTokenScope scope)
    {
        for (var current = s_scope.Value; current is not null; current = current.Previous)
        {
            if (ReferenceEquals(current, scope))
            {
                s_scope.Value = scope.Previous;
                return;
            }
        }
    }
}
