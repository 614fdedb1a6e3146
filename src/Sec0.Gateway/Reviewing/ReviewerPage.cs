using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Sec0.Approvals;

namespace Sec0.Gateway.Reviewing;

/// <summary>
/// The reviewer page: pending escalations, their details (tool, arguments, reasons, risk), approve/reject with a note,
/// and the status live. People sign in with a reviewer token (<see cref="ReviewerTokens"/>) kept in an HttpOnly,
/// SameSite=Strict cookie; every form carries a CSRF token derived from it and every POST must come from the page's own
/// origin; a reviewer sees only the escalations of groups they are in; everything shown is HTML-encoded and the
/// Content-Security-Policy allows no inline script. Votes go through <see cref="ApprovalService.VoteAsync"/>, so they are
/// decided and recorded exactly like <c>sec0 approvals approve</c>.
/// </summary>
internal sealed class ReviewerPage
{
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    // Fixed texts for ?m=…: the page never shows text taken from the URL.
    private static readonly Dictionary<string, (string Text, bool Bad)> s_notices = new(StringComparer.Ordinal)
    {
        ["voted"] = ("Your vote is recorded.", false),
        ["already_voted"] = ("You have already voted on this escalation; a person votes once.", true),
        ["already_resolved"] = ("This escalation was already resolved; your vote was not counted.", true),
        ["role_not_held"] = ("You do not hold that role in this escalation's reviewer group.", true),
        ["not_a_reviewer"] = ("You are not in this escalation's reviewer group.", true),
        ["unknown_escalation"] = ("This escalation no longer exists.", true),
    };

    private readonly Func<HttpContext, ApprovalService?> _approvals;
    private readonly ReviewerPageOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger? _logger;
    private readonly string _path;

    public ReviewerPage(Func<HttpContext, ApprovalService?> approvals, ReviewerPageOptions options, TimeProvider? time, ILogger? logger)
    {
        _approvals = approvals;
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = logger;
        _path = options.Path.TrimEnd('/');
    }

    public async Task ListAsync(HttpContext http)
    {
        if (Begin(http) is not { } approvals || await SignedInAsync(http, approvals, redirect: true) is not { } session)
        {
            return;
        }

        var all = http.Request.Query["status"] == "all";
        var escalations = await VisibleAsync(approvals, session.User, all ? null : EscalationStatus.Pending, http.RequestAborted).ConfigureAwait(false);
        var html = Layout(session, all ? "All escalations" : "Waiting for your decision");
        html.Raw("<main");
        if (!all)
        {
            html.Raw(" data-pending-url=\"").Text(_path + "/pending").Raw("\" data-ids=\"").Text(string.Join(' ', escalations.Select(e => e.Id))).Raw("\"");
        }

        html.Raw(">").Element("h1", all ? "All escalations" : "Waiting for your decision")
            .Raw("<p class=\"muted\">")
            .Raw(all ? "<a href=\"" + ReviewerHtml.Encode(_path) + "\">Show only pending</a>" : "<a href=\"" + ReviewerHtml.Encode(_path) + "?status=all\">Show all</a>")
            .Raw("</p>");
        if (escalations.Count == 0)
        {
            html.Element("p", all ? "No escalations for you." : "Nothing waits for you. This list refreshes by itself.", "muted");
        }
        else
        {
            html.Raw("<table id=\"escalations\"><thead><tr><th>Created</th><th>Tool</th><th>Reason</th><th>Risk</th><th>Status</th><th>Votes</th></tr></thead><tbody>");
            foreach (var e in escalations)
            {
                html.Raw("<tr><td>").Text(Time(e.CreatedAt)).Raw("</td><td><a href=\"").Text(DetailsPath(e.Id)).Raw("\">").Text(e.Request.ToolRef).Raw("</a></td><td>")
                    .Text(e.Request.Violation).Raw("</td><td>").Text(Risk(e.Request)).Raw("</td><td>");
                Status(html, e.Status, null);
                html.Raw("</td><td>").Text(e.Votes.Count.ToString(CultureInfo.InvariantCulture)).Raw("</td></tr>");
            }

            html.Raw("</tbody></table>");
        }

        html.Raw("</main>");
        await WriteHtmlAsync(http, 200, html).ConfigureAwait(false);
    }

