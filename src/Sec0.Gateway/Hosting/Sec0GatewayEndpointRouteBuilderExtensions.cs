using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Sec0.Gateway.Pipeline;

namespace Sec0.Gateway;

/// <summary>Maps the gateway's routes.</summary>
public static class Sec0GatewayEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves <c>POST /mcp/{server}/{tool}@{version}</c> (every other method on it is a 405) and
    /// <c>GET /approvals/{id}</c> (an escalated call's status and approval token), and the reviewer page under <c>/reviewer</c>
    /// (404 while no approvals are on or <see cref="Sec0GatewayOptions.ReviewerPage"/> is false). With
    /// <paramref name="answerUnknownRoutes"/>, every route the app does not serve gets the gateway's 404 JSON and
    /// an envelope; leave it false when the app serves its own pages.
    /// </summary>
    public static IEndpointConventionBuilder MapSec0Gateway(this IEndpointRouteBuilder endpoints, bool answerUnknownRoutes = true)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<IServiceProviderIsService>()?.IsService(typeof(GatewayRequestHandler)) == false)
        {
            throw new InvalidOperationException("[sec0-gateway] MapSec0Gateway needs the gateway's services: call builder.Services.AddSec0Gateway(...) first.");
        }

        // Resolved per request, not here: option errors then surface when the host starts (GatewayStartupService), as documented.
        GatewayRequestHandler? handler = null;
        RequestDelegate handle = context => (handler ??= context.RequestServices.GetRequiredService<GatewayRequestHandler>()).HandleAsync(context);
        var builder = endpoints.Map(ToolRoute.Prefix + "{**path}", handle).WithDisplayName("Sec0 gateway");

        // Where an escalated call stands, and its approval token once approved (docs/approvals.md).
        GatewayApprovalStatusHandler? approvals = null;
        endpoints.MapGet(GatewayApprovalStatusHandler.Route, context => (approvals ??= context.RequestServices.GetRequiredService<GatewayApprovalStatusHandler>()).HandleAsync(context))
            .WithDisplayName("Sec0 gateway (approval status)");
        // The reviewer page, for the approvals the gateway opened (for PostgreSQL they are opened when the host starts).
        Reviewing.Sec0ReviewerPageEndpointRouteBuilderExtensions.Map(
            endpoints,
            context => context.RequestServices.GetRequiredService<GatewayRuntime>().Options is { ReviewerPage: true } options ? options.Approvals : null,
            new Reviewing.ReviewerPageOptions());

        if (answerUnknownRoutes)
        {
            endpoints.MapFallback("{**path}", handle).WithDisplayName("Sec0 gateway (unknown route)");
        }

        return builder;
    }
}
