using Sec0.Config;

namespace Sec0.Instrumentation.Tests.Config;

/// <summary>Every documented error text, asserted word for word, with the file and position it names.</summary>
public sealed class Sec0ConfigErrorTests : IDisposable
{
    private const string ControlPlane = """
        controlPlane:
          sec0Dir: ./.sec0
          localSignerPath: ./.sec0/keys/ed25519.key
        """;

    private readonly TempConfigDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string ConfigPath => Path.Combine(_dir.Root, "sec0.config.yaml");

    private Sec0ConfigException LoadFails(string yaml, Sec0ConfigLoadOptions? options = null)
    {
        var path = _dir.Write("sec0.config.yaml", yaml);
        _dir.WriteKey();
        var error = Assert.Throws<Sec0ConfigException>(() => Sec0ConfigLoader.Load(path, options ?? TempConfigDirectory.Options()));
        Assert.Equal(Sec0ConfigException.ErrorCode, error.Code);
        Assert.Equal(path, error.FilePath);
        return error;
    }

    /// <summary>A valid app block with the given hops (already indented by four spaces) plus a valid control plane.</summary>
    private static string WithHops(string hops) => $"""
        app:
          tenant: demo
          environment: dev
          client: {"{"} name: demo-agents, version: "1.0.0" {"}"}
          hops:
        {hops}
        {ControlPlane}
        """;

    [Fact]
    public void Missing_file_is_config_file_not_found_with_the_absolute_path()
    {
        var missing = Path.Combine(_dir.Root, "nope", "sec0.config.yaml");

        var error = Assert.Throws<Sec0ConfigException>(() => Sec0ConfigLoader.Load(missing, TempConfigDirectory.Options()));

        Assert.Equal($"[sec0] Config file not found: {missing}", error.Message);
        Assert.Equal(missing, error.FilePath);
    }

    [Fact]
    public void Relative_missing_file_is_reported_with_its_absolute_path()
    {
        var relative = Path.Combine("no-such-folder-" + Guid.NewGuid().ToString("N"), "sec0.config.yaml");

        var error = Assert.Throws<Sec0ConfigException>(() => Sec0ConfigLoader.Load(relative, TempConfigDirectory.Options()));

        Assert.Equal($"[sec0] Config file not found: {Path.GetFullPath(relative)}", error.Message);
    }

    [Fact]
    public void Folder_instead_of_file_is_invalid()
    {
        var folder = Path.Combine(_dir.Root, "folder.yaml");
        Directory.CreateDirectory(folder);

        var error = Assert.Throws<Sec0ConfigException>(() => Sec0ConfigLoader.Load(folder, TempConfigDirectory.Options()));

        Assert.Equal($"[sec0] Invalid config file: {folder} (the path is a folder, not a file)", error.Message);
    }

    [Fact]
    public void Invalid_utf8_is_invalid()
    {
        var path = _dir.WriteBytes("sec0.config.yaml", [.. "app:\n  tenant: "u8, 0xC3, 0x28, .. "\n"u8]);

        var error = Assert.Throws<Sec0ConfigException>(() => Sec0ConfigLoader.Load(path, TempConfigDirectory.Options()));

        Assert.Equal($"[sec0] Invalid config file: {path} (the file is not valid UTF-8 text)", error.Message);
        Assert.IsType<System.Text.DecoderFallbackException>(error.InnerException);
    }

