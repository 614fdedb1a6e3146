namespace Sec0.Gateway;

/// <summary>Where and as whom <see cref="Sec0GatewayClient"/> calls the gateway.</summary>
public sealed class Sec0GatewayClientOptions
{
    /// <summary>The gateway's base URL, e.g. <c>http://127.0.0.1:8088/</c>. Required.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>The <c>Authorization</c> header value, e.g. <c>Bearer &lt;service token&gt;</c>; null sends none.</summary>
    public string? AuthHeader { get; set; }

    /// <summary>Sent as <c>x-tenant</c> when set; the gateway refuses it unless it is the credential's tenant.</summary>
    public string? Tenant { get; set; }
}
