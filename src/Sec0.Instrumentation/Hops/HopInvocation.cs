using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Sec0.Hops;

/// <summary>
/// One started hop call, returned by <see cref="HopRuntime.Begin"/>. Generated code calls exactly one of
/// <see cref="Complete"/>, <see cref="Fail"/> or a <c>CompleteAfter</c> overload. A value type so the
/// synchronous path allocates nothing beyond the audit envelope and the frame of the running call.
/// </summary>
public readonly struct HopInvocation
{
    private readonly HopHost? _host;

    internal HopInvocation(HopHost host, HopDescriptor descriptor, object? state, long startTimestamp, Activity? activity, Activity? parentActivity)
    {
        _host = host;
        Descriptor = descriptor;
        State = state;
        StartTimestamp = startTimestamp;
        Activity = activity;
        ParentActivity = parentActivity;
    }

    /// <summary>The hop being called.</summary>
    public HopDescriptor Descriptor { get; }

    internal object? State { get; }

    internal long StartTimestamp { get; }

    internal Activity? Activity { get; }

    internal Activity? ParentActivity { get; }

    /// <summary>
    /// True when the decision escalated the call (only from <see cref="HopRuntime.BeginEscalable"/>, with approvals
    /// configured): the call has not started, and the caller must pass its arguments to <see cref="Escalate"/>, which
    /// refuses it or, with an approval token for exactly this call, starts it.
    /// </summary>
    public bool IsEscalated => State is PendingEscalation;

    /// <summary>
    /// Binds the escalated call to its <paramref name="arguments"/> (SHA-256 of their canonical JSON) and either spends
    /// the approval token of the surrounding <see cref="Sec0Approvals.UseToken"/> scope and returns the started call, or
    /// creates the escalation and throws its <see cref="Sec0PolicyDeniedException"/>
    /// (<see cref="Sec0PolicyDeniedException.EscalationId"/>, <see cref="Sec0PolicyDeniedException.EscalationStatus"/>).
    /// </summary>
    /// <remarks>
    /// Creating the escalation or spending the token is I/O on the approvals store; it happens on this thread, also for
    /// asynchronous hops, because it is on the escalation path only and the interceptor is synchronous up to the call.
    /// </remarks>
    /// <exception cref="Sec0PolicyDeniedException">The call is refused: escalated, or its approval token does not fit.</exception>
    /// <exception cref="InvalidOperationException">The call is not <see cref="IsEscalated"/>, or this was called already.</exception>
    public HopInvocation Escalate(HopArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return _host is not null && IsEscalated
            ? _host.Escalate(this, arguments)
            : throw new InvalidOperationException("[sec0] This hop call was not escalated.");
    }

    /// <summary>Records a successful synchronous call.</summary>
    public void Complete() => _host?.End(this, null);

    /// <summary>
    /// Records a failed call and returns false, so generated code can use it in an exception filter
    /// (<c>catch (Exception e) when (hop.Fail(e))</c>) and the original exception propagates untouched.
    /// </summary>
    public bool Fail(Exception exception)
    {
        _host?.End(this, exception);
        return false;
    }

    /// <summary>
    /// Right before the hop method is invoked: tells the hop's <c>HopGuard.Enter()</c> that this call is
    /// decided. Generated code passes the result to <see cref="Disarm"/> in a <c>finally</c> right after the
    /// method returns, so the mark never outlives the call.
    /// </summary>
    /// <exception cref="InvalidOperationException">The call <see cref="IsEscalated"/> and was not passed to <see cref="Escalate"/>: it must not run.</exception>
    public HopGuardMark Arm() => State is PendingEscalation
        ? throw new InvalidOperationException("[sec0] An escalated hop call must be passed to Escalate before it runs.")
        : new(HopGuard.Arm(Descriptor));

    /// <summary>Undoes <see cref="Arm"/> once the hop method has returned (normally or by an exception).</summary>
    public void Disarm(HopGuardMark mark) => HopGuard.Restore(mark.Previous);

    /// <summary>
    /// The result of a hop that returns a sequence. When it is an iterator (<c>yield return</c>), whose body
    /// and guard run at the first <c>MoveNext</c> rather than in the call, each enumeration arms the hop's guard
    /// around its first <c>MoveNext</c>, as the call that created it was decided. Any other sequence is
    /// returned as it is.
    /// </summary>
    public IEnumerable<T> ArmIterator<T>(IEnumerable<T> result)
        => result is null || !CompilerIterators.IsIterator(result) ? result! : new ArmedEnumerable<T>(result, Descriptor);

    /// <summary>The <see cref="IEnumerator{T}"/> form of <see cref="ArmIterator{T}(IEnumerable{T})"/>.</summary>
    public IEnumerator<T> ArmIterator<T>(IEnumerator<T> result)
        => result is null || !CompilerIterators.IsIterator(result) ? result! : new ArmedEnumerator<T>(result, Descriptor);

    /// <summary>
    /// Right after an asynchronous hop method returned its task: the caller continues outside the hop,
    /// so the hop's ambient state (Activity.Current, agent frame) belongs to the asynchronous flow only.
    /// </summary>
    private void DetachFromCaller() => _host?.DetachFromCaller(this);

    /// <summary>Records the call when <paramref name="task"/> completes.</summary>
    public Task CompleteAfter(Task task)
    {
        DetachFromCaller();
        if (task.IsCompletedSuccessfully)
        {
            Complete();
            return task;
        }

        return AwaitTask(task);
    }

    /// <summary>Records the call when <paramref name="task"/> completes.</summary>
    public Task<T> CompleteAfter<T>(Task<T> task)
    {
        DetachFromCaller();
        if (task.IsCompletedSuccessfully)
        {
            Complete();
            return task;
        }

        return AwaitTask(task);
    }

    /// <summary>Records the call when <paramref name="task"/> completes.</summary>
    public ValueTask CompleteAfter(ValueTask task)
    {
        DetachFromCaller();
        if (task.IsCompletedSuccessfully)
        {
            Complete();
            return task;
        }

        return AwaitValueTask(task);
    }

    /// <summary>Records the call when <paramref name="task"/> completes.</summary>
    public ValueTask<T> CompleteAfter<T>(ValueTask<T> task)
    {
        DetachFromCaller();
        if (task.IsCompletedSuccessfully)
        {
            Complete();
            return task;
        }

        return AwaitValueTask(task);
    }

    /// <summary>Records the call when the enumeration of <paramref name="source"/> ends (completed, failed or disposed early).</summary>
    public IAsyncEnumerable<T> CompleteAfter<T>(IAsyncEnumerable<T> source)
    {
        DetachFromCaller();
        return Enumerate(source, this);
    }

    private async Task AwaitTask(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (Fail(ex))
        {
            throw;
        }

        Complete();
    }

    private async Task<T> AwaitTask<T>(Task<T> task)
    {
        T result;
        try
        {
            result = await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (Fail(ex))
        {
            throw;
        }

        Complete();
        return result;
    }

    private async ValueTask AwaitValueTask(ValueTask task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (Fail(ex))
        {
            throw;
        }

        Complete();
    }

    private async ValueTask<T> AwaitValueTask<T>(ValueTask<T> task)
    {
        T result;
        try
        {
            result = await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (Fail(ex))
        {
            throw;
        }

        Complete();
        return result;
    }

    private static async IAsyncEnumerable<T> Enumerate<T>(IAsyncEnumerable<T> source, HopInvocation hop, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var enumerator = source.GetAsyncEnumerator(cancellationToken);
        var recorded = false;
        var first = true;
        try
        {
            while (true)
            {
                bool hasNext;
                try
                {
                    hasNext = await (first ? MoveNextArmed(enumerator, hop) : enumerator.MoveNextAsync()).ConfigureAwait(false);
                    first = false;
                }
                catch (Exception ex) when (!recorded && (recorded = true) && hop.Fail(ex))
                {
                    throw;
                }

                if (!hasNext)
                {
                    break;
                }

                yield return enumerator.Current;
            }

            recorded = true;
            hop.Complete();
        }
        finally
        {
            // Ended early by the consumer (break / dispose): still one envelope for the call.
            if (!recorded)
            {
                hop.Complete();
            }

            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>An async iterator's body starts synchronously in its first <c>MoveNextAsync</c>: its guard sees the mark there.</summary>
    private static ValueTask<bool> MoveNextArmed<T>(IAsyncEnumerator<T> enumerator, HopInvocation hop)
    {
        var mark = hop.Arm();
        try
        {
            return enumerator.MoveNextAsync();
        }
        finally
        {
            hop.Disarm(mark);
        }
    }
}
