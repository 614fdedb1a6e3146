namespace Sec0.ControlPlane;

/// <summary>
/// Which URLs Sec0 sends control-plane credentials and audit files to: https, or http on the loopback interface only. Plain
/// http elsewhere would hand the API key, the policy and approvals to anyone on the path; set
/// <c>SEC0_CONTROL_PLANE_ALLOW_HTTP=1</c> to accept it on a network you trust (a container network, say).
/// </summary>
internal static class ControlPlaneTransport
{
    /// <summary>The environment variable that allows plain http to hosts other than loopback.</summary>
    public const string AllowHttpVariable = "SEC0_CONTROL_PLANE_ALLOW_HTTP";

    /// <summary>Null when <paramref name="url"/> may be used; otherwise what is wrong with it and how to fix it.</summary>
    public static string? Problem(Uri url, string what)
    {
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            return $"{what} \"{ControlPlaneErrors.Redact(url)}\" is not an absolute http or https URL";
        }

        if (url.Scheme == Uri.UriSchemeHttp && !url.IsLoopback && !AllowHttp())
        {
            return $"{what} \"{ControlPlaneErrors.Redact(url)}\" uses plain http, which would send the API key and the policy unencrypted: use https (http is accepted for 127.0.0.1, [::1] and localhost), or set {AllowHttpVariable}=1 on a network you trust";
        }

        return null;
    }

    private static bool AllowHttp() =>
        Environment.GetEnvironmentVariable(AllowHttpVariable)?.Trim().ToLowerInvariant() is "1" or "true";
}
