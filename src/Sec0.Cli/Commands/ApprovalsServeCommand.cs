using System.CommandLine;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sec0.Approvals;
using Sec0.Gateway.Reviewing;

namespace Sec0.Cli.Commands;

/// <summary>
/// <c>sec0 approvals token</c> (a reviewer token that signs someone in to the reviewer page) and <c>sec0 approvals
/// serve</c> (the reviewer page without a gateway, over the config's escalations).
/// </summary>
internal static class ApprovalsServeCommand
{
    public const string DefaultUrl = "http://127.0.0.1:5180";

    public static Command CreateToken(CommandRunner runner, Option<string> config)
    {
        Option<string> user = new("--as") { Description = "Who the token signs in: a user of a reviewer group (approvals.groups).", HelpName = "USER", Required = true };
        Option<string> expires = new("--expires")
        {
            Description = "How long the token is valid: minutes, hours or days, e.g. 30m, 8h, 7d (at most 30d).",
            HelpName = "DURATION",
            DefaultValueFactory = _ => "8h",
        };
        Command command = new("token", "Print a reviewer token that signs a reviewer in to the reviewer page.") { user, expires, config };
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(runner.Run(parseResult, "approvals token", () =>
            Token(runner.Context, parseResult.GetValue(config)!, parseResult.GetValue(user)!.Trim(), parseResult.GetValue(expires)!, cancellationToken))));
        return command;
    }

    public static Command CreateServe(CommandRunner runner, Option<string> config)
    {
        Option<string> url = new("--url")
        {
            Description = "Where to listen (http or https, a host and a port; port 0 picks a free one). Keep it on 127.0.0.1 or put TLS in front.",
            HelpName = "URL",
            DefaultValueFactory = _ => DefaultUrl,
        };
        Command command = new("serve", "Serve the reviewer page (at /reviewer) over this config's escalations, without a gateway.") { url, config };
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(runner.Run(parseResult, "approvals serve", () =>
            Serve(runner.Context, parseResult.GetValue(config)!, parseResult.GetValue(url)!, cancellationToken))));
        return command;
    }

    private static int Token(CliContext context, string configPath, string user, string expiresText, CancellationToken cancellationToken)
    {
        if (!TryParseLifetime(expiresText, out var lifetime))
        {
            context.Error.WriteLine($"[sec0] --expires \"{expiresText}\" is not a lifetime: use a number with m, h or d (30m, 8h, 7d), at most 30d.");
            return ExitCodes.UsageError;
        }

        if (!ReviewerTokens.IsValidUser(user))
        {
            context.Error.WriteLine($"[sec0] --as must name a reviewer: 1 to {ReviewerTokens.MaxUserLength} characters, no control characters.");
            return ExitCodes.UsageError;
        }

        return ApprovalsCommand.WithStore(context, configPath, withTokens: true, cancellationToken, store =>
        {
            var groups = store.Config.Approvals!.Groups;
            var memberOf = groups.GroupIds.Where(g => groups.Resolve(g)!.Any(r => string.Equals(r.User, user, StringComparison.Ordinal))).Order(StringComparer.Ordinal).ToList();
            if (memberOf.Count == 0)
            {
                // A token for nobody's reviewer would sign in to an empty page; say so instead.
                context.Error.WriteLine($"[sec0] {user} is in no reviewer group of {store.Config.FilePath}: add them under approvals.groups first.");
                return ExitCodes.UsageError;
            }

            var expiresAt = DateTimeOffset.UtcNow + lifetime;
            context.Out.WriteLine(store.Service.ReviewerTokens.Issue(user, expiresAt));
            context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[sec0] Reviewer token for {user} (groups: {string.Join(", ", memberOf)}), valid until {expiresAt.UtcDateTime:yyyy-MM-dd HH:mm}Z. Hand it over privately: whoever holds it signs in as {user}."));
            return ExitCodes.Success;
        });
    }

    private static int Serve(CliContext context, string configPath, string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.AbsolutePath != "/")
        {
            context.Error.WriteLine($"[sec0] --url \"{url}\" is not a listening address: use http://127.0.0.1:5180 (a scheme, a host and a port, no path).");
            return ExitCodes.UsageError;
        }

        return ApprovalsCommand.WithStore(context, configPath, withTokens: true, cancellationToken, store =>
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls(uri.GetLeftPart(UriPartial.Authority));
            builder.Services.AddRouting();
            using var app = builder.Build();
            app.MapSec0ReviewerPage(store.Service);

            // Timeouts are applied on every read; the sweeper settles the ones nobody reads.
            store.Service.StartSweeper(TimeSpan.FromSeconds(5));
            app.StartAsync(cancellationToken).GetAwaiter().GetResult();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            context.Out.WriteLine($"Reviewer page on {address}/reviewer, over the escalations in {store.Where}.");
            context.Out.WriteLine("Sign in with a reviewer token: sec0 approvals token --as <user>. Stop with Ctrl+C.");
            if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri.Host))
            {
                context.Error.WriteLine("[sec0] Serving plain HTTP on a non-loopback address: reviewer tokens cross the network in clear. Put TLS in front, or listen on 127.0.0.1.");
            }

            try
            {
                Task.Delay(Timeout.Infinite, cancellationToken).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: stop below.
            }

            app.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
            return ExitCodes.Success;
        });
    }

    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private static bool TryParseLifetime(string text, out TimeSpan lifetime)
    {
        lifetime = default;
        if (text.Length < 2 || !int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
        {
            return false;
        }

        lifetime = text[^1] switch
        {
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => TimeSpan.Zero,
        };
        return lifetime > TimeSpan.Zero && lifetime <= ReviewerTokens.MaxLifetime;
    }
}