    public async Task DetailsAsync(HttpContext http)
    {
        if (Begin(http) is not { } approvals || await SignedInAsync(http, approvals, redirect: true) is not { } session)
        {
            return;
        }

        if (await VisibleAsync(http, approvals, session).ConfigureAwait(false) is not { } e)
        {
            await NotFoundAsync(http, session).ConfigureAwait(false);
            return;
        }

        var request = e.Request;
        var html = Layout(session, request.ToolRef);
        html.Raw("<main data-status-url=\"").Text(DetailsPath(e.Id) + "/status").Raw("\">")
            .Raw("<p><a href=\"").Text(_path).Raw("\">\u2190 All waiting</a></p>")
            .Element("h1", request.ToolRef);
        if (http.Request.Query["m"].ToString() is { Length: > 0 } m && s_notices.TryGetValue(m, out var notice))
        {
            html.Raw(notice.Bad ? "<p class=\"notice bad\" id=\"notice\">" : "<p class=\"notice\" id=\"notice\">").Text(notice.Text).Raw("</p>");
        }

        html.Raw("<p>Status: ");
        Status(html, e.Status, "status");
        html.Raw(" <span id=\"live\" class=\"muted\">").Text(Tally(e)).Raw("</span></p>");

        html.Raw("<dl>");
        Row(html, "Escalation", e.Id);
        Row(html, "Tool", request.ToolRef);
        Row(html, "Tenant", request.Tenant);
        Row(html, "Calling node", request.NodeId.Length == 0 ? "(unknown)" : request.NodeId);
        Row(html, "Stopped by", request.Layer);
        Row(html, "Reason", request.Violation);
        Row(html, "All reasons", string.Join(", ", request.Reasons));
        Row(html, "Risk", Risk(request));
        Row(html, "Decided by", Rules(request.Requirements));
        Row(html, "Created", Time(e.CreatedAt));
        Row(html, e.IsResolved ? "Was due" : "Expires", Time(e.ExpiresAt) + " (then " + ApprovalNames.Of(request.Requirements.TimeoutAction) + ")");
        if (e.ResolvedAt is { } resolvedAt)
        {
            Row(html, "Resolved", Time(resolvedAt) + " by " + ApprovalNames.Of(e.Resolution));
        }

        Row(html, "Arguments SHA-256", request.ArgumentsSha256);
        Row(html, "Trace", request.TraceId ?? "");
        html.Raw("</dl>");

        html.Element("h2", "Arguments").Raw("<pre id=\"arguments\">").Text(Pretty(request.Arguments)).Raw("</pre>");

        html.Element("h2", "Votes");
        if (e.Votes.Count == 0)
        {
            html.Element("p", "No votes yet.", "muted");
        }
        else
        {
            html.Raw("<table id=\"votes\"><thead><tr><th>Who</th><th>Role</th><th>Vote</th><th>When</th><th>Counted</th><th>Note</th></tr></thead><tbody>");
            foreach (var vote in e.Votes)
            {
                html.Raw("<tr><td>").Text(vote.User).Raw("</td><td>").Text(vote.Role).Raw("</td><td>").Text(ApprovalNames.Of(vote.Decision))
                    .Raw("</td><td>").Text(Time(vote.At)).Raw("</td><td>").Raw(vote.Counted ? "yes" : "no").Raw("</td><td>").Text(vote.Note).Raw("</td></tr>");
            }

            html.Raw("</tbody></table>");
        }

        html.Element("h2", "Your vote");
        var roles = e.Reviewers.First(r => string.Equals(r.User, session.User, StringComparison.Ordinal)).Roles;
        if (e.IsResolved)
        {
            html.Element("p", "This escalation is resolved; no more votes are taken.", "muted");
        }
        else if (e.Votes.Any(v => string.Equals(v.User, session.User, StringComparison.Ordinal)))
        {
            html.Element("p", "You have voted on this escalation.", "muted");
        }
        else
        {
            html.Raw("<form class=\"vote\" method=\"post\" action=\"").Text(DetailsPath(e.Id) + "/vote").Raw("\">")
                .Raw("<input type=\"hidden\" name=\"csrf\" value=\"").Text(session.Csrf).Raw("\">")
                .Raw("<label for=\"role\">Vote as</label><select id=\"role\" name=\"role\">");
            foreach (var role in roles)
            {
                html.Raw("<option value=\"").Text(role).Raw("\">").Text(role).Raw("</option>");
            }

            html.Raw("</select><label for=\"note\">Note (kept with your vote in the signed audit log)</label>")
                .Raw("<textarea id=\"note\" name=\"note\" maxlength=\"").Raw(_options.MaxNoteLength.ToString(CultureInfo.InvariantCulture)).Raw("\"></textarea>")
                .Raw("<div class=\"actions\"><button class=\"approve\" type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>")
                .Raw("<button class=\"reject\" type=\"submit\" name=\"decision\" value=\"reject\">Reject</button></div></form>");
        }

        html.Raw("</main>");
        await WriteHtmlAsync(http, 200, html).ConfigureAwait(false);
    }

