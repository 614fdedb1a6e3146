namespace Sec0.ControlPlane;

/// <summary>What the remote engine decided, and why.</summary>
internal readonly record struct RemoteAnswer(RemoteAction Action, string? Reason);
