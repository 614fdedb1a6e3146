using System.Net;
using Microsoft.Playwright;

namespace Sec0.Gateway.Tests.ReviewerPage;

/// <summary>
/// The reviewer page in a real headless Chromium (Debian's <c>/usr/bin/chromium</c>, driven by Playwright; .ci/run
/// installs it): a reviewer signs in with a reviewer token, sees the escalated call with its arguments, approves it, and
/// the agent that was waiting gets its approval token and runs the call. An argument full of HTML is shown as inert
/// text: nothing in it runs. Another reviewer's open page turns approved by itself. With SEC0_UPDATE_SCREENSHOTS=1 the
/// screenshots go to docs/images (the ones docs/approvals.md shows); otherwise to a temp folder.
/// </summary>
public sealed class ReviewerPageBrowserTests : IAsyncLifetime
{
    private const string ChromiumPath = "/usr/bin/chromium";

    // Each of these would set window.__pwned (or open a dialog) if the page let it run.
    private const string Arguments = """
        {"amount":1250,"currency":"EUR","iban":"DE02 1203 0000 0000 2020 51","memo":"<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script>\"><svg onload=alert(1)>"}
        """;

    private readonly TempDirectory _shots = new("reviewer-screenshots");
    private ReviewerGateway _gateway = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: install Debian's chromium package (apt-get install chromium), as .ci/run does.");
        _gateway = await ReviewerGateway.StartAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // As root in a container Chromium needs --no-sandbox; the rest keeps it off the (closed) network.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _gateway.DisposeAsync();
        _shots.Dispose();
    }

    [Fact]
    public async Task A_reviewer_approves_in_the_browser_and_the_waiting_call_runs()
    {
        var id = await _gateway.EscalateAsync(Arguments);
        var waiting = _gateway.WaitAndRetryAsync(id, Arguments, TimeSpan.FromSeconds(90));

        // bob keeps the escalation open in his browser while alice decides in hers.
        var bob = await SignedInPageAsync("bob");
        await bob.GotoAsync(Url("reviewer/escalations/" + id));
        await Assertions.Expect(bob.Locator("#status")).ToHaveTextAsync("pending");

        var alice = await SignedInPageAsync("alice");
        var dialogs = 0;
        alice.Dialog += async (_, dialog) =>
        {
            dialogs++;
            await dialog.DismissAsync();
        };
        await alice.GotoAsync(Url("reviewer"));
        var row = alice.Locator("#escalations tbody tr", new() { HasText = "mcp://tools/echo@1.0.0" });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator(".status")).ToHaveTextAsync("pending");
        await ScreenshotAsync(alice, "reviewer-list.png");

        await row.Locator("a").ClickAsync();
        await alice.WaitForURLAsync("**/reviewer/escalations/" + id);
        var shown = await alice.Locator("#arguments").TextContentAsync();
        Assert.Contains("""<img src=x onerror=\"window.__pwned=1\">""", shown, StringComparison.Ordinal); // as JSON text
        Assert.Contains("<script>window.__pwned=2</script>", shown, StringComparison.Ordinal);
        Assert.Equal(0, await alice.Locator("#arguments *").CountAsync());
        Assert.Equal(0, await alice.Locator("img, svg, main script").CountAsync());
        Assert.True(await alice.EvaluateAsync<bool>("() => window.__pwned === undefined"));
        await Assertions.Expect(alice.Locator("dl")).ToContainTextAsync("tool_not_in_allowlist");
        await alice.Locator("#note").FillAsync("Checked with the customer by phone <b>ok</b>");
        await ScreenshotAsync(alice, "reviewer-details.png");

        await alice.Locator("button.approve").ClickAsync();
        await Assertions.Expect(alice.Locator("#notice")).ToHaveTextAsync("Your vote is recorded.");
        await Assertions.Expect(alice.Locator("#status")).ToHaveTextAsync("approved");
        await Assertions.Expect(alice.Locator("#votes")).ToContainTextAsync("Checked with the customer by phone <b>ok</b>");
        await ScreenshotAsync(alice, "reviewer-approved.png");

        // The waiting agent got its token and the call ran.
        var (status, body) = await waiting;
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("DE02 1203", body, StringComparison.Ordinal);

        // bob's page learnt it without a reload: status approved, his vote form disabled.
        await Assertions.Expect(bob.Locator("#status")).ToHaveTextAsync("approved", new() { Timeout = 15_000 });
        await Assertions.Expect(bob.Locator("button.approve")).ToBeDisabledAsync();

        Assert.Equal(0, dialogs);
        Assert.True(await alice.EvaluateAsync<bool>("() => window.__pwned === undefined"));
        Assert.True(_gateway.Harness.Verify().IsIntact);
    }

    [Fact]
    public async Task The_pending_list_updates_by_itself_and_a_veto_rejects_from_the_page()
    {
        var erin = await SignedInPageAsync("erin");
        await erin.GotoAsync(Url("reviewer"));
        await Assertions.Expect(erin.Locator("main")).ToContainTextAsync("Nothing waits for you");

        var id = await _gateway.EscalateAsync("""{"amount":99}""");
        var row = erin.Locator("#escalations tbody tr", new() { HasText = "mcp://tools/echo@1.0.0" });
        await Assertions.Expect(row).ToHaveCountAsync(1, new() { Timeout = 15_000 });

        // The list reloads itself when the pending set changes; a click that lands while it reloads is lost with the
        // old document, so the reviewer (and the test) clicks again.
        for (var attempt = 1; ; attempt++)
        {
            await row.Locator("a").ClickAsync();
            try
            {
                await erin.WaitForURLAsync("**/reviewer/escalations/" + id, new() { Timeout = 10_000 });
                break;
            }
            catch (TimeoutException) when (attempt < 3)
            {
            }
        }

        await erin.Locator("button.reject").ClickAsync();
        await Assertions.Expect(erin.Locator("#status")).ToHaveTextAsync("rejected");
        await Assertions.Expect(erin.Locator("dl")).ToContainTextAsync("by veto");
        var (status, _) = await _gateway.WaitAndRetryAsync(id, """{"amount":99}""", TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [Fact]
    public async Task A_wrong_token_is_refused_on_the_sign_in_page()
    {
        var context = await _browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("reviewer"));
        await page.WaitForURLAsync("**/reviewer/sign-in");
        await page.Locator("#token").FillAsync("s0rv_YWxpY2U.9999999999.forged");
        await page.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync("not valid or has expired");
        Assert.Empty(await context.CookiesAsync());
    }

    private async Task<IPage> SignedInPageAsync(string user)
    {
        var context = await _browser.NewContextAsync(new() { ViewportSize = new() { Width = 1100, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("reviewer"));
        await page.WaitForURLAsync("**/reviewer/sign-in");
        await page.Locator("#token").FillAsync(_gateway.TokenFor(user));
        await page.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#who")).ToHaveTextAsync(user);
        return page;
    }

    private string Url(string path) => new Uri(_gateway.Url, path).ToString();

    private async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable("SEC0_UPDATE_SCREENSHOTS") == "1" ? Path.Combine(RepositoryRoot(), "docs", "images") : _shots.Path;
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name), FullPage = true });
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sec0.Instrumentation.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Sec0.Instrumentation.sln) was not found above the test's folder.");
    }
}