    public async Task VoteAsync(HttpContext http)
    {
        if (Begin(http) is not { } approvals || !await SameOriginAsync(http).ConfigureAwait(false) || await SignedInAsync(http, approvals, redirect: false) is not { } session)
        {
            return;
        }

        if (await ReadFormAsync(http).ConfigureAwait(false) is not { } form)
        {
            return;
        }

        if (!approvals.ReviewerTokens.IsCsrfFor(session.Token, Single(form, "csrf")))
        {
            await PlainAsync(http, 403, "The form's CSRF token is missing or not yours: reload the page and vote again.").ConfigureAwait(false);
            return;
        }

        if (await VisibleAsync(http, approvals, session).ConfigureAwait(false) is not { } e)
        {
            await NotFoundAsync(http, session).ConfigureAwait(false);
            return;
        }

        var decisionText = Single(form, "decision");
        ApprovalDecision? decision = decisionText switch { "approve" => ApprovalDecision.Approve, "reject" => ApprovalDecision.Reject, _ => null };
        var role = Single(form, "role");
        var note = Single(form, "note");
        if (decision is null || string.IsNullOrEmpty(role) || form["note"].Count > 1)
        {
            await PlainAsync(http, 400, "A vote needs exactly one decision (approve or reject), one role and at most one note.").ConfigureAwait(false);
            return;
        }

        if (note is { Length: > 0 } && note.Length > _options.MaxNoteLength)
        {
            await PlainAsync(http, 400, $"The note is longer than {_options.MaxNoteLength} characters: shorten it.").ConfigureAwait(false);
            return;
        }

        var result = await approvals.VoteAsync(e.Id, session.User, role, decision.Value, string.IsNullOrWhiteSpace(note) ? null : note, http.RequestAborted).ConfigureAwait(false);
        var outcome = result.Accepted ? "voted" : ApprovalNames.Of(result.Refusal);
        http.Response.StatusCode = 303;
        http.Response.Headers.Location = DetailsPath(e.Id) + "?m=" + outcome;
    }

    public async Task StatusAsync(HttpContext http)
    {
        if (Begin(http) is not { } approvals || await SignedInAsync(http, approvals, redirect: false) is not { } session)
        {
            return;
        }

        if (await VisibleAsync(http, approvals, session).ConfigureAwait(false) is not { } e)
        {
            await JsonAsync(http, 404, w => w.WriteString("error", "escalation_not_found")).ConfigureAwait(false);
            return;
        }

        await JsonAsync(http, 200, w =>
        {
            w.WriteString("id", e.Id);
            w.WriteString("status", ApprovalNames.Of(e.Status));
            if (e.Resolution != EscalationResolution.None)
            {
                w.WriteString("resolution", ApprovalNames.Of(e.Resolution));
            }

            w.WriteNumber("approvals", e.Votes.Count(v => v.Counted && v.Decision == ApprovalDecision.Approve));
            w.WriteNumber("rejections", e.Votes.Count(v => v.Counted && v.Decision == ApprovalDecision.Reject));
            w.WriteNumber("votes", e.Votes.Count);
        }).ConfigureAwait(false);
    }

