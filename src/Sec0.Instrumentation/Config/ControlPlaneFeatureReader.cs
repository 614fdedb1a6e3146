using System.Globalization;
using Sec0.Config.Yaml;

namespace Sec0.Config;

/// <summary>
/// Reads the control-plane features of <c>sec0.config.yaml</c>: <c>policy: { source: control-plane }</c> and
/// <c>controlPlane.escalations</c>, <c>auditUpload</c> and <c>runtime</c>, with their <c>SEC0_*</c> variables. These keys
/// are new in this SDK, so an unknown key below them is an error, not a warning.
/// </summary>
internal sealed class ControlPlaneFeatureReader(YamlConfigReader reader, Func<string, string?> env)
{
    private static readonly string[] s_policyKeys = ["source", "level", "nodeId", "refreshTtlMs", "fallbackToBase"];
    private static readonly string[] s_uploadKeys = ["enabled", "intervalMs"];
    private static readonly string[] s_runtimeKeys = ["mode", "endpoint", "failureMode", "timeoutMs", "maxRetries", "retryBackoffMs"];

    public ControlPlanePolicyConfig ReadPolicy(ConfigMapping policy)
    {
        const string path = "policy";
        RefuseUnknown(policy, path, s_policyKeys, "docs/control-plane.md");
        var source = reader.ReadString(policy, "source", path);
        if (source != "control-plane")
        {
            throw reader.Error(
                YamlConfigReader.Join(path, "source"),
                source is null
                    ? "is required in a policy mapping: write policy: { source: control-plane } for the control plane's policy, or policy: ./policy.yaml for a file"
                    : $"\"{source}\" is not a policy source: use control-plane, or give a file path as policy: ./policy.yaml",
                YamlConfigReader.Get(policy, "source") ?? policy.Node);
        }

        var level = reader.ReadString(policy, "level", path) ?? "middleware";
        if (level is not ("middleware" or "gateway"))
        {
            throw reader.Error(YamlConfigReader.Join(path, "level"), $"\"{level}\" must be middleware or gateway", YamlConfigReader.Get(policy, "level"));
        }

        return new ControlPlanePolicyConfig
        {
            Level = level,
            NodeId = reader.ReadString(policy, "nodeId", path),
            RefreshTtl = TimeSpan.FromMilliseconds(reader.ReadInt(policy, "refreshTtlMs", path, 1000) ?? (int)ControlPlanePolicyConfig.DefaultRefreshTtl.TotalMilliseconds),
            FallbackToBase = reader.ReadBool(policy, "fallbackToBase", path) ?? true,
        };
    }

    public ControlPlaneConfig ReadFeatures(ConfigMapping? controlPlane, ControlPlaneConfig read, AuthConfig auth)
    {
        const string path = "controlPlane";
        var escalations = reader.ReadString(controlPlane, "escalations", path) switch
        {
            null or "local" => EscalationReporting.Local,
            "mirror" => EscalationReporting.Mirror,
            var other => throw reader.Error(YamlConfigReader.Join(path, "escalations"), $"\"{other}\" must be local or mirror", YamlConfigReader.Get(controlPlane, "escalations")),
        };

        return read with
        {
            Escalations = escalations,
            AuditUpload = ReadUpload(reader.ReadMapping(controlPlane, "auditUpload", path)),
            Runtime = ReadRuntime(reader.ReadMapping(controlPlane, "runtime", path), auth),
        };
    }

    private AuditUploadConfig? ReadUpload(ConfigMapping? upload)
    {
        const string path = "controlPlane.auditUpload";
        if (upload is null)
        {
            return null;
        }

        RefuseUnknown(upload, path, s_uploadKeys, "docs/control-plane.md");
        var defaults = new AuditUploadConfig();
        return new AuditUploadConfig
        {
            Enabled = reader.ReadBool(upload, "enabled", path) ?? true,
            Interval = TimeSpan.FromMilliseconds(reader.ReadInt(upload, "intervalMs", path, 1000) ?? (int)defaults.Interval.TotalMilliseconds),
            MaxAttempts = EnvInt("SEC0_AUDIT_UPLOAD_MAX_ATTEMPTS", 1, 100) ?? defaults.MaxAttempts,
            RetryDelay = EnvMilliseconds("SEC0_AUDIT_UPLOAD_RETRY_DELAY_MS", 100) ?? defaults.RetryDelay,
            Timeout = EnvMilliseconds("SEC0_AUDIT_TIMEOUT_MS", 1000) ?? defaults.Timeout,
        };
    }

