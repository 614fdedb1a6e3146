using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Sec0.Approvals;

namespace Sec0.Gateway.Tests.ReviewerPage;

/// <summary>
/// The reviewer page over plain HTTP, as an attacker would try it: no sign-in, forged, expired and foreign reviewer
/// tokens, cross-site posts, missing, stolen and duplicated CSRF fields, oversized and malformed forms, reviewers of
/// other groups, roles not held, HTML in arguments and notes, and text smuggled through the URL. What gets through must
/// be exactly a vote cast by a signed-in reviewer of the escalation's group, recorded in the signed log.
/// </summary>
public sealed partial class ReviewerPageTests : IAsyncLifetime
{
    private const string Injection = """{"memo":"<img src=x onerror=alert(1)><script>alert(2)</script>","n":1}""";

    private ReviewerGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await ReviewerGateway.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Without_a_sign_in_nothing_is_shown_and_nothing_is_taken()
    {
        var id = await _gateway.EscalateAsync(Injection);
        using var client = Client();

        using var list = await client.GetAsync("reviewer");
        Assert.Equal(HttpStatusCode.SeeOther, list.StatusCode);
        Assert.Equal("/reviewer/sign-in", list.Headers.Location?.ToString());
        using var details = await client.GetAsync("reviewer/escalations/" + id);
        Assert.Equal(HttpStatusCode.SeeOther, details.StatusCode);
        using var status = await client.GetAsync("reviewer/escalations/" + id + "/status");
        Assert.Equal(HttpStatusCode.Unauthorized, status.StatusCode);
        using var pending = await client.GetAsync("reviewer/pending");
        Assert.Equal(HttpStatusCode.Unauthorized, pending.StatusCode);
        using var vote = await client.SendAsync(Post("reviewer/escalations/" + id + "/vote", Origin, ("decision", "approve"), ("role", "finance")));
        Assert.Equal(HttpStatusCode.Unauthorized, vote.StatusCode);

        Assert.Equal(EscalationStatus.Pending, (await _gateway.Approvals.GetAsync(id, default))!.Status);
    }

    [Fact]
    public async Task Forged_expired_foreign_and_malformed_reviewer_tokens_do_not_sign_in()
    {
        var good = _gateway.TokenFor("alice");
        var foreign = new ApprovalTokens(new byte[32]).Reviewers.Issue("alice", DateTimeOffset.UtcNow.AddHours(1));
        var expired = _gateway.Approvals.ReviewerTokens.Issue("alice", DateTimeOffset.UtcNow.AddSeconds(-1));
        var parts = good.Split('.');
        var otherUser = _gateway.TokenFor("bob").Split('.');
        string[] forged =
        [
            foreign,
            expired,
            parts[0] + "." + parts[1] + "." + new string('A', parts[2].Length),     // MAC replaced
            otherUser[0] + "." + parts[1] + "." + parts[2],                          // user swapped, alice's MAC
            parts[0] + "." + (long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) + 86_400) + "." + parts[2], // expiry pushed out
            "s0rv_" + new string('a', 5000),
            "s0at_esc_" + new string('0', 32) + ".abc",
            "",
        ];

