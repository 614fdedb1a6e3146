using System.Diagnostics;

namespace Sec0.Hops;

/// <summary>
/// The process-wide runtime behind <see cref="HopRuntime"/>: one per initialized Sec0 app.
/// </summary>
internal abstract class HopHost
{
    private static volatile HopHost? s_current;

    /// <summary>The host generated interceptors use; set by <c>Sec0App.Initialize</c> and <c>AddSec0</c>.</summary>
    internal static HopHost? Current
    {
        get => s_current;
        set => s_current = value;
    }

    internal static Sec0Exception NotInitialized() => new(
        "NOT_INITIALIZED",
        "[sec0] Sec0 is not initialized. Call Sec0App.Initialize(\"sec0.config.yaml\") at start-up, or services.AddSec0() in a host, before calling a [Sec0Hop] method.");

    /// <summary>Resolves, decides and starts the hop; throws when it is denied (escalations included).</summary>
    internal abstract HopInvocation Begin(HopDescriptor descriptor);

    /// <summary>
    /// As <see cref="Begin"/>, except that a call the decision escalates, when approvals are configured, comes back
    /// <see cref="HopInvocation.IsEscalated"/> for the caller to pass its arguments to <see cref="Escalate"/>.
    /// </summary>
    internal virtual HopInvocation BeginEscalable(HopDescriptor descriptor) => Begin(descriptor);

    /// <summary>An escalated call with its arguments: throws its denial, or returns the started call when an approval lets it run.</summary>
    internal virtual HopInvocation Escalate(in HopInvocation escalated, HopArguments arguments)
        => throw new InvalidOperationException("[sec0] This hop call was not escalated.");

    /// <summary>
    /// Decides and audits a call that reached the hop's <c>HopGuard.Enter()</c> without a decision by its
    /// interceptor (reason <c>unintercepted_call</c>); throws when it is denied.
    /// </summary>
    internal abstract void DecideUnintercepted(HopDescriptor descriptor);

    /// <summary>Records the outcome of a started hop (error is null on success).</summary>
    internal abstract void End(in HopInvocation invocation, Exception? error);

    /// <summary>
    /// Called when an asynchronous hop method has returned its task to the caller: the caller continues
    /// outside the hop, so ambient state the hop set (its Activity, its agent frame) is restored.
    /// </summary>
    internal virtual void DetachFromCaller(in HopInvocation invocation)
    {
        if (invocation.Activity is not null && Activity.Current == invocation.Activity)
        {
            Activity.Current = invocation.ParentActivity;
        }
    }

    /// <summary>Creates the value handed to generated code.</summary>
    protected static HopInvocation Create(HopHost host, HopDescriptor descriptor, object? state, long startTimestamp, Activity? activity, Activity? parentActivity)
        => new(host, descriptor, state, startTimestamp, activity, parentActivity);
}
