using System.Net.Http.Headers;

namespace Sec0.ControlPlane;

/// <summary>The <c>Authorization</c> header for a control-plane key: <c>Bearer &lt;key&gt;</c>, or the value as given when it already starts with <c>Bearer </c>.</summary>
internal static class BearerToken
{
    public static AuthenticationHeaderValue Header(string key) =>
        key.StartsWith("bearer ", StringComparison.OrdinalIgnoreCase)
            ? AuthenticationHeaderValue.Parse(key)
            : new AuthenticationHeaderValue("Bearer", key);
}
