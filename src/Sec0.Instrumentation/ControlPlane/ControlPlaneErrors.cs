using System.Text;

namespace Sec0.ControlPlane;

/// <summary>
/// The control-plane error texts, in one place. The first words of each are the ones Sec0's docs give users to
/// search for ("API key validation failed", "controlPlaneUrl could not be resolved", "Policy fetch fails").
/// </summary>
internal static class ControlPlaneErrors
{
    public const string UploadOperation = "audit upload";

    /// <summary>A URL for messages without user info and query: a presigned URL's query is its credential.</summary>
    public static string Redact(Uri? url) =>
        url is null ? string.Empty : url.IsAbsoluteUri ? url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped) : "(a relative URL)";

    public static ControlPlaneException UrlUnresolved(string feature) =>
        new(ControlPlaneException.NotConfiguredCode, $"[sec0] controlPlaneUrl could not be resolved: set SEC0_CONTROL_PLANE_URL or controlPlane.apiBaseUrl ({feature} needs the control plane).");

    public static ControlPlaneException ApiKeyMissing(string feature) =>
        new(ControlPlaneException.NotConfiguredCode, $"[sec0] Policy fetch fails without an API key: set auth.sec0ApiKey (or SEC0_API_KEY, or SEC0_BEARER_TOKEN) when using {feature}.");

    public static ControlPlaneException Status(string operation, HttpRequestMessage request, int status, string detail)
    {
        var body = detail.Length == 0 ? string.Empty : $": {detail}";
        if (operation == UploadOperation && status is 401 or 403)
        {
            // Presigned URLs expire; a fresh one may succeed.
            return new ControlPlaneException(ControlPlaneException.UnavailableCode, $"[sec0] {operation} failed: the storage refused the presigned upload ({request.Method} {Redact(request.RequestUri)} answered {status}{body}).", status, true);
        }

        if (status is 401 or 403)
        {
            var text = operation == "API key validation"
                ? $"[sec0] API key validation failed: verify your SEC0_API_KEY is valid and the control plane is reachable ({request.Method} {Redact(request.RequestUri)} answered {status}{body})."
                : $"[sec0] {operation} failed: the control plane refused the API key ({request.Method} {Redact(request.RequestUri)} answered {status}{body}); verify your SEC0_API_KEY.";
            return new ControlPlaneException(ControlPlaneException.UnauthorizedCode, text, status, false);
        }

        var retryable = status is 408 or 429 || status >= 500;
        var prefix = operation == "API key validation"
            ? "[sec0] API key validation failed: verify your SEC0_API_KEY is valid and the control plane is reachable"
            : $"[sec0] {operation} failed";
        return new ControlPlaneException(
            retryable ? ControlPlaneException.UnavailableCode : ControlPlaneException.BadResponseCode,
            $"{prefix} ({request.Method} {Redact(request.RequestUri)} answered {status}{body}).",
            status,
            retryable);
    }

    /// <summary>A response body fit for a log line: control characters replaced, at most <paramref name="max"/> characters.</summary>
    public static string Printable(string text, int max)
    {
        var builder = new StringBuilder(Math.Min(text.Length, max));
        foreach (var c in text)
        {
            if (builder.Length >= max)
            {
                builder.Append('…');
                break;
            }

            builder.Append(char.IsControl(c) ? ' ' : c);
        }

        return builder.ToString().Trim();
    }
}
