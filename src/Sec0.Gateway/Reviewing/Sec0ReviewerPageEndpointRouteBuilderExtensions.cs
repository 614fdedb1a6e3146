using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sec0.Approvals;

namespace Sec0.Gateway.Reviewing;

/// <summary>Maps the reviewer page (docs/approvals.md, "The reviewer page").</summary>
public static class Sec0ReviewerPageEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the reviewer page for <paramref name="approvals"/> under <see cref="ReviewerPageOptions.Path"/>
    /// (default <c>/reviewer</c>). The gateway maps it by itself (<c>MapSec0Gateway</c>); <c>sec0 approvals serve</c>
    /// and apps without a gateway map it with this.
    /// </summary>
    /// <param name="endpoints">The app's routes.</param>
    /// <param name="approvals">The approvals whose escalations are reviewed; it must have a token secret (reviewer tokens derive from it).</param>
    /// <param name="options">Path, cookie name and limits; defaults when null.</param>
    public static RouteGroupBuilder MapSec0ReviewerPage(this IEndpointRouteBuilder endpoints, ApprovalService approvals, ReviewerPageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(approvals);
        _ = approvals.ReviewerTokens; // Fails here, not on the first request, when the service has no token secret.
        return Map(endpoints, _ => approvals, options ?? new ReviewerPageOptions());
    }

    internal static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, Func<HttpContext, ApprovalService?> approvals, ReviewerPageOptions options)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Path.StartsWith('/') || options.Path.Contains("//", StringComparison.Ordinal) || options.Path.Length < 2)
        {
            throw new ArgumentException($"ReviewerPageOptions.Path \"{options.Path}\" must be an absolute path such as /reviewer.", nameof(options));
        }

        var services = endpoints.ServiceProvider;
        var page = new ReviewerPage(
            approvals,
            options,
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>()?.CreateLogger("Sec0.Gateway.ReviewerPage"));
        var group = endpoints.MapGroup(options.Path.TrimEnd('/'));
        group.MapGet("", page.ListAsync);
        group.MapGet("/sign-in", page.SignInFormAsync);
        group.MapPost("/sign-in", page.SignInAsync);
        group.MapPost("/sign-out", page.SignOutAsync);
        group.MapGet("/pending", page.PendingAsync);
        group.MapGet("/escalations/{id}", page.DetailsAsync);
        group.MapGet("/escalations/{id}/status", page.StatusAsync);
        group.MapPost("/escalations/{id}/vote", page.VoteAsync);
        group.MapGet("/assets/{name}", page.AssetAsync);
        group.WithDisplayName("Sec0 reviewer page");
        return group;
    }
}
