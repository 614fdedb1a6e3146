using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Sec0.Gateway.Auth;

/// <summary>
/// Reads a bare JWKS document (the SDK's <c>jwks_uri</c>) into an <see cref="OpenIdConnectConfiguration"/>, so a
/// <see cref="ConfigurationManager{T}"/> can cache and refresh it like a discovery document.
/// </summary>
internal sealed class JwksConfigurationRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
{
    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
    {
        var document = await retriever.GetDocumentAsync(address, cancel).ConfigureAwait(false);
        var keys = new JsonWebKeySet(document);
        var configuration = new OpenIdConnectConfiguration { JsonWebKeySet = keys, JwksUri = address };
        foreach (var key in keys.GetSigningKeys())
        {
            configuration.SigningKeys.Add(key);
        }

        // An empty set would make every token fail as if its key were unknown; say so at fetch time instead.
        if (configuration.SigningKeys.Count == 0)
        {
            throw new InvalidOperationException("The JWKS document holds no usable signing key.");
        }

        return configuration;
    }
}
