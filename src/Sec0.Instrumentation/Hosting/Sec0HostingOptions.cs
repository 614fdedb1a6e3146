namespace Sec0.Hosting;

/// <summary>Options of <see cref="Microsoft.Extensions.DependencyInjection.Sec0ServiceCollectionExtensions.AddSec0"/>.</summary>
public sealed class Sec0HostingOptions
{
    /// <summary>The config file; a relative path resolves against the host's content root. Default <c>sec0.config.yaml</c>.</summary>
    public string ConfigPath { get; set; } = "sec0.config.yaml";

    /// <summary>Create an Ed25519 key when none exists at <c>controlPlane.localSignerPath</c> (development only).</summary>
    public bool CreateSigningKeyIfMissing { get; set; }
}
