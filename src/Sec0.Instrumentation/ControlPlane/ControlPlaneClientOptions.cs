namespace Sec0.ControlPlane;

/// <summary>How <see cref="ControlPlaneClient"/> reaches the control plane.</summary>
public sealed class ControlPlaneClientOptions
{
    /// <summary>The default time one request may take: as long as the TypeScript SDK's identity calls allow.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(4);

    /// <summary>The control plane's base URL (<c>controlPlane.apiBaseUrl</c> or <c>SEC0_CONTROL_PLANE_URL</c>); http or https.</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>The API key (<c>auth.sec0ApiKey</c>, <c>SEC0_API_KEY</c> or <c>SEC0_BEARER_TOKEN</c>).</summary>
    public required string ApiKey { get; init; }

    /// <summary>The longest one request may take, connection included (default 4 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = DefaultRequestTimeout;

    /// <summary>The handler requests go through; null for a private <see cref="SocketsHttpHandler"/> that follows no redirects.</summary>
    public HttpMessageHandler? Handler { get; init; }
}
