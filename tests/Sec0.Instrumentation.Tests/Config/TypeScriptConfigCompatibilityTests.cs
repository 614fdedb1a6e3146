using Microsoft.Extensions.Logging;
using Sec0.Config;
using Sec0.Instrumentation.Tests.Support;
using Sec0.Policy;

namespace Sec0.Instrumentation.Tests.Config;

/// <summary>
/// sec0.config.yaml files written for Sec0's TypeScript SDK: its spellings keep their TypeScript meaning, and
/// what would mean something else here is refused with a message that says what to write.
/// </summary>
[Collection(nameof(Sec0AppCollection))]
public sealed class TypeScriptConfigCompatibilityTests : IDisposable
{
    private const string Policy = """
        tenant: demo
        security: { limits: { max_payload_kb: 1 } }
        enforcement: { deny_on: [payload_too_large] }
        """;

    private static readonly DecisionContext s_largePayload = new() { Server = "s", Tool = "t", Version = "1.0.0", PayloadBytes = 10_000 };

    private readonly TempConfigDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string WithHop(string enforcement, string extra = "") => $$"""
        app:
          tenant: demo
          environment: dev
          hops:
            A.Run:
              type: agent
              nodeId: a
              agentName: a
              agentVersion: "1"
              enforcement: { {{enforcement}} }
        controlPlane:
          sec0Dir: ./.sec0
          localSignerPath: ./.sec0/keys/ed25519.key
        {{extra}}
        """;

    private Sec0Config Load(string yaml, params (string Name, string Value)[] variables)
    {
        var path = _dir.Write("sec0.config.yaml", yaml);
        _dir.WriteKey();
        return Sec0ConfigLoader.Load(path, TempConfigDirectory.Options(true, variables));
    }

    private string LoadFails(string yaml)
    {
        var path = _dir.Write("sec0.config.yaml", yaml);
        _dir.WriteKey();
        return Assert.Throws<Sec0ConfigException>(() => Sec0ConfigLoader.Load(path, TempConfigDirectory.Options())).Message;
    }

    private static DecisionOutcome Decide(HopEnforcementConfig enforcement) =>
        DecisionEngine.Create(PolicyLoader.Parse(Policy, "policy.yaml")).WithEnforcement(enforcement).Decide(s_largePayload).Outcome;

    [Fact]
    public void Camel_case_denyOn_and_escalateOn_are_read_with_their_meaning()
    {
        var hop = Load(WithHop("denyOn: [payload_too_large], escalateOn: [version_unpinned]")).GetHop("A.Run");

        Assert.Equal(["payload_too_large"], hop.Enforcement.DenyOn);
        Assert.Equal(["version_unpinned"], hop.Enforcement.EscalateOn);
        Assert.Equal(DecisionOutcome.Deny, Decide(hop.Enforcement with { DenyOn = ["payload_too_large"], EscalateOn = null }));
    }

    [Fact]
    public void Both_spellings_with_the_same_reasons_are_accepted()
    {
        var hop = Load(WithHop("deny_on: [payload_too_large, version_unpinned], denyOn: [version_unpinned, payload_too_large]")).GetHop("A.Run");

        Assert.Equal(2, hop.Enforcement.DenyOn!.Count);
    }

    [Fact]
    public void Both_spellings_with_different_reasons_are_refused()
    {
        var message = LoadFails(WithHop("deny_on: [payload_too_large], denyOn: [egress_violation]"));

        Assert.Contains("app.hops.A.Run.enforcement gives both deny_on and denyOn with different reasons; keep one of them", message, StringComparison.Ordinal);
        Assert.Contains("line 10", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mode: Observe", "app.hops.A.Run.enforcement.mode \"Observe\" must be written in lowercase: observe or enforce. Sec0's TypeScript SDK compares it exactly and reads \"Observe\" as enforce")]
    [InlineData("mode: ENFORCE", "app.hops.A.Run.enforcement.mode \"ENFORCE\" must be written in lowercase: observe or enforce.")]
    [InlineData("strategy: Deny_On_Any", "app.hops.A.Run.enforcement.strategy \"Deny_On_Any\" must be written in lowercase: deny_on_match or deny_on_any. Sec0's TypeScript SDK compares it exactly and reads \"Deny_On_Any\" as deny_on_match")]
    public void Mode_and_strategy_in_another_letter_case_are_refused_because_the_SDKs_read_them_differently(string enforcement, string expected)
    {
        Assert.Contains(expected, LoadFails(WithHop(enforcement + ", deny_on: [payload_too_large]")), StringComparison.Ordinal);
    }

    [Fact]
    public void Enabled_false_records_but_never_blocks_and_the_hop_is_still_decided()
    {
        var enabled = Load(WithHop("mode: enforce, deny_on: [payload_too_large]")).GetHop("A.Run").Enforcement;
        var disabled = Load(WithHop("enabled: false, deny_on: [payload_too_large]")).GetHop("A.Run").Enforcement;

        Assert.False(disabled.Enabled);
        Assert.Equal(DecisionOutcome.Deny, Decide(enabled));
        Assert.Equal(DecisionOutcome.WouldDeny, Decide(disabled));
    }

