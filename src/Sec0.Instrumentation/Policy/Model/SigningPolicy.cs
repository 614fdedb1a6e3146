namespace Sec0.Policy;

/// <summary>The policy's <c>signing</c> block.</summary>
public sealed record SigningPolicy
{
    /// <summary>Signing on, with no key ref (the config's <c>controlPlane.localSignerPath</c> is used).</summary>
    public static SigningPolicy Default { get; } = new();

    /// <summary><c>enabled</c> (default true): audit envelopes are signed.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary><c>key_ref</c>: a <c>file://</c> key reference, or null to use the config's signer path.</summary>
    public string? KeyRef { get; init; }
}