    private RemoteDecisionConfig? ReadRuntime(ConfigMapping? runtime, AuthConfig auth)
    {
        const string path = "controlPlane.runtime";
        if (runtime is not null)
        {
            RefuseUnknown(runtime, path, s_runtimeKeys, "docs/control-plane.md");
        }

        // The file wins over the variables, as for apiBaseUrl.
        var mode = reader.ReadString(runtime, "mode", path) ?? env("SEC0_RUNTIME_MODE")?.Trim().ToLowerInvariant();
        if (mode is null or "" or "local")
        {
            return null;
        }

        if (mode != "remote")
        {
            throw reader.Error(path + ".mode", $"\"{mode}\" (or SEC0_RUNTIME_MODE) must be local or remote", YamlConfigReader.Get(runtime, "mode"));
        }

        var endpointText = reader.ReadString(runtime, "endpoint", path) ?? env("SEC0_RUNTIME_REMOTE_URL")?.Trim();
        if (string.IsNullOrEmpty(endpointText) || !Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw reader.Error(
                path + ".endpoint",
                string.IsNullOrEmpty(endpointText)
                    ? "is required with mode: remote: set it (or SEC0_RUNTIME_REMOTE_URL) to the evaluate URL, such as https://runtime.example.com/v1/runtime/evaluate"
                    : $"\"{endpointText}\" must be an absolute http or https URL, path included (…/v1/runtime/evaluate)",
                YamlConfigReader.Get(runtime, "endpoint"));
        }

        var failureText = reader.ReadString(runtime, "failureMode", path) ?? env("SEC0_RUNTIME_FAILURE_MODE")?.Trim().ToLowerInvariant();
        var failureMode = failureText switch
        {
            null or "" or "local" => RemoteDecisionFailureMode.Local,
            "allow" => RemoteDecisionFailureMode.Allow,
            "deny" => RemoteDecisionFailureMode.Deny,
            _ => throw reader.Error(path + ".failureMode", $"\"{failureText}\" (or SEC0_RUNTIME_FAILURE_MODE) must be local, allow or deny", YamlConfigReader.Get(runtime, "failureMode")),
        };

        var defaults = new RemoteDecisionConfig { Endpoint = endpoint };
        return defaults with
        {
            FailureMode = failureMode,
            Budget = Milliseconds(runtime, "timeoutMs", "SEC0_RUNTIME_TIMEOUT_MS", 1) ?? defaults.Budget,
            MaxRetries = reader.ReadInt(runtime, "maxRetries", path, 0) ?? EnvInt("SEC0_RUNTIME_MAX_RETRIES", 0, 10) ?? defaults.MaxRetries,
            RetryBackoff = Milliseconds(runtime, "retryBackoffMs", "SEC0_RUNTIME_RETRY_BACKOFF_MS", 0) ?? defaults.RetryBackoff,
            ApiKey = env("SEC0_RUNTIME_API_KEY")?.Trim() is { Length: > 0 } key ? key : auth.Sec0ApiKey ?? auth.Sec0BearerToken,
        };
    }

    private TimeSpan? Milliseconds(ConfigMapping? mapping, string key, string variable, int minimum) =>
        reader.ReadInt(mapping, key, "controlPlane.runtime", minimum) is int ms ? TimeSpan.FromMilliseconds(ms) : EnvMilliseconds(variable, minimum);

    private TimeSpan? EnvMilliseconds(string variable, int minimum) =>
        EnvInt(variable, minimum, int.MaxValue) is int ms ? TimeSpan.FromMilliseconds(ms) : null;

    private int? EnvInt(string variable, int minimum, int maximum)
    {
        var text = env(variable)?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        // Not clamped as Sec0's TypeScript SDK does: a value that would be changed silently is refused with what to write.
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < minimum || value > maximum)
        {
            throw reader.ShapeError($"the environment variable {variable}=\"{text}\" must be a whole number from {minimum} to {maximum}", null);
        }

        return value;
    }

    private void RefuseUnknown(ConfigMapping mapping, string path, string[] known, string docs)
    {
        foreach (var entry in mapping.Entries)
        {
            if (Array.IndexOf(known, entry.Key) < 0)
            {
                throw reader.Error(YamlConfigReader.Join(path, entry.Key), $"is not a key of {path}: use {string.Join(", ", known)} ({docs})", entry.Value);
            }
        }
    }
}