    [Fact]
    public void Path_with_a_nul_character_is_invalid_not_an_argument_exception()
    {
        var error = Assert.Throws<Sec0ConfigException>(() => Sec0ConfigLoader.Load("bad\0name.yaml", TempConfigDirectory.Options()));

        Assert.StartsWith("[sec0] Invalid config file: bad\0name.yaml", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_syntax_error_names_file_line_and_column()
    {
        var error = LoadFails("app:\n  tenant: demo\n  environment: [dev\n");

        // The unclosed '[' is where the mistake is; parsing failed at the end of the file.
        Assert.StartsWith($"[sec0] Invalid config file: {ConfigPath} (line 3, column 16): ", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 4, column 1", error.Message, StringComparison.Ordinal);
        Assert.Equal((3, 16), (error.Line, error.Column));
        Assert.IsAssignableFrom<YamlDotNet.Core.YamlException>(error.InnerException);
        Assert.DoesNotContain("(Line:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tab_indentation_is_a_syntax_error_with_position()
    {
        var error = LoadFails("app:\n  tenant: demo\n \tenvironment: dev\n");

        Assert.StartsWith($"[sec0] Invalid config file: {ConfigPath} (line 3, column 2): ", error.Message, StringComparison.Ordinal);
        Assert.Contains("tab", error.Message, StringComparison.Ordinal);
        Assert.Equal((3, 2), (error.Line, error.Column));
    }

    [Fact]
    public void Tab_as_the_whole_indentation_points_at_the_tab()
    {
        var error = LoadFails("app:\n\ttenant: demo\n");

        Assert.StartsWith($"[sec0] Invalid config file: {ConfigPath} (line 2, column 1): ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parser_failure_without_a_yaml_exception_still_names_a_position()
    {
        // Found by the fuzz test: YamlDotNet throws ArgumentException ("unsupported type") for this input.
        var error = LoadFails("app:\n  hops:\n    A:\n      : mode: observe\n");

        Assert.StartsWith($"[sec0] Invalid config file: {ConfigPath} (line ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(error.InnerException!.Message, error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Line);
        Assert.IsNotType<YamlDotNet.Core.YamlException>(error.InnerException);
    }

    [Fact]
    public void Empty_file_is_invalid()
    {
        var error = LoadFails("");

        Assert.Equal($"[sec0] Invalid config file: {ConfigPath} (the file holds no YAML mapping)", error.Message);
    }

    [Fact]
    public void Root_that_is_a_list_is_invalid_with_its_position()
    {
        var error = LoadFails("- app\n- controlPlane\n");

        Assert.Equal($"[sec0] Invalid config file: {ConfigPath} (the root must be a mapping, line 1, column 1)", error.Message);
        Assert.Equal((1, 1), (error.Line, error.Column));
    }

    [Fact]
    public void App_that_is_a_list_is_invalid_with_its_yaml_path()
    {
        var error = LoadFails($"app:\n  - tenant\n{ControlPlane}");

        Assert.Equal($"[sec0] Invalid config file: {ConfigPath} (app must be a mapping, line 2, column 3)", error.Message);
    }

    [Fact]
    public void Hops_that_is_a_list_is_invalid_with_its_yaml_path()
    {
        var error = LoadFails($"app:\n  tenant: demo\n  environment: dev\n  hops: [A.Run]\n{ControlPlane}");

        Assert.Equal($"[sec0] Invalid config file: {ConfigPath} (app.hops must be a mapping, line 4, column 9)", error.Message);
        Assert.Equal((4, 9), (error.Line, error.Column));
    }

    [Fact]
    public void Tenant_that_is_a_mapping_is_invalid()
    {
        var error = LoadFails($"app:\n  tenant: {{ id: 1 }}\n  environment: dev\n{ControlPlane}");

        Assert.Equal($"[sec0] Invalid config file: {ConfigPath} (app.tenant must be a string, line 2, column 11)", error.Message);
    }

    [Fact]
    public void Two_yaml_documents_are_invalid()
    {
        var error = LoadFails($"{ConfigSamples.Minimal}\n---\napp: {{}}\n");

        Assert.StartsWith($"[sec0] Invalid config file: {ConfigPath} (the file holds more than one YAML document, line 8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_keys_are_invalid()
    {
        var error = LoadFails($"app:\n  tenant: a\n  tenant: b\n  environment: dev\n{ControlPlane}");

        Assert.StartsWith($"[sec0] Invalid config file: {ConfigPath}", error.Message, StringComparison.Ordinal);
        Assert.Contains("tenant", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_invalid_not_a_stack_overflow()
    {
        var deep = "app: " + new string('[', 100_000) + new string(']', 100_000) + "\n";

        var error = LoadFails(deep);

        Assert.Equal($"[sec0] Invalid config file: {ConfigPath} (line 1, column 69): The document is nested deeper than 64 levels.", error.Message);
    }

    [Fact]
    public void Cyclic_merge_key_is_invalid_not_a_stack_overflow()
    {
        var error = LoadFails($"app: &self\n  tenant: demo\n  environment: dev\n  <<: *self\n{ControlPlane}");

        Assert.StartsWith($"[sec0] Invalid config file: {ConfigPath}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_app_block()
    {
        var error = LoadFails(ControlPlane);

        Assert.Equal("[sec0] app configuration block is required.", error.Message);
    }

    [Fact]
    public void Missing_tenant()
    {
        var error = LoadFails($"app:\n  environment: dev\n{ControlPlane}");

        Assert.Equal("[sec0] app.tenant is required", error.Message);
    }

    [Fact]
    public void Blank_tenant_counts_as_missing()
    {
        var error = LoadFails($"app:\n  tenant: '  '\n  environment: dev\n{ControlPlane}");

        Assert.Equal("[sec0] app.tenant is required", error.Message);
    }

    [Fact]
    public void Missing_environment()
    {
        var error = LoadFails($"app:\n  tenant: demo\n{ControlPlane}");

        Assert.Equal("[sec0] app.environment must be set to one of dev, staging, or prod.", error.Message);
    }

    [Fact]
    public void Invalid_environment_names_the_value_and_its_position()
    {
        var error = LoadFails($"app:\n  tenant: demo\n  environment: qa\n{ControlPlane}");

        Assert.Equal("[sec0] app.environment \"qa\" is invalid. Expected dev, staging, or prod.", error.Message);
        Assert.Equal((3, 16), (error.Line, error.Column));
    }

    [Fact]
    public void Missing_sec0Dir()
    {
        var error = LoadFails("app: { tenant: demo, environment: dev }\ncontrolPlane:\n  localSignerPath: ./k.key\n");

        Assert.Equal("[sec0] controlPlane.sec0Dir is required", error.Message);
    }

    [Fact]
    public void Missing_controlPlane_block_reports_sec0Dir()
    {
        var error = LoadFails("app: { tenant: demo, environment: dev }\n");

        Assert.Equal("[sec0] controlPlane.sec0Dir is required", error.Message);
    }

    [Fact]
    public void Missing_localSignerPath()
    {
        var error = LoadFails("app: { tenant: demo, environment: dev }\ncontrolPlane:\n  sec0Dir: ./.sec0\n");

        Assert.Equal("[sec0] controlPlane.localSignerPath is required", error.Message);
    }

    [Fact]
    public void Missing_signing_key_names_its_absolute_path()
    {
        var yaml = "app: { tenant: demo, environment: dev }\ncontrolPlane:\n  sec0Dir: ./.sec0\n  localSignerPath: ./.sec0/keys/missing.key\n";

        var error = LoadFails(yaml);

        Assert.Equal($"[sec0] Signing key file not found at: {Path.Combine(_dir.Root, ".sec0", "keys", "missing.key")}", error.Message);
        Assert.Equal((4, 20), (error.Line, error.Column));
    }

    [Fact]
    public void Nul_character_in_a_path_is_invalid_with_its_position()
    {
        var error = LoadFails("app: { tenant: demo, environment: dev }\ncontrolPlane:\n  sec0Dir: \"./a\\0b\"\n  localSignerPath: ./k.key\n");

        Assert.Equal($"[sec0] Invalid config file: {ConfigPath} (controlPlane.sec0Dir is not a valid path, line 3, column 12)", error.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("99999999999")]
    [InlineData("thirty")]
    [InlineData("[30]")]
    public void RetentionDays_must_be_an_integer_of_at_least_one(string value)
    {
        var error = LoadFails($"app: {{ tenant: demo, environment: dev }}\n{ControlPlane}\n  retentionDays: {value}\n");

        Assert.Equal($"[sec0] Invalid config file: {ConfigPath} (controlPlane.retentionDays must be an integer >= 1, line 5, column 18)", error.Message);
    }

    [Theory]
    [InlineData("flush: sometimes", "audit.flush \"sometimes\" must be none, batch or always")]
    [InlineData("signing: never", "audit.signing \"never\" must be per_envelope or checkpoint")]
    [InlineData("channelCapacity: 0", "audit.channelCapacity must be an integer >= 1")]
    public void Audit_block_values_are_validated(string line, string detail)
    {
        var error = LoadFails($"{ConfigSamples.Minimal}\naudit:\n  {line}\n");

        Assert.StartsWith($"[sec0] Invalid config file: {ConfigPath} ({detail}, line 8, column ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hop_without_type()
    {
        var error = LoadFails(WithHops("    A.Run: { nodeId: a }"));

        Assert.Equal("[sec0] Hop \"A.Run\" is missing required field 'type'.", error.Message);
        Assert.Equal((6, 5), (error.Line, error.Column));
    }

    [Fact]
    public void Hop_with_nothing_under_it_has_no_type()
    {
        var error = LoadFails(WithHops("    A.Run:"));

        Assert.Equal("[sec0] Hop \"A.Run\" is missing required field 'type'.", error.Message);
    }

    [Fact]
    public void Hop_with_unknown_type()
    {
        var error = LoadFails(WithHops("    A.Run: { type: robot, nodeId: a }"));

        Assert.Equal("[sec0] Hop \"A.Run\" has unknown type \"robot\".", error.Message);
    }

    [Fact]
    public void Hop_that_is_a_string_is_invalid()
    {
        var error = LoadFails(WithHops("    A.Run: agent"));

        Assert.Equal($"[sec0] Invalid config file: {ConfigPath} (app.hops.A.Run must be a mapping, line 6, column 12)", error.Message);
    }

    [Theory]
    [InlineData("type: agent, agentName: a, agentVersion: '1'", "nodeId")]
    [InlineData("type: agent, nodeId: a, agentVersion: '1'", "agentName")]
    [InlineData("type: agent, nodeId: a, agentName: a", "agentVersion")]
    [InlineData("type: orchestrator, orchestratorName: o, orchestratorVersion: '1'", "nodeId")]
    [InlineData("type: gateway, nodeId: g, gatewayBaseUrl: 'https://g'", "gateway")]
    [InlineData("type: gateway, gateway: g, gatewayBaseUrl: 'https://g'", "nodeId")]
    [InlineData("type: server, nodeId: s", "server")]
    [InlineData("type: server, server: s, nodeId: ''", "nodeId")]
    [InlineData("type: middleware, op: o, nodeId: m", "middleware")]
    [InlineData("type: middleware, middleware: m, nodeId: m", "op")]
    [InlineData("type: middleware, middleware: m, op: o", "nodeId")]
    [InlineData("type: tool, tool: t, nodeId: t", "server")]
    [InlineData("type: tool, server: s, nodeId: t", "tool")]
    [InlineData("type: tool, server: s, tool: t", "nodeId")]
    [InlineData("type: skill, nodeId: k", "skill")]
    [InlineData("type: skill, skill: k, nodeId: ~", "nodeId")]
    public void Hop_missing_a_required_field(string fields, string missing)
    {
        var error = LoadFails(WithHops($"    A.Run: {{ {fields} }}"));

        Assert.Equal($"[sec0] Hop \"A.Run\" requires a non-empty '{missing}' value.", error.Message);
    }

    [Fact]
    public void Orchestrator_without_names_and_without_client_fallback()
    {
        var yaml = $"app:\n  tenant: demo\n  environment: dev\n  hops:\n    W.Run: {{ type: orchestrator, nodeId: w }}\n{ControlPlane}";

        var error = LoadFails(yaml);

        Assert.Equal("[sec0] Hop \"W.Run\" requires a non-empty 'orchestratorName' value.", error.Message);
    }

    [Fact]
    public void Gateway_without_base_url_anywhere()
    {
        var error = LoadFails(WithHops("    G.Call: { type: gateway, gateway: g, nodeId: g }"));

        Assert.Equal("[sec0] Hop \"G.Call\" requires 'gatewayBaseUrl'. Provide it in app.hops or orchestrator.gatewayBaseUrl.", error.Message);
    }

    [Theory]
    [InlineData("mode: block", "app.hops.A.Run.enforcement.mode \"block\" must be observe or enforce", 6, 92)]
    [InlineData("strategy: deny_all", "app.hops.A.Run.enforcement.strategy \"deny_all\" must be deny_on_match or deny_on_any", 6, 96)]
    [InlineData("deny_on: payload_too_large", "app.hops.A.Run.enforcement.deny_on must be a list of strings", 6, 95)]
    [InlineData("escalate_on: [ok, { a: b }]", "app.hops.A.Run.enforcement.escalate_on must be a list of strings", 6, 104)]
    public void Enforcement_shapes_are_validated(string enforcement, string detail, int line, int column)
    {
        var error = LoadFails(WithHops($"    A.Run: {{ type: agent, nodeId: a, agentName: a, agentVersion: '1', enforcement: {{ {enforcement} }} }}"));

        Assert.Equal($"[sec0] Invalid config file: {ConfigPath} ({detail}, line {line}, column {column})", error.Message);
    }

    [Fact]
    public void GetHop_for_a_missing_key()
    {
        var config = Sec0ConfigLoader.Parse(ConfigSamples.Full, ConfigPath, TempConfigDirectory.Options(checkSigningKey: false));

        var error = Assert.Throws<Sec0ConfigException>(() => config.GetHop("Billing.Charge", HopType.Agent));

        Assert.Equal("[sec0] No hop configuration found for \"Billing.Charge\". Define app.hops[\"Billing.Charge\"] in your config file.", error.Message);
        Assert.Equal(ConfigPath, error.FilePath);
    }

    [Fact]
    public void GetHop_with_a_type_mismatch_uses_yaml_type_names()
    {
        var config = Sec0ConfigLoader.Parse(ConfigSamples.Full, ConfigPath, TempConfigDirectory.Options(checkSigningKey: false));

        var error = Assert.Throws<Sec0ConfigException>(() => config.GetHop("Workflow.Orchestrate", HopType.Agent));

        Assert.Equal("[sec0] Hop \"Workflow.Orchestrate\" is configured as \"orchestrator\" but the decorator expects \"agent\".", error.Message);
    }

    [Fact]
    public void Environment_lookup_that_throws_still_yields_a_config_exception()
    {
        var options = new Sec0ConfigLoadOptions { CheckSigningKeyExists = false, Environment = _ => throw new InvalidOperationException("lookup broke") };

        var error = Assert.Throws<Sec0ConfigException>(() => Sec0ConfigLoader.Parse(ConfigSamples.Minimal, ConfigPath, options));

        Assert.Equal($"[sec0] Invalid config file: {ConfigPath} (lookup broke)", error.Message);
        Assert.IsType<InvalidOperationException>(error.InnerException);
    }
}
