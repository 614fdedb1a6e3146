namespace Sec0.ControlPlane;

/// <summary>The actions a remote engine may answer with.</summary>
internal enum RemoteAction
{
    Allow,
    Deny,
    Escalate,
    Clarify,
}
