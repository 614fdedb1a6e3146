using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Sec0.Mcp.Tests;

/// <summary>A missing or invalid option stops the host at start-up with a message naming it.</summary>
public sealed class StartupValidationTests
{
    [Fact]
    public async Task Missing_audit_directory_fails_start_up_naming_the_option()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => McpTestServer.StartAsync(options => options.Sec0.Dir = null));
        Assert.Contains("Sec0McpOptions.Sec0.Dir", error.Message);
    }

    [Fact]
    public async Task Missing_policy_and_signer_fail_start_up_naming_both()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => McpTestServer.StartAsync(options =>
        {
            options.PolicyYaml = null;
            options.Signer = null;
        }));
        Assert.Contains("Sec0McpOptions.Policy", error.Message);
        Assert.Contains("Sec0McpOptions.Signer", error.Message);
    }

    [Fact]
    public async Task Invalid_policy_fails_start_up_naming_the_option()
    {
        var error = await Assert.ThrowsAsync<Sec0McpOptionsException>(() => McpTestServer.StartAsync(options => options.PolicyYaml = "tenant: [unclosed"));
        Assert.Equal("Sec0McpOptions.PolicyYaml", error.OptionName);
    }

    [Fact]
    public async Task Invalid_environment_fails_start_up()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => McpTestServer.StartAsync(options => options.Otel.Environment = "production"));
        Assert.Contains("Sec0McpOptions.Otel.Environment", error.Message);
    }

    [Fact]
    public async Task Replacing_Sec0s_filter_list_afterwards_fails_start_up()
    {
        var error = await Assert.ThrowsAsync<Sec0McpOptionsException>(() => McpTestServer.StartAsync(afterSec0: builder =>
            builder.Services.PostConfigure<McpServerOptions>(options =>
                options.Filters.Request.CallToolFilters = new List<McpRequestFilter<CallToolRequestParams, CallToolResult>>())));
        Assert.Equal("McpServerOptions.Filters.Request.CallToolFilters", error.OptionName);
    }
}
