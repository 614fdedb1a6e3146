using Microsoft.IdentityModel.Protocols;

namespace Sec0.Gateway.Auth;

/// <summary>
/// Fetches the issuer's discovery and JWKS documents over https, or plain http only to a loopback host. The rule
/// is checked for every address, so a discovery document cannot point the keys at a plain-http remote host.
/// </summary>
internal sealed class OidcDocumentRetriever(HttpClient httpClient) : IDocumentRetriever
{
    // A JWKS or discovery document is a few KiB; anything far larger is not one.
    internal const int MaxDocumentBytes = 1024 * 1024;

    public static bool IsAllowed(Uri address)
        => address.IsAbsoluteUri
           && (address.Scheme == Uri.UriSchemeHttps || (address.Scheme == Uri.UriSchemeHttp && address.IsLoopback));

    public async Task<string> GetDocumentAsync(string address, CancellationToken cancel)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || !IsAllowed(uri))
        {
            throw new InvalidOperationException("The issuer document address must be https (plain http only to a loopback host).");
        }

        using var response = await httpClient.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"The issuer document fetch returned HTTP {(int)response.StatusCode}.", null, response.StatusCode);
        }

        if (response.Content.Headers.ContentLength > MaxDocumentBytes)
        {
            throw new HttpRequestException("The issuer document is too large.");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancel).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxDocumentBytes)
            {
                throw new HttpRequestException("The issuer document is too large.");
            }

            buffer.Write(chunk, 0, read);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
