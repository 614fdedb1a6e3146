using Sec0.Policy;

namespace Sec0.Instrumentation.Tests.Policy;

public sealed class EgressAllowlistTests
{
    [Theory]
    // Exact host, scheme and default port.
    [InlineData("https://api.ok.com", "https://api.ok.com", true)]
    [InlineData("https://api.ok.com", "https://api.ok.com/any/path?q=1#f", true)]
    [InlineData("https://api.ok.com", "https://api.ok.com:443/", true)]
    [InlineData("https://api.ok.com", "https://api.ok.com:8443/", false)]
    [InlineData("https://api.ok.com", "http://api.ok.com/", false)]
    [InlineData("https://api.ok.com", "wss://api.ok.com/", false)]
    [InlineData("https://api.ok.com:8443", "https://api.ok.com:8443/x", true)]
    [InlineData("https://api.ok.com:8443", "https://api.ok.com/x", false)]
    // Raw-prefix tricks.
    [InlineData("https://api.ok.com", "https://api.ok.com.evil.io/", false)]
    [InlineData("https://api.ok.com", "https://api.ok.comevil.io/", false)]
    [InlineData("https://api.ok.com", "https://evil.io/https://api.ok.com", false)]
    [InlineData("https://api.ok.com", "https://evil.io/?u=https://api.ok.com", false)]
    // Userinfo never confuses the host.
    [InlineData("https://ok.com", "https://ok.com@evil.io", false)]
    [InlineData("https://ok.com", "https://ok.com:443@evil.io/", false)]
    [InlineData("https://ok.com", "https://user:pass@ok.com/", true)]
    [InlineData("https://evil.io", "https://ok.com@evil.io", true)]
    [InlineData("https://ok.com", "https://ok.com\\@evil.io", false)] // System.Uri (and so HttpClient) rejects it
    // Case and trailing dots.
    [InlineData("https://api.ok.com", "HTTPS://API.OK.COM/", true)]
    [InlineData("https://API.OK.com", "https://api.ok.com/", true)]
    [InlineData("https://api.ok.com", "https://api.ok.com./x", true)]
    [InlineData("https://api.ok.com.", "https://api.ok.com/x", true)]
    // IDN: Unicode and punycode are the same host; look-alikes are not.
    [InlineData("https://bücher.example", "https://xn--bcher-kva.example/", true)]
    [InlineData("https://xn--bcher-kva.example", "https://BÜCHER.example/", true)]
    [InlineData("https://paypal.com", "https://pаypal.com/", false)]
    [InlineData("https://ok.com", "https://ｏｋ.com/", true)]
    // Host wildcards.
    [InlineData("https://*.ok.com", "https://a.ok.com/", true)]
    [InlineData("https://*.ok.com", "https://a.b.ok.com/", true)]
    [InlineData("https://*.ok.com", "https://ok.com/", false)]
    [InlineData("https://*.ok.com", "https://evilok.com/", false)]
    [InlineData("https://*.ok.com", "https://a.ok.com.evil.io/", false)]
    // Path prefixes on segment boundaries, after normalization.
    [InlineData("https://ok.com/v1", "https://ok.com/v1", true)]
    [InlineData("https://ok.com/v1", "https://ok.com/v1/users", true)]
    [InlineData("https://ok.com/v1/", "https://ok.com/v1/users", true)]
    [InlineData("https://ok.com/v1/*", "https://ok.com/v1/users/7", true)]
    [InlineData("https://ok.com/v1", "https://ok.com/v10", false)]
    [InlineData("https://ok.com/v1", "https://ok.com/v1beta/x", false)]
    [InlineData("https://ok.com/v1", "https://ok.com/", false)]
    [InlineData("https://ok.com/v1", "https://ok.com/v1/../admin", false)]
    [InlineData("https://ok.com/v1", "https://ok.com/v1/%2e%2e/admin", false)]
    [InlineData("https://ok.com/v1", "https://ok.com/v1/%252e%252e/admin", false)]
    [InlineData("https://ok.com/v1", "https://ok.com/v1%2F..%2Fadmin", false)]
    [InlineData("https://ok.com/v1", "https://ok.com/v1%2fusers", false)]
    [InlineData("https://ok.com/v1", "https://ok.com/admin%2F..%2Fv1/x", false)]
    [InlineData("https://ok.com/v1", "https://ok.com/v1\\..\\admin", false)]
    [InlineData("https://ok.com/v1", "https://ok.com//v1/x", true)]
    [InlineData("https://ok.com/v1", "https://ok.com/v1/./x", true)]
    [InlineData("https://ok.com/v1", "https://ok.com/v1/a%20b", true)]
    [InlineData("https://ok.com/V1", "https://ok.com/v1", false)]
    [InlineData("https://ok.com/files/my%20docs", "https://ok.com/files/my%20docs/a", true)]
    [InlineData("https://ok.com/files/my%20docs", "https://ok.com/files/my docs/a", true)]
    // IP hosts.
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8080/x", true)]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.2:8080/x", false)]
    [InlineData("http://[::1]:8080", "http://[0:0::1]:8080/x", true)]
    // Not URLs.
    [InlineData("https://ok.com", "", false)]
    [InlineData("https://ok.com", "ok.com", false)]
    [InlineData("https://ok.com", "/relative", false)]
    [InlineData("https://ok.com", "https://", false)]
    public void Url_matches(string entry, string url, bool expected)
    {
        Assert.Equal(expected, EgressAllowlist.Parse(entry).IsAllowed(url));
    }

    [Theory]
    [InlineData("https://api.ok.com*")]
    [InlineData("https://*ok.com")]
    [InlineData("https://a.*.com")]
    [InlineData("https://ok.com/v1*")]
    [InlineData("https://ok.com/*/x")]
    [InlineData("*")]
    [InlineData("api.ok.com/v1")]
    [InlineData("https://user@ok.com")]
    [InlineData("https://ok.com/?a=1")]
    [InlineData("https://ok.com/#x")]
    [InlineData("https://ok.com/a%2Fb")]
    [InlineData("https://*.[::1]")]
    [InlineData("")]
    public void Invalid_entries_are_rejected(string entry)
    {
        Assert.False(EgressRule.TryParse(entry, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void An_empty_allowlist_allows_nothing()
    {
        Assert.False(new EgressAllowlist([]).IsAllowed("https://ok.com"));
    }
}
