using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using Sec0.Mcp;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Sec0 to an MCP server: <c>services.AddMcpServer().WithTools&lt;T&gt;().WithSec0Security(options)</c>.</summary>
public static class Sec0McpServerBuilderExtensions
{
    /// <summary>
    /// Secures the MCP server: the tool registry is frozen when the server is built, every <c>tools/call</c> is
    /// decided by the policy before it runs and recorded in the signed audit log, handler swaps are blocked and
    /// changed tool definitions reported. Options are validated when the host starts.
    /// </summary>
    /// <param name="builder">The MCP server builder.</param>
    /// <param name="configure">Sets the options.</param>
    public static IMcpServerBuilder WithSec0Security(this IMcpServerBuilder builder, Action<Sec0McpOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<Sec0McpOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Sec0McpOptions>, Sec0McpOptionsValidator>());
        services.TryAddSingleton(sp => new Sec0McpRuntime(sp.GetRequiredService<IOptions<Sec0McpOptions>>(), sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<Sec0ToolCallGuard>();
        services.TryAddSingleton<Sec0ToolListGuard>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<McpServerOptions>, Sec0McpServerOptionsPostConfigure>());
        if (!services.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(Sec0McpStartupService)))
        {
            // First of all hosted services: the MCP server's own must not start before Sec0 is loaded.
            services.Insert(0, ServiceDescriptor.Singleton<IHostedService, Sec0McpStartupService>());
        }

        return builder;
    }

    /// <summary>Secures the MCP server with an options object built beforehand (its values are copied).</summary>
    /// <param name="builder">The MCP server builder.</param>
    /// <param name="options">The options.</param>
    public static IMcpServerBuilder WithSec0Security(this IMcpServerBuilder builder, Sec0McpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return builder.WithSec0Security(target =>
        {
            target.Policy = options.Policy;
            target.PolicyYaml = options.PolicyYaml;
            target.PolicyPath = options.PolicyPath;
            target.Signer = options.Signer;
            target.SignerKeyRef = options.SignerKeyRef;
            target.Otel = options.Otel;
            target.Sec0 = options.Sec0;
            target.Sast = options.Sast;
            target.Dast = options.Dast;
            target.Tenant = options.Tenant;
            target.TimeProvider = options.TimeProvider;
            foreach (var assembly in options.ToolAssemblies)
            {
                target.ToolAssemblies.Add(assembly);
            }
        });
    }
}
