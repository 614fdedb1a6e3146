using Microsoft.Extensions.Options;

namespace Sec0.Mcp;

/// <summary>
/// Checks <see cref="Sec0McpOptions"/> when the host starts (registered with <c>ValidateOnStart</c>), so a
/// missing or contradictory option stops start-up with a message that names it instead of failing the first call.
/// Loading the policy and the key is done by the runtime right after, with errors that name the option too.
/// </summary>
internal sealed class Sec0McpOptionsValidator : IValidateOptions<Sec0McpOptions>
{
    private static readonly string[] s_environments = ["dev", "staging", "prod"];

    public ValidateOptionsResult Validate(string? name, Sec0McpOptions options)
    {
        var failures = new List<string>();
        var policySources = new List<string>();
        if (options.Policy is not null)
        {
            policySources.Add(nameof(Sec0McpOptions.Policy));
        }

        if (options.PolicyYaml is not null)
        {
            policySources.Add(nameof(Sec0McpOptions.PolicyYaml));
        }

        if (options.PolicyPath is not null)
        {
            policySources.Add(nameof(Sec0McpOptions.PolicyPath));
        }

        if (policySources.Count == 0)
        {
            failures.Add("[sec0] Sec0McpOptions.Policy is required: set Policy (a PolicyDocument), PolicyYaml (policy.yaml text) or PolicyPath (a policy.yaml file).");
        }
        else if (policySources.Count > 1)
        {
            failures.Add($"[sec0] Sec0McpOptions sets {string.Join(" and ", policySources)}: give exactly one policy source.");
        }
        else if (options.PolicyYaml is { } yaml && string.IsNullOrWhiteSpace(yaml))
        {
            failures.Add("[sec0] Sec0McpOptions.PolicyYaml is empty.");
        }
        else if (options.PolicyPath is { } path && !File.Exists(Path.GetFullPath(path)))
        {
            failures.Add($"[sec0] Sec0McpOptions.PolicyPath: policy file not found: {Path.GetFullPath(path)}");
        }

        if (options.Signer is null && string.IsNullOrWhiteSpace(options.SignerKeyRef))
        {
            failures.Add("[sec0] Sec0McpOptions.Signer is required: set Signer (an AuditSigner) or SignerKeyRef (e.g. file://./.sec0/keys/ed25519.key).");
        }
        else if (options.Signer is not null && options.SignerKeyRef is not null)
        {
            failures.Add("[sec0] Sec0McpOptions sets Signer and SignerKeyRef: give exactly one.");
        }

        if (options.Sec0 is null || string.IsNullOrWhiteSpace(options.Sec0.Dir))
        {
            failures.Add("[sec0] Sec0McpOptions.Sec0.Dir is required: the audit log directory (e.g. ./.sec0/logs).");
        }
        else if (options.Sec0.RetentionDays < 1)
        {
            failures.Add($"[sec0] Sec0McpOptions.Sec0.RetentionDays must be at least 1 (was {options.Sec0.RetentionDays}).");
        }

        if (options.Otel is null)
        {
            failures.Add("[sec0] Sec0McpOptions.Otel must not be null.");
        }
        else
        {
            if (options.Otel.Environment is { } environment && !s_environments.Contains(environment.Trim().ToLowerInvariant()))
            {
                failures.Add($"[sec0] Sec0McpOptions.Otel.Environment \"{environment}\" is invalid. Expected dev, staging, or prod.");
            }

            if (options.Otel.Endpoint is { } endpoint && (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)))
            {
                failures.Add($"[sec0] Sec0McpOptions.Otel.Endpoint \"{endpoint}\" must be an absolute http or https URL.");
            }
        }

        if (options.Sast is null || options.Dast is null)
        {
            failures.Add($"[sec0] Sec0McpOptions.{(options.Sast is null ? "Sast" : "Dast")} must not be null.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
