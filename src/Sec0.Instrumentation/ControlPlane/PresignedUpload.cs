using System.Text.Json;

namespace Sec0.ControlPlane;

/// <summary>Where to <c>PUT</c> one object, as <c>POST /api/sec0/upload-url</c> answers.</summary>
/// <param name="Url">The presigned URL.</param>
/// <param name="Headers">Headers the PUT must carry.</param>
public sealed record PresignedUpload(Uri Url, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    internal static PresignedUpload? Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("url", out var u) || u.ValueKind != JsonValueKind.String
            || !Uri.TryCreate(u.GetString(), UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            return null;
        }

        var headers = new List<KeyValuePair<string, string>>();
        if (root.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in h.EnumerateObject())
            {
                // Only what object stores sign into a presigned PUT: the control plane must not set arbitrary headers
                // (Authorization, Host, Cookie...) on a request the app sends wherever the URL points.
                if (p.Value.ValueKind == JsonValueKind.String && IsStorageHeader(p.Name))
                {
                    headers.Add(new(p.Name, p.Value.GetString()!));
                }
            }
        }

        return new PresignedUpload(url, headers);
    }

    private static bool IsStorageHeader(string name) =>
        name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("x-goog-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase)
        || name.Equals("content-type", StringComparison.OrdinalIgnoreCase)
        || name.Equals("content-md5", StringComparison.OrdinalIgnoreCase)
        || name.Equals("cache-control", StringComparison.OrdinalIgnoreCase);
}