    [Fact]
    public void Enabled_false_with_mode_enforce_is_refused()
    {
        Assert.Contains(
            "app.hops.A.Run.enforcement sets both enabled: false and mode: enforce",
            LoadFails(WithHop("enabled: false, mode: enforce")),
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_hop_block_without_deny_on_uses_the_policys_deny_on_as_in_the_TypeScript_SDK()
    {
        var hop = Load(WithHop("mode: enforce")).GetHop("A.Run");

        Assert.Null(hop.Enforcement.DenyOn);
        Assert.Equal(DecisionOutcome.Deny, Decide(hop.Enforcement));
    }

    [Theory]
    [InlineData("deny_on: []", "app.hops.A.Run.enforcement.deny_on is empty. Sec0's TypeScript SDK reads an empty list as \"use the policy's deny_on\"")]
    [InlineData("denyOn: []", "app.hops.A.Run.enforcement.denyOn is empty.")]
    public void An_empty_hop_deny_on_is_refused_because_the_SDKs_read_it_differently(string enforcement, string expected)
    {
        Assert.Contains(expected, LoadFails(WithHop(enforcement)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelled_enforcement_key_is_an_error_not_ignored()
    {
        var message = LoadFails(WithHop("deny_onn: [payload_too_large]"));

        Assert.Contains("app.hops.A.Run.enforcement.deny_onn is not an enforcement key; did you mean \"deny_on\"?", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_keys_are_listed_not_errors()
    {
        var config = Load(WithHop("mode: observe, deny_on: [payload_too_large], policyLevel: gateway", "  otlpEndpoint: http://otel:4318\nextra: 1\n")
            .Replace("      nodeId: a\n", "      nodeId: a\n      automation: { idempotency: true }\n", StringComparison.Ordinal));

        Assert.Equal(
            ["app.hops.A.Run.automation", "app.hops.A.Run.enforcement.policyLevel", "controlPlane.otlpEndpoint", "extra"],
            config.UnknownKeys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Unknown_keys_are_logged_once_as_a_warning_at_start_up()
    {
        var configPath = _dir.Write("sec0.config.yaml", "app: { tenant: demo, environment: dev, color: blue }\ncontrolPlane: { sec0Dir: ./.sec0, localSignerPath: ./.sec0/keys/ed25519.key, presign: {} }\n");
        using var loggers = new CollectingLoggerFactory();

        using (Sec0App.Initialize(configPath, new Sec0AppOptions { CreateSigningKeyIfMissing = true, LoggerFactory = loggers }))
        {
        }

        var warning = Assert.Single(loggers.Logger.Entries, entry => entry.Message.Contains("does not read", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal($"[sec0] {configPath} has keys this SDK does not read; they are ignored: app.color, controlPlane.presign", warning.Message);
    }

    [Fact]
    public void A_config_without_unknown_keys_logs_no_such_warning()
    {
        var configPath = _dir.Write("sec0.config.yaml", ConfigSamples.Minimal);
        using var loggers = new CollectingLoggerFactory();

        using (Sec0App.Initialize(configPath, new Sec0AppOptions { CreateSigningKeyIfMissing = true, LoggerFactory = loggers }))
        {
        }

        Assert.DoesNotContain(loggers.Logger.Entries, entry => entry.Message.Contains("does not read", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("https://file.example/", "https://env1.example", "https://env2.example", "https://env3.example", "https://file.example")]
    [InlineData(null, "https://env1.example/", "https://env2.example", "https://env3.example", "https://env1.example")]
    [InlineData(null, null, "https://env2.example", "https://env3.example", "https://env2.example")]
    [InlineData(null, " ", null, "https://env3.example", "https://env3.example")]
    [InlineData(null, null, null, null, null)]
    public void The_control_plane_url_follows_the_TypeScript_order(string? file, string? sec0ControlPlaneUrl, string? controlPlaneUrl, string? apiBaseUrl, string? expected)
    {
        var yaml = ConfigSamples.Minimal + (file is null ? string.Empty : $"\n  apiBaseUrl: {file}\n");
        var variables = new List<(string, string)>();
        AddIfSet(variables, "SEC0_CONTROL_PLANE_URL", sec0ControlPlaneUrl);
        AddIfSet(variables, "CONTROL_PLANE_URL", controlPlaneUrl);
        AddIfSet(variables, "API_BASE_URL", apiBaseUrl);

        Assert.Equal(expected, Load(yaml, [.. variables]).ControlPlane.ApiBaseUrl);
    }

    [Fact]
    public void SEC0_BEARER_TOKEN_is_read_into_auth()
    {
        Assert.Equal("tok", Load(ConfigSamples.Minimal, ("SEC0_BEARER_TOKEN", " tok ")).Auth.Sec0BearerToken);
        Assert.Null(Load(ConfigSamples.Minimal).Auth.Sec0BearerToken);
    }

    private static void AddIfSet(List<(string, string)> variables, string name, string? value)
    {
        if (value is not null)
        {
            variables.Add((name, value));
        }
    }
}
