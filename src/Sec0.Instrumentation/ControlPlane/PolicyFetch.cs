namespace Sec0.ControlPlane;

/// <summary>What <see cref="ControlPlaneClient.GetPolicyAsync"/> got: new policy text, or "not modified".</summary>
public sealed record PolicyFetch
{
    private PolicyFetch(bool isNotModified, string? yaml, string? etag)
    {
        IsNotModified = isNotModified;
        Yaml = yaml;
        ETag = etag;
    }

    /// <summary>The control plane answered 304: the policy with <see cref="ETag"/> is still current.</summary>
    public bool IsNotModified { get; }

    /// <summary>The policy YAML; null when <see cref="IsNotModified"/>.</summary>
    public string? Yaml { get; }

    /// <summary>The entity tag to send as <c>If-None-Match</c> next time; null when the control plane sent none.</summary>
    public string? ETag { get; }

    internal static PolicyFetch NotModified(string? etag) => new(true, null, etag);

    internal static PolicyFetch Changed(string yaml, string? etag) => new(false, yaml, etag);
}
