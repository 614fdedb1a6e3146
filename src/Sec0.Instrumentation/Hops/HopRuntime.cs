namespace Sec0.Hops;

/// <summary>
/// The entry point generated interceptors call. <see cref="Begin"/> resolves the hop's config, decides
/// before the call (a denied hop throws and does not run) and starts the hop's Activity; the returned
/// <see cref="HopInvocation"/> records the outcome as one audit envelope.
/// </summary>
public static class HopRuntime
{
    /// <summary>Starts one hop call. Throws <see cref="Sec0PolicyDeniedException"/> when policy denies it.</summary>
    /// <exception cref="Sec0Exception">Sec0 is not initialized, the hop has no config entry, or it is denied.</exception>
    public static HopInvocation Begin(HopDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var host = HopHost.Current ?? throw HopHost.NotInitialized();
        return host.Begin(descriptor);
    }

    /// <summary>
    /// Starts one hop call whose caller can supply its arguments: as <see cref="Begin"/>, except that when the decision
    /// escalates the call and the app has approvals (<see cref="Sec0App.Approvals"/>), the result is
    /// <see cref="HopInvocation.IsEscalated"/> and the caller must pass the call's arguments to
    /// <see cref="HopInvocation.Escalate"/> before anything else. Allowed calls cost what <see cref="Begin"/> costs: the
    /// arguments are only gathered, serialised and hashed on the escalation path.
    /// </summary>
    /// <exception cref="Sec0Exception">Sec0 is not initialized, the hop has no config entry, or it is denied.</exception>
    public static HopInvocation BeginEscalable(HopDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var host = HopHost.Current ?? throw HopHost.NotInitialized();
        return host.BeginEscalable(descriptor);
    }
}
