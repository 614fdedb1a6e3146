using Sec0.Config;

namespace Sec0.Instrumentation.Tests.Config;

/// <summary>The control-plane keys of sec0.config.yaml: <c>policy: { source: control-plane }</c> and <c>controlPlane.escalations/auditUpload/runtime</c>, with their variables.</summary>
public sealed class ControlPlaneConfigTests : IDisposable
{
    private readonly TempConfigDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private Sec0Config Load(string block, params (string Name, string Value)[] variables)
    {
        // Minimal ends inside the controlPlane block: indented lines continue it, unindented ones are root keys.
        var path = _dir.Write("sec0.config.yaml", ConfigSamples.Minimal + "\n" + block);
        _dir.WriteKey();
        return Sec0ConfigLoader.Load(path, TempConfigDirectory.Options(true, variables));
    }

    [Fact]
    public void Without_the_keys_everything_is_local()
    {
        var config = Load(string.Empty);
        Assert.Null(config.ControlPlanePolicy);
        Assert.Equal(EscalationReporting.Local, config.ControlPlane.Escalations);
        Assert.Null(config.ControlPlane.AuditUpload);
        Assert.Null(config.ControlPlane.Runtime);
    }

    [Fact]
    public void The_control_plane_policy_source_reads_its_keys_and_defaults()
    {
        var config = Load("policy: { source: control-plane }");
        Assert.Null(config.PolicyPath);
        Assert.Equal(new ControlPlanePolicyConfig(), config.ControlPlanePolicy);

        config = Load("policy:\n  source: control-plane\n  level: gateway\n  nodeId: payments\n  refreshTtlMs: 5000\n  fallbackToBase: false\n");
        Assert.Equal(new ControlPlanePolicyConfig { Level = "gateway", NodeId = "payments", RefreshTtl = TimeSpan.FromSeconds(5), FallbackToBase = false }, config.ControlPlanePolicy);
    }

    [Fact]
    public void Features_and_variables_are_read_with_the_file_winning()
    {
        var config = Load(
            "  escalations: mirror\n  auditUpload: { intervalMs: 2000 }\n  runtime: { mode: remote, endpoint: \"http://127.0.0.1:9/v1/runtime/evaluate\", timeoutMs: 200 }\n",
            ("SEC0_AUDIT_UPLOAD_MAX_ATTEMPTS", "5"),
            ("SEC0_AUDIT_UPLOAD_RETRY_DELAY_MS", "100"),
            ("SEC0_AUDIT_TIMEOUT_MS", "2500"),
            ("SEC0_RUNTIME_TIMEOUT_MS", "900"),
            ("SEC0_RUNTIME_FAILURE_MODE", "deny"),
            ("SEC0_RUNTIME_API_KEY", "rt-key"));

        Assert.Equal(EscalationReporting.Mirror, config.ControlPlane.Escalations);
        Assert.Equal(new AuditUploadConfig { Enabled = true, Interval = TimeSpan.FromSeconds(2), MaxAttempts = 5, RetryDelay = TimeSpan.FromMilliseconds(100), Timeout = TimeSpan.FromMilliseconds(2500) }, config.ControlPlane.AuditUpload);
        var runtime = config.ControlPlane.Runtime!;
        Assert.Equal(new Uri("http://127.0.0.1:9/v1/runtime/evaluate"), runtime.Endpoint);
        Assert.Equal(TimeSpan.FromMilliseconds(200), runtime.Budget);
        Assert.Equal(RemoteDecisionFailureMode.Deny, runtime.FailureMode);
        Assert.Equal("rt-key", runtime.ApiKey);
    }

    [Fact]
    public void Remote_decisions_can_be_turned_on_by_the_variables_alone()
    {
        var config = Load(string.Empty, ("SEC0_RUNTIME_MODE", "REMOTE"), ("SEC0_RUNTIME_REMOTE_URL", "https://rt.example/v1/runtime/evaluate"), ("SEC0_API_KEY", "cp-key"));
        Assert.Equal(new Uri("https://rt.example/v1/runtime/evaluate"), config.ControlPlane.Runtime!.Endpoint);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), config.ControlPlane.Runtime.Budget);
        Assert.Equal("cp-key", config.ControlPlane.Runtime.ApiKey);
    }

    [Theory]
    [InlineData("policy: { level: gateway }", "policy.source is required in a policy mapping")]
    [InlineData("policy: { source: file }", "policy.source \"file\" is not a policy source")]
    [InlineData("policy: { source: control-plane, level: edge }", "policy.level \"edge\" must be middleware or gateway")]
    [InlineData("policy: { source: control-plane, refreshTtl: 5 }", "policy.refreshTtl is not a key of policy")]
    [InlineData("policy: { source: control-plane, refreshTtlMs: 10 }", "policy.refreshTtlMs must be an integer >= 1000")]
    [InlineData("  escalations: remote", "controlPlane.escalations \"remote\" must be local or mirror")]
    [InlineData("  auditUpload: { enable: true }", "controlPlane.auditUpload.enable is not a key of controlPlane.auditUpload")]
    [InlineData("  runtime: { mode: remote }", "controlPlane.runtime.endpoint is required with mode: remote")]
    [InlineData("  runtime: { mode: remote, endpoint: /v1/runtime/evaluate }", "must be an absolute http or https URL")]
    [InlineData("  runtime: { mode: hybrid }", "controlPlane.runtime.mode \"hybrid\" (or SEC0_RUNTIME_MODE) must be local or remote")]
    [InlineData("  runtime: { mode: remote, endpoint: \"http://h/e\", failureMode: open }", "failureMode \"open\" (or SEC0_RUNTIME_FAILURE_MODE) must be local, allow or deny")]
    public void A_mistake_names_the_key_and_how_to_fix_it(string block, string expected)
    {
        var error = Assert.Throws<Sec0ConfigException>(() => Load(block));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SEC0_AUDIT_UPLOAD_MAX_ATTEMPTS", "0")]
    [InlineData("SEC0_AUDIT_UPLOAD_RETRY_DELAY_MS", "50")]
    [InlineData("SEC0_AUDIT_TIMEOUT_MS", "soon")]
    public void A_variable_out_of_range_is_refused_not_clamped(string variable, string value)
    {
        var error = Assert.Throws<Sec0ConfigException>(() => Load("  auditUpload: { enabled: true }", (variable, value)));
        Assert.Contains($"the environment variable {variable}=\"{value}\" must be a whole number", error.Message, StringComparison.Ordinal);
    }
}
