namespace Sec0.Instrumentation.Tests.Hops;

/// <summary>
/// The <c>[Sec0Hop]</c> methods the escalation tests call through their generated interceptors. Every run of a body is
/// counted, so a test sees whether (and how often) it ran.
/// </summary>
public sealed class Ledger
{
    private int _transfers;
    private int _refunds;
    private int _notifications;

    /// <summary>How many times a transfer body ran.</summary>
    public int Transfers => Volatile.Read(ref _transfers);

    /// <summary>How many times the refund body ran.</summary>
    public int Refunds => Volatile.Read(ref _refunds);

    /// <summary>How many times the notify body ran.</summary>
    public int Notifications => Volatile.Read(ref _notifications);

    [Sec0Hop]
    public string Transfer(string account, decimal amount)
    {
        Interlocked.Increment(ref _transfers);
        return $"sent {amount} to {account}";
    }

    [Sec0Hop]
    public async Task<string> TransferAsync(string account, decimal amount, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _transfers);
        return $"sent {amount} to {account}";
    }

    [Sec0Hop]
    public string Refund(string account, decimal amount)
    {
        Interlocked.Increment(ref _refunds);
        return $"refunded {amount} to {account}";
    }

    /// <summary>A transfer that makes another hop call from its body.</summary>
    [Sec0Hop]
    public string TransferAndNotify(string account, decimal amount)
    {
        Interlocked.Increment(ref _transfers);
        return Notify(account);
    }

    [Sec0Hop]
    public string Notify(string account)
    {
        Interlocked.Increment(ref _notifications);
        return "notified " + account;
    }
}