        using var client = Client();
        foreach (var token in forged)
        {
            using var response = await client.SendAsync(Post("reviewer/sign-in", Origin, ("token", token)));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.False(response.Headers.Contains("Set-Cookie"), token);
            Assert.Contains("not valid or has expired", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // A forged cookie is no better than a forged sign-in.
        using var withCookie = await client.SendAsync(Get("reviewer/pending", Cookie(forged[2])));
        Assert.Equal(HttpStatusCode.Unauthorized, withCookie.StatusCode);

        using var ok = await client.SendAsync(Post("reviewer/sign-in", Origin, ("token", good)));
        Assert.Equal(HttpStatusCode.SeeOther, ok.StatusCode);
        var cookie = Assert.Single(ok.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("sec0_reviewer=" + good + ";", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/reviewer", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Cross_site_posts_are_refused_even_with_a_valid_cookie_and_csrf_token()
    {
        var id = await _gateway.EscalateAsync("""{"n":1}""");
        var alice = _gateway.TokenFor("alice");
        var csrf = _gateway.Approvals.ReviewerTokens.CsrfFor(alice);
        using var client = Client();

        foreach (var origin in new[] { "http://evil.example", "null", _gateway.Url.GetLeftPart(UriPartial.Authority) + ".evil.example" })
        {
            using var vote = await client.SendAsync(Post("reviewer/escalations/" + id + "/vote", origin, ("csrf", csrf), ("decision", "approve"), ("role", "finance")), alice);
            Assert.Equal(HttpStatusCode.Forbidden, vote.StatusCode);
            using var signIn = await client.SendAsync(Post("reviewer/sign-in", origin, ("token", alice)));
            Assert.Equal(HttpStatusCode.Forbidden, signIn.StatusCode);
        }

        // No Origin and no Sec-Fetch-Site: not provably same-origin, refused. A browser's cross-site fetch says cross-site.
        using var bare = await client.SendAsync(Post("reviewer/escalations/" + id + "/vote", null, ("csrf", csrf), ("decision", "approve"), ("role", "finance")), alice);
        Assert.Equal(HttpStatusCode.Forbidden, bare.StatusCode);
        var crossSite = Post("reviewer/escalations/" + id + "/vote", null, ("csrf", csrf), ("decision", "approve"), ("role", "finance"));
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var crossSiteResponse = await client.SendAsync(crossSite, alice);
        Assert.Equal(HttpStatusCode.Forbidden, crossSiteResponse.StatusCode);

        // A vote is never taken by GET.
        using var get = await client.SendAsync(Get("reviewer/escalations/" + id + "/vote?csrf=" + csrf + "&decision=approve&role=finance", Cookie(alice)));
        Assert.False(get.IsSuccessStatusCode);

        var escalation = (await _gateway.Approvals.GetAsync(id, default))!;
        Assert.Equal(EscalationStatus.Pending, escalation.Status);
        Assert.Empty(escalation.Votes);
    }

    [Fact]
    public async Task Missing_stolen_and_duplicated_fields_and_bad_bodies_are_refused_without_a_vote()
    {
        var id = await _gateway.EscalateAsync("""{"n":2}""");
        var alice = _gateway.TokenFor("alice");
        var csrf = _gateway.Approvals.ReviewerTokens.CsrfFor(alice);
        var bobsCsrf = _gateway.Approvals.ReviewerTokens.CsrfFor(_gateway.TokenFor("bob"));
        var path = "reviewer/escalations/" + id + "/vote";
        using var client = Client();

        async Task Expect(HttpStatusCode expected, HttpRequestMessage request)
        {
            using var response = await client.SendAsync(request, alice);
            Assert.Equal(expected, response.StatusCode);
        }

        await Expect(HttpStatusCode.Forbidden, Post(path, Origin, ("decision", "approve"), ("role", "finance")));
        await Expect(HttpStatusCode.Forbidden, Post(path, Origin, ("csrf", bobsCsrf), ("decision", "approve"), ("role", "finance")));
        await Expect(HttpStatusCode.Forbidden, Post(path, Origin, ("csrf", csrf), ("csrf", csrf), ("decision", "approve"), ("role", "finance")));
        await Expect(HttpStatusCode.BadRequest, Post(path, Origin, ("csrf", csrf), ("decision", "approve"), ("decision", "reject"), ("role", "finance")));
        await Expect(HttpStatusCode.BadRequest, Post(path, Origin, ("csrf", csrf), ("decision", "maybe"), ("role", "finance")));
        await Expect(HttpStatusCode.BadRequest, Post(path, Origin, ("csrf", csrf), ("decision", "approve")));
        await Expect(HttpStatusCode.BadRequest, Post(path, Origin, ("csrf", csrf), ("decision", "approve"), ("role", "finance"), ("note", new string('n', 2001))));
        await Expect(HttpStatusCode.RequestEntityTooLarge, Post(path, Origin, ("csrf", csrf), ("decision", "approve"), ("role", "finance"), ("note", new string('n', 20_000))));

        var json = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("""{"decision":"approve","role":"finance"}""", Encoding.UTF8, "application/json") };
        json.Headers.Add("Origin", Origin);
        await Expect(HttpStatusCode.UnsupportedMediaType, json);

        // A body larger than the limit with no Content-Length (chunked): cut off at the limit.
        var chunked = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ChunkedContent("csrf=" + csrf + "&decision=approve&role=finance&note=" + new string('n', 40_000)) };
        chunked.Headers.Add("Origin", Origin);
        await Expect(HttpStatusCode.RequestEntityTooLarge, chunked);

        var escalation = (await _gateway.Approvals.GetAsync(id, default))!;
        Assert.Equal(EscalationStatus.Pending, escalation.Status);
        Assert.Empty(escalation.Votes);
    }

    [Fact]
    public async Task A_reviewer_of_another_group_sees_and_decides_nothing_and_a_role_not_held_does_not_count()
    {
        var id = await _gateway.EscalateAsync("""{"n":3}""");
        var zed = _gateway.TokenFor("zed");
        using var client = Client();

        using var list = await client.SendAsync(Get("reviewer", Cookie(zed)));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.DoesNotContain(id, await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var pending = await client.SendAsync(Get("reviewer/pending", Cookie(zed)));
        Assert.Equal("""{"pending":[]}""", await pending.Content.ReadAsStringAsync());
        using var details = await client.SendAsync(Get("reviewer/escalations/" + id, Cookie(zed)));
        Assert.Equal(HttpStatusCode.NotFound, details.StatusCode);
        using var status = await client.SendAsync(Get("reviewer/escalations/" + id + "/status", Cookie(zed)));
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        using var vote = await client.SendAsync(Post("reviewer/escalations/" + id + "/vote", Origin, ("csrf", _gateway.Approvals.ReviewerTokens.CsrfFor(zed)), ("decision", "approve"), ("role", "finance")), zed);
        Assert.Equal(HttpStatusCode.NotFound, vote.StatusCode);

        // alice holds finance, not security: the vote is refused by the rules and said so; nothing counts.
        var alice = _gateway.TokenFor("alice");
        using var wrongRole = await client.SendAsync(Post("reviewer/escalations/" + id + "/vote", Origin, ("csrf", _gateway.Approvals.ReviewerTokens.CsrfFor(alice)), ("decision", "approve"), ("role", "security")), alice);
        Assert.Equal(HttpStatusCode.SeeOther, wrongRole.StatusCode);
        Assert.EndsWith("?m=role_not_held", wrongRole.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(EscalationStatus.Pending, (await _gateway.Approvals.GetAsync(id, default))!.Status);
    }

    [Fact]
    public async Task A_signed_in_reviewer_approves_the_vote_is_signed_in_the_log_and_the_call_runs_once()
    {
        var id = await _gateway.EscalateAsync(Injection);
        var waiting = _gateway.WaitAndRetryAsync(id, Injection, TimeSpan.FromSeconds(60));
        var alice = _gateway.TokenFor("alice");
        using var client = Client();

        using var page = await client.SendAsync(Get("reviewer/escalations/" + id, Cookie(alice)));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        AssertSecurityHeaders(page);

        // The arguments are on the page as text: the markup in them is encoded, never live.
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script>alert", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
        var csrf = CsrfField().Match(html).Groups[1].Value;
        Assert.Equal(_gateway.Approvals.ReviewerTokens.CsrfFor(alice), csrf);

        using var vote = await client.SendAsync(Post("reviewer/escalations/" + id + "/vote", Origin, ("csrf", csrf), ("decision", "approve"), ("role", "finance"), ("note", "<b>ok</b> by phone")), alice);
        Assert.Equal(HttpStatusCode.SeeOther, vote.StatusCode);
        Assert.Equal("/reviewer/escalations/" + id + "?m=voted", vote.Headers.Location!.ToString());

        var (status, body) = await waiting;
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("onerror", body, StringComparison.Ordinal);

        // The page now shows the vote, the note encoded; a second vote is refused.
        using var after = await client.SendAsync(Get("reviewer/escalations/" + id + "?m=voted", Cookie(alice)));
        var afterHtml = await after.Content.ReadAsStringAsync();
        Assert.Contains("&lt;b&gt;ok&lt;/b&gt; by phone", afterHtml, StringComparison.Ordinal);
        Assert.Contains("Your vote is recorded.", afterHtml, StringComparison.Ordinal);
        Assert.Contains("data-status=\"approved\"", afterHtml, StringComparison.Ordinal);
        var bob = _gateway.TokenFor("bob");
        using var late = await client.SendAsync(Post("reviewer/escalations/" + id + "/vote", Origin, ("csrf", _gateway.Approvals.ReviewerTokens.CsrfFor(bob)), ("decision", "reject"), ("role", "finance")), bob);
        Assert.EndsWith("?m=already_resolved", late.Headers.Location!.ToString(), StringComparison.Ordinal);

        // The retry ran once: the same token again is refused.
        using var replay = await _gateway.CallAsync(Injection, _gateway.Approvals.TokenFor((await _gateway.Approvals.GetAsync(id, default))!) ?? "s0at_none");
        Assert.Equal(HttpStatusCode.Forbidden, replay.StatusCode);

        var records = await _gateway.ApprovalRecordsAsync();
        var voteRecord = Assert.Single(records, r => r.GetProperty("op").GetString() == "approval.vote");
        var approval = voteRecord.GetProperty("approval");
        Assert.Equal("alice", approval.GetProperty("user").GetString());
        Assert.Equal("finance", approval.GetProperty("role").GetString());
        Assert.Equal("approve", approval.GetProperty("decision").GetString());
        Assert.Equal("<b>ok</b> by phone", approval.GetProperty("note").GetString());
        Assert.Contains(records, r => r.GetProperty("op").GetString() == "approval.vote_refused");
        Assert.True(_gateway.Harness.Verify().IsIntact);
    }

    [Fact]
    public async Task Text_in_the_url_is_never_shown_and_unknown_assets_and_ids_are_404()
    {
        var id = await _gateway.EscalateAsync("""{"n":4}""");
        var alice = _gateway.TokenFor("alice");
        using var client = Client();

        using var smuggled = await client.SendAsync(Get("reviewer/escalations/" + id + "?m=%3Cscript%3Ealert(1)%3C%2Fscript%3E", Cookie(alice)));
        var html = await smuggled.Content.ReadAsStringAsync();
        Assert.DoesNotContain("alert(1)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"notice\"", html, StringComparison.Ordinal);

        foreach (var path in new[] { "reviewer/escalations/esc_" + new string('0', 32), "reviewer/escalations/..%2F..%2Fetc%2Fpasswd", "reviewer/escalations/" + id.ToUpperInvariant() })
        {
            using var response = await client.SendAsync(Get(path, Cookie(alice)));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        using var asset = await client.GetAsync("reviewer/assets/..%2F..%2Fsec0.config.yaml");
        Assert.Equal(HttpStatusCode.NotFound, asset.StatusCode);
        using var script = await client.GetAsync("reviewer/assets/reviewer.js");
        Assert.Equal("text/javascript; charset=utf-8", script.Content.Headers.ContentType?.ToString());
        Assert.DoesNotContain("innerHTML", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_out_needs_the_csrf_token_and_clears_the_cookie()
    {
        var alice = _gateway.TokenFor("alice");
        using var client = Client();
        using var refused = await client.SendAsync(Post("reviewer/sign-out", Origin), alice);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using var signedOut = await client.SendAsync(Post("reviewer/sign-out", Origin, ("csrf", _gateway.Approvals.ReviewerTokens.CsrfFor(alice))), alice);
        Assert.Equal(HttpStatusCode.SeeOther, signedOut.StatusCode);
        Assert.Contains(signedOut.Headers.GetValues("Set-Cookie"), c => c.StartsWith("sec0_reviewer=;", StringComparison.Ordinal) && c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_gateway_with_the_page_turned_off_or_without_approvals_serves_no_page()
    {
        await using (var off = await ReviewerGateway.StartAsync(o => o.ReviewerPage = false))
        {
            using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = off.Url };
            using var response = await client.GetAsync("reviewer/sign-in");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        await using var none = await ReviewerGateway.StartAsync(o => o.Approvals = null);
        using var plain = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = none.Url };
        using var signIn = await plain.GetAsync("reviewer/sign-in");
        Assert.Equal(HttpStatusCode.NotFound, signIn.StatusCode);
    }

    [Fact]
    public void Reviewer_tokens_round_trip_expire_and_refuse_bad_names()
    {
        var tokens = new ApprovalTokens(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()).Reviewers;
        var now = DateTimeOffset.UtcNow;
        var token = tokens.Issue("Zoë.Müller@example.com", now.AddMinutes(5));
        Assert.True(tokens.TryRead(token, now, out var user, out var expires));
        Assert.Equal("Zoë.Müller@example.com", user);
        Assert.Equal(now.AddMinutes(5).ToUnixTimeSeconds(), expires.ToUnixTimeSeconds());
        Assert.False(tokens.TryRead(token, now.AddMinutes(6), out _, out _));
        Assert.Throws<ArgumentException>(() => tokens.Issue("", now.AddHours(1)));
        Assert.Throws<ArgumentException>(() => tokens.Issue("a\nb", now.AddHours(1)));
        Assert.Throws<ArgumentException>(() => tokens.Issue(new string('a', 129), now.AddHours(1)));
        Assert.True(tokens.IsCsrfFor(token, tokens.CsrfFor(token)));
        Assert.False(tokens.IsCsrfFor(token, tokens.CsrfFor(tokens.Issue("bob", now.AddHours(1)))));
        Assert.False(tokens.IsCsrfFor(token, null));
    }

    private string Origin => _gateway.Url.GetLeftPart(UriPartial.Authority);

    private HttpClient Client() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = _gateway.Url, Timeout = TimeSpan.FromSeconds(30) };

    private static (string, string) Cookie(string token) => ("Cookie", "sec0_reviewer=" + token);

    private static HttpRequestMessage Get(string path, (string Name, string Value) header)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(header.Name, header.Value);
        return request;
    }

    private static HttpRequestMessage Post(string path, string? origin, params (string Name, string Value)[] fields)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))),
        };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return request;
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        var csp = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", string.Join(',', response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", string.Join(',', response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();

    /// <summary>A form body sent chunked, without Content-Length.</summary>
    private sealed class ChunkedContent(string form) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(Encoding.UTF8.GetBytes(form)).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
            return false;
        }
    }
}

/// <summary>Sends with a reviewer's cookie.</summary>
internal static class ReviewerRequestExtensions
{
    public static Task<HttpResponseMessage> SendAsync(this HttpClient client, HttpRequestMessage request, string reviewerToken)
    {
        request.Headers.Add("Cookie", "sec0_reviewer=" + reviewerToken);
        return client.SendAsync(request);
    }
}