    public async Task PendingAsync(HttpContext http)
    {
        if (Begin(http) is not { } approvals || await SignedInAsync(http, approvals, redirect: false) is not { } session)
        {
            return;
        }

        var pending = await VisibleAsync(approvals, session.User, EscalationStatus.Pending, http.RequestAborted).ConfigureAwait(false);
        await JsonAsync(http, 200, w =>
        {
            w.WriteStartArray("pending");
            foreach (var e in pending)
            {
                w.WriteStringValue(e.Id);
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    public async Task SignInFormAsync(HttpContext http)
    {
        if (Begin(http) is null)
        {
            return;
        }

        await WriteHtmlAsync(http, 200, SignInPage(null)).ConfigureAwait(false);
    }

    public async Task SignInAsync(HttpContext http)
    {
        if (Begin(http) is not { } approvals || !await SameOriginAsync(http).ConfigureAwait(false) || await ReadFormAsync(http).ConfigureAwait(false) is not { } form)
        {
            return;
        }

        var token = Single(form, "token")?.Trim();
        if (!approvals.ReviewerTokens.TryRead(token, _time.GetUtcNow(), out var user, out var expiresAt))
        {
            _logger?.ReviewerSignInRefused(http.Connection.RemoteIpAddress);
            await WriteHtmlAsync(http, 401, SignInPage("That reviewer token is not valid or has expired. Ask for a new one: sec0 approvals token --as <your name>.")).ConfigureAwait(false);
            return;
        }

        http.Response.Cookies.Append(_options.CookieName, token!, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Path = _path,
            Expires = expiresAt,
            IsEssential = true,
        });
        http.Response.StatusCode = 303;
        http.Response.Headers.Location = _path;
        _logger?.ReviewerSignedIn(user);
    }

    public async Task SignOutAsync(HttpContext http)
    {
        if (Begin(http) is not { } approvals || !await SameOriginAsync(http).ConfigureAwait(false) || await ReadFormAsync(http).ConfigureAwait(false) is not { } form)
        {
            return;
        }

        var token = http.Request.Cookies[_options.CookieName];
        if (token is not null && !approvals.ReviewerTokens.IsCsrfFor(token, Single(form, "csrf")))
        {
            await PlainAsync(http, 403, "The form's CSRF token is missing or not yours: reload the page and sign out again.").ConfigureAwait(false);
            return;
        }

        http.Response.Cookies.Delete(_options.CookieName, new CookieOptions { Path = _path, HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps });
        http.Response.StatusCode = 303;
        http.Response.Headers.Location = _path + "/sign-in";
    }

    public async Task AssetAsync(HttpContext http)
    {
        if (Begin(http) is null)
        {
            return;
        }

        var (content, type) = (http.Request.RouteValues["name"] as string) switch
        {
            ReviewerAssets.StylesheetName => (ReviewerAssets.Stylesheet, "text/css; charset=utf-8"),
            ReviewerAssets.ScriptName => (ReviewerAssets.Script, "text/javascript; charset=utf-8"),
            _ => (null, null),
        };
        if (content is null)
        {
            await PlainAsync(http, 404, "No such file.").ConfigureAwait(false);
            return;
        }

        http.Response.ContentType = type;
        await http.Response.WriteAsync(content, http.RequestAborted).ConfigureAwait(false);
    }

    // The headers every answer carries, and the approvals behind the page (404 when there are none).
    private ApprovalService? Begin(HttpContext http)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers.CacheControl = "no-store";
        // same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on the page's own form posts.
        headers["Referrer-Policy"] = "same-origin";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        if (_approvals(http) is { } approvals)
        {
            return approvals;
        }

        http.Response.StatusCode = 404;
        http.Response.ContentType = "text/plain; charset=utf-8";
        return null;
    }

    private async Task<ReviewerSession?> SignedInAsync(HttpContext http, ApprovalService approvals, bool redirect)
    {
        var token = http.Request.Cookies[_options.CookieName];
        if (approvals.ReviewerTokens.TryRead(token, _time.GetUtcNow(), out var user, out _))
        {
            return new ReviewerSession(user, token!, approvals.ReviewerTokens.CsrfFor(token!));
        }

        if (redirect)
        {
            http.Response.StatusCode = 303;
            http.Response.Headers.Location = _path + "/sign-in";
        }
        else
        {
            await PlainAsync(http, 401, "Sign in to the reviewer page first.").ConfigureAwait(false);
        }

        return null;
    }

    // A POST is taken only from the page's own origin (Origin, or Sec-Fetch-Site where a browser sends no Origin).
    private static async Task<bool> SameOriginAsync(HttpContext http)
    {
        var request = http.Request;
        var origins = request.Headers.Origin;
        bool same;
        if (origins.Count > 0)
        {
            same = origins.Count == 1 && string.Equals(origins[0], request.Scheme + "://" + request.Host.Value, StringComparison.OrdinalIgnoreCase);
        }
        else
        {
            same = request.Headers["Sec-Fetch-Site"] is { Count: 1 } site && site[0] == "same-origin";
        }

        if (!same)
        {
            await PlainAsync(http, 403, "Cross-site request refused: the reviewer page takes forms only from its own origin.").ConfigureAwait(false);
        }

        return same;
    }

    private async Task<IFormCollection?> ReadFormAsync(HttpContext http)
    {
        var request = http.Request;
        if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            await PlainAsync(http, 415, "Send the form as application/x-www-form-urlencoded.").ConfigureAwait(false);
            return null;
        }

        if (request.ContentLength > _options.MaxFormBytes)
        {
            await PlainAsync(http, 413, $"The form is larger than {_options.MaxFormBytes} bytes.").ConfigureAwait(false);
            return null;
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = _options.MaxFormBytes;
        }

        try
        {
            var reader = new FormFeature(request, new FormOptions { ValueCountLimit = 16, KeyLengthLimit = 64, ValueLengthLimit = _options.MaxFormBytes, BufferBody = false });
            return await reader.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == 413)
        {
            await PlainAsync(http, 413, $"The form is larger than {_options.MaxFormBytes} bytes.").ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            await PlainAsync(http, 400, "The form could not be read: too many or too long fields.").ConfigureAwait(false);
        }

        return null;
    }

    // A field given once; null when missing or given more than once (a duplicated field is never guessed at).
    private static string? Single(IFormCollection form, string name) => form.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : null;

    private async Task<Escalation?> VisibleAsync(HttpContext http, ApprovalService approvals, ReviewerSession session)
    {
        var id = http.Request.RouteValues["id"] as string;
        if (!EscalationIds.IsValid(id))
        {
            return null;
        }

        var e = await approvals.GetAsync(id!, http.RequestAborted).ConfigureAwait(false);
        return e is not null && IsReviewer(e, session.User) ? e : null;
    }

    private async Task<List<Escalation>> VisibleAsync(ApprovalService approvals, string user, EscalationStatus? status, CancellationToken cancellationToken)
    {
        var all = await approvals.ListAsync(status, cancellationToken).ConfigureAwait(false);
        return all.Where(e => IsReviewer(e, user)).Take(_options.MaxListed).ToList();
    }

    // A reviewer sees the escalations of the groups they are in, as fixed when each escalation was created.
    private static bool IsReviewer(Escalation e, string user) => e.Reviewers.Any(r => string.Equals(r.User, user, StringComparison.Ordinal));

    private ReviewerHtml Layout(ReviewerSession? session, string title)
    {
        var html = new ReviewerHtml()
            .Raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Raw("<title>").Text(title).Raw(" \u2014 Sec0 approvals</title>")
            .Raw("<link rel=\"stylesheet\" href=\"").Text(_path + "/assets/" + ReviewerAssets.StylesheetName).Raw("\">")
            .Raw("<script src=\"").Text(_path + "/assets/" + ReviewerAssets.ScriptName).Raw("\" defer></script></head><body><header><a href=\"").Text(_path).Raw("\">Sec0 approvals</a>");
        if (session is not null)
        {
            html.Raw("<form method=\"post\" action=\"").Text(_path + "/sign-out").Raw("\"><span class=\"who\" id=\"who\">").Text(session.User).Raw("</span>")
                .Raw("<input type=\"hidden\" name=\"csrf\" value=\"").Text(session.Csrf).Raw("\"><button type=\"submit\">Sign out</button></form>");
        }

        return html.Raw("</header>");
    }

    private ReviewerHtml SignInPage(string? error)
    {
        var html = Layout(null, "Sign in").Raw("<main>").Element("h1", "Sign in to review escalations");
        if (error is not null)
        {
            html.Raw("<p class=\"notice bad\" id=\"notice\">").Text(error).Raw("</p>");
        }

        return html.Raw("<form class=\"vote\" method=\"post\" action=\"").Text(_path + "/sign-in").Raw("\">")
            .Raw("<label for=\"token\">Reviewer token</label><input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"off\" required>")
            .Raw("<p class=\"muted\">An administrator makes one with <code>sec0 approvals token --as &lt;you&gt;</code>.</p>")
            .Raw("<div class=\"actions\"><button type=\"submit\">Sign in</button></div></form></main></body></html>");
    }

    private async Task NotFoundAsync(HttpContext http, ReviewerSession session)
    {
        var html = Layout(session, "Not found").Raw("<main>").Element("h1", "No such escalation for you")
            .Element("p", "It does not exist, was deleted after its retention, or belongs to a reviewer group you are not in.", "muted")
            .Raw("</main></body></html>");
        await WriteHtmlAsync(http, 404, html).ConfigureAwait(false);
    }

    private string DetailsPath(string id) => _path + "/escalations/" + id;

    private static void Status(ReviewerHtml html, EscalationStatus status, string? id)
    {
        var name = ApprovalNames.Of(status);
        html.Raw(id is null ? "<span class=\"status\"" : "<span id=\"" + id + "\" class=\"status\"").Raw(" data-status=\"").Text(name).Raw("\">").Text(name).Raw("</span>");
    }

    private static void Row(ReviewerHtml html, string name, string value) => html.Element("dt", name).Element("dd", value);

    private static string Tally(Escalation e) =>
        string.Create(CultureInfo.InvariantCulture, $"{e.Votes.Count(v => v.Counted && v.Decision == ApprovalDecision.Approve)} approval(s), {e.Votes.Count(v => v.Counted && v.Decision == ApprovalDecision.Reject)} rejection(s), {e.Votes.Count} vote(s)")
        + (e.Resolution == EscalationResolution.None ? "" : " \u2014 resolved by " + ApprovalNames.Of(e.Resolution));

    private static string Risk(EscalationRequest request)
    {
        var score = request.RiskScore is { } s ? s.ToString("0.##", CultureInfo.InvariantCulture) : "\u2014";
        return request.RiskTags.Count == 0 ? score : score + " (" + string.Join(", ", request.RiskTags) + ")";
    }

    private static string Rules(ApprovalRequirements r)
    {
        var text = new StringBuilder(ApprovalNames.Of(r.Strategy));
        if (r.Strategy == ApprovalStrategy.HumanQuorum)
        {
            text.Append(CultureInfo.InvariantCulture, $": {r.MinApprovals} approval(s) or {r.MinRejections} rejection(s)");
        }

        if (r.RequiredRoles.Count > 0)
        {
            text.Append("; required roles: ").Append(string.Join(", ", r.RequiredRoles));
        }

        if (r.VetoRoles.Count > 0)
        {
            text.Append("; veto roles: ").Append(string.Join(", ", r.VetoRoles));
        }

        return text.ToString();
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    // Arguments shown indented when they are JSON; as they are otherwise. Encoded either way by the caller.
    private static string Pretty(string? arguments)
    {
        if (string.IsNullOrEmpty(arguments))
        {
            return "(not shown)";
        }

        try
        {
            using var document = JsonDocument.Parse(arguments);
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(arguments.Length * 2);
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                // Relaxed: the text is shown as it is (HTML-encoded after this), not \u003C-escaped.
                document.RootElement.WriteTo(writer);
            }

            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        catch (JsonException)
        {
            return arguments;
        }
    }

    private static async Task WriteHtmlAsync(HttpContext http, int status, ReviewerHtml html)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync(html.ToString(), http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task PlainAsync(HttpContext http, int status, string text)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync("[sec0] " + text, http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task JsonAsync(HttpContext http, int status, Action<Utf8JsonWriter> write)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        await http.Response.Body.WriteAsync(buffer.WrittenMemory, http.RequestAborted).ConfigureAwait(false);
    }
}
