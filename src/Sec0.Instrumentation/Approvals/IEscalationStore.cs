namespace Sec0.Approvals;

/// <summary>
/// Where escalations live, shared by every process that decides them (the app, the CLI, the reviewer page, gateway
/// replicas). Every change is a read-decide-write under the store's lock, so two reviewers voting at once, or a vote
/// racing the timeout, are decided one after the other.
/// </summary>
public interface IEscalationStore
{
    /// <summary>Stores a new escalation.</summary>
    /// <exception cref="InvalidOperationException">An escalation with that id exists.</exception>
    Task CreateAsync(Escalation escalation, CancellationToken cancellationToken);

    /// <summary>The escalation as last stored; null when there is none with that id (or the id is not an escalation id).</summary>
    Task<Escalation?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Every escalation, newest first.</summary>
    Task<IReadOnlyList<Escalation>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Reads the escalation, applies <paramref name="change"/> and stores what it returns, under the store's lock;
    /// <paramref name="change"/> returns null to store nothing. A stored change is durable when this returns.
    /// </summary>
    /// <returns>The escalation before and after (the same when nothing changed); null when there is none with that id.</returns>
    Task<(Escalation Before, Escalation After)?> UpdateAsync(string id, Func<Escalation, Escalation?> change, CancellationToken cancellationToken);

    /// <summary>Deletes the escalation when <paramref name="when"/> holds for it, under the store's lock.</summary>
    /// <returns>Whether it was deleted.</returns>
    Task<bool> DeleteAsync(string id, Func<Escalation, bool> when, CancellationToken cancellationToken);
}
