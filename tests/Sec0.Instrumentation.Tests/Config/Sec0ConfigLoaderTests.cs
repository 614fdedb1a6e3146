using Sec0.Audit;
using Sec0.Config;

namespace Sec0.Instrumentation.Tests.Config;

public sealed class Sec0ConfigLoaderTests : IDisposable
{
    private readonly TempConfigDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Full_config_loads_every_block_hop_type_fallback_and_default()
    {
        var path = _dir.Write("sec0.config.yaml", ConfigSamples.Full);
        _dir.WriteKey();

        var config = Sec0ConfigLoader.Load(path, TempConfigDirectory.Options(true, ("SVC_TOKEN", "tok-123"), ("SEC0_API_KEY", "key-456")));

        Assert.Equal(path, config.FilePath);
        Assert.Equal(_dir.Root, config.Directory);
        Assert.Equal("acme", config.App.Tenant);
        Assert.Equal("staging", config.App.Environment);
        Assert.Equal("demo-agents", config.App.Client.Name);
        Assert.Equal("1.0.0", config.App.Client.Version);
        Assert.Equal("tok-123", config.Auth.SvcToken);
        Assert.Equal("key-456", config.Auth.Sec0ApiKey);
        Assert.Equal("https://gateway.example", config.Orchestrator?.GatewayBaseUrl);
        Assert.Equal(
            new[] { "Auth.Check", "Files.Read", "Files.Server", "Gateway.Call", "Gateway.Own", "Research.Run", "Summarize.Skill", "Workflow.Orchestrate" },
            config.App.Hops.Keys.Order(StringComparer.Ordinal).ToArray());

        var agent = config.App.Hops["Research.Run"];
        Assert.Equal(HopType.Agent, agent.Type);
        Assert.Equal("research", agent.NodeId);
        Assert.Equal("research-agent", agent.AgentName);
        Assert.Equal("2.1.0", agent.AgentVersion);
        Assert.Equal(6, agent.Line);
        Assert.Equal(5, agent.Column);
        Assert.Equal(EnforcementMode.Observe, agent.Enforcement.Mode);
        Assert.Equal("deny_on_any", agent.Enforcement.Strategy);
        Assert.Equal(["payload_too_large", "version_unpinned"], agent.Enforcement.DenyOn);
        Assert.Equal(["payload_too_large"], agent.Enforcement.EscalateOn);

        var orchestrator = config.App.Hops["Workflow.Orchestrate"];
        Assert.Equal(HopType.Orchestrator, orchestrator.Type);
        Assert.Equal("demo-agents", orchestrator.OrchestratorName); // falls back to app.client.name
        Assert.Equal("1.0.0", orchestrator.OrchestratorVersion); // falls back to app.client.version
        Assert.Equal(EnforcementMode.Enforce, orchestrator.Enforcement.Mode);
        Assert.Equal("deny_on_match", orchestrator.Enforcement.Strategy);
        Assert.Null(orchestrator.Enforcement.DenyOn);
        Assert.Null(orchestrator.Enforcement.EscalateOn);

        var gateway = config.App.Hops["Gateway.Call"];
        Assert.Equal("main-gw", gateway.Gateway);
        Assert.Equal("https://gateway.example", gateway.GatewayBaseUrl); // orchestrator.gatewayBaseUrl
        Assert.Equal("acme", gateway.Tenant); // app.tenant
        Assert.Equal("Bearer tok-123", gateway.AuthHeader); // auth.svcToken from SVC_TOKEN

        var ownGateway = config.App.Hops["Gateway.Own"];
        Assert.Equal("https://own.example", ownGateway.GatewayBaseUrl);
        Assert.Equal("other", ownGateway.Tenant);
        Assert.Equal("Basic abc", ownGateway.AuthHeader);

        Assert.Equal(("files", "files-server"), (config.App.Hops["Files.Server"].Server, config.App.Hops["Files.Server"].NodeId));
        var middleware = config.App.Hops["Auth.Check"];
        Assert.Equal((HopType.Middleware, "authz", "check", "mw"), (middleware.Type, middleware.Middleware, middleware.Op, middleware.NodeId));
        var tool = config.App.Hops["Files.Read"];
        Assert.Equal((HopType.Tool, "files", "read_file", "files-read"), (tool.Type, tool.Server, tool.Tool, tool.NodeId));
        var skill = config.App.Hops["Summarize.Skill"];
        Assert.Equal((HopType.Skill, "summarize", "skill-1"), (skill.Type, skill.Skill, skill.NodeId));

        Assert.Equal("https://cp.example", config.ControlPlane.ApiBaseUrl);
        Assert.Equal(Path.Combine(_dir.Root, ".sec0"), config.ControlPlane.Sec0Dir);
        Assert.Equal(Path.Combine(_dir.Root, ".sec0", "keys", "ed25519.key"), config.ControlPlane.LocalSignerPath);
        Assert.Equal(Path.Combine(_dir.Root, ".sec0", "logs"), config.ControlPlane.AppenderDir);
        Assert.Equal(7, config.ControlPlane.RetentionDays);

        Assert.Equal(AuditFlushMode.Always, config.Audit.Flush);
        Assert.Equal(AuditSigningMode.Checkpoint, config.Audit.Signing);
        Assert.Equal(500, config.Audit.CheckpointEvery);
        Assert.Equal(250, config.Audit.CheckpointIntervalMs);
        Assert.Equal(1024, config.Audit.ChannelCapacity);
    }

    [Fact]
    public void Minimal_config_gets_defaults_and_no_credentials_without_environment()
    {
        var path = _dir.Write("sec0.config.yaml", ConfigSamples.Minimal);
        _dir.WriteKey();

        var config = Sec0ConfigLoader.Load(path, TempConfigDirectory.Options());

        Assert.Empty(config.App.Hops);
        Assert.Null(config.App.Client.Name);
        Assert.Null(config.Auth.SvcToken);
        Assert.Null(config.Auth.Sec0ApiKey);
        Assert.Null(config.Orchestrator);
        Assert.Null(config.ControlPlane.ApiBaseUrl);
        Assert.Equal(30, config.ControlPlane.RetentionDays);
        Assert.Equal(Path.Combine(_dir.Root, ".sec0", "logs"), config.ControlPlane.AppenderDir);
        Assert.Equal(AuditFlushMode.Batch, config.Audit.Flush);
        Assert.Equal(AuditSigningMode.PerEnvelope, config.Audit.Signing);
        Assert.Equal((1000, 1000, 8192), (config.Audit.CheckpointEvery, config.Audit.CheckpointIntervalMs, config.Audit.ChannelCapacity));
    }

    [Fact]
    public void Auth_values_and_apiBaseUrl_in_the_file_win_over_the_environment()
    {
        // (The Replace must apply to the whole text: controlPlane is in Minimal.)
        var path = _dir.Write("sec0.config.yaml", (ConfigSamples.Minimal + """

            auth: { svcToken: file-token, sec0ApiKey: file-key }
            """).Replace("controlPlane:\n", "controlPlane:\n  apiBaseUrl: https://from-file.example\n", StringComparison.Ordinal));
        _dir.WriteKey();

        var config = Sec0ConfigLoader.Load(path, TempConfigDirectory.Options(
            true, ("SVC_TOKEN", "env-token"), ("SEC0_API_KEY", "env-key"), ("SEC0_CONTROL_PLANE_URL", "https://from-env.example")));

        Assert.Equal("file-token", config.Auth.SvcToken);
        Assert.Equal("file-key", config.Auth.Sec0ApiKey);
        // As in Sec0's TypeScript SDK: SEC0_CONTROL_PLANE_URL is a fallback, not an override.
        Assert.Equal("https://from-file.example", config.ControlPlane.ApiBaseUrl);
    }

    [Fact]
    public void Relative_paths_resolve_against_the_config_folder_not_the_current_directory()
    {
        var yaml = """
            app: { tenant: demo, environment: dev }
            controlPlane:
              sec0Dir: ../state
              localSignerPath: keys/signer.key
              appenderDir: ./audit/logs
            """;
        var path = _dir.Write(Path.Combine("deploy", "conf", "sec0.config.yaml"), yaml);
        _dir.WriteKey(Path.Combine("deploy", "conf", "keys", "signer.key"));
        var configFolder = Path.Combine(_dir.Root, "deploy", "conf");
        Assert.NotEqual(configFolder, Directory.GetCurrentDirectory());

        var config = Sec0ConfigLoader.Load(path, TempConfigDirectory.Options());

        Assert.Equal(configFolder, config.Directory);
        Assert.Equal(Path.Combine(_dir.Root, "deploy", "state"), config.ControlPlane.Sec0Dir);
        Assert.Equal(Path.Combine(configFolder, "keys", "signer.key"), config.ControlPlane.LocalSignerPath);
        Assert.Equal(Path.Combine(configFolder, "audit", "logs"), config.ControlPlane.AppenderDir);
        Assert.NotEqual(Path.GetFullPath("keys/signer.key"), config.ControlPlane.LocalSignerPath);
    }

    [Fact]
    public void Parse_resolves_against_the_folder_of_the_given_file_path()
    {
        var virtualFile = Path.Combine(_dir.Root, "virtual", "sec0.config.yaml");

        var config = Sec0ConfigLoader.Parse(ConfigSamples.Minimal, virtualFile, TempConfigDirectory.Options(checkSigningKey: false));

        Assert.Equal(virtualFile, config.FilePath);
        Assert.Equal(Path.Combine(_dir.Root, "virtual", ".sec0", "keys", "ed25519.key"), config.ControlPlane.LocalSignerPath);
    }

    [Fact]
    public void Tilde_expands_to_the_home_directory_and_absolute_paths_stay_absolute()
    {
        var home = Path.Combine(_dir.Root, "home");
        var absoluteKey = _dir.WriteKey(Path.Combine("elsewhere", "k.key"));
        var yaml = $"""
            app: {"{"} tenant: demo, environment: dev {"}"}
            controlPlane:
              sec0Dir: ~/sec0-state
              localSignerPath: '{absoluteKey}'
              appenderDir: '~'   # quoted: a bare ~ is YAML null
            """;
        var path = _dir.Write(Path.Combine("conf", "sec0.config.yaml"), yaml);

        var config = Sec0ConfigLoader.Load(path, TempConfigDirectory.Options(true, ("HOME", home)));

        Assert.Equal(Path.Combine(home, "sec0-state"), config.ControlPlane.Sec0Dir);
        Assert.Equal(absoluteKey, config.ControlPlane.LocalSignerPath);
        Assert.Equal(home, config.ControlPlane.AppenderDir);
    }

    [Fact]
    public void Anchors_aliases_and_merge_keys_apply_with_own_keys_winning()
    {
        var path = _dir.Write("sec0.config.yaml", ConfigSamples.Anchors);
        _dir.WriteKey();

        var config = Sec0ConfigLoader.Load(path, TempConfigDirectory.Options());

        var a = config.App.Hops["A.Run"];
        Assert.Equal((HopType.Agent, "a", "a", "1.0.0"), (a.Type, a.NodeId, a.AgentName, a.AgentVersion));
        var b = config.App.Hops["B.Run"];
        Assert.Equal((HopType.Agent, "shared-node", "from-second-merge", "2.0.0"), (b.Type, b.NodeId, b.AgentName, b.AgentVersion));
        Assert.Equal(2, config.App.Hops.Count);
    }

    [Fact]
    public void Environment_is_matched_case_insensitively_and_normalized()
    {
        var config = Sec0ConfigLoader.Parse(
            ConfigSamples.Minimal.Replace("environment: dev", "environment: \" PROD \"", StringComparison.Ordinal),
            Path.Combine(_dir.Root, "sec0.config.yaml"),
            TempConfigDirectory.Options(checkSigningKey: false));

        Assert.Equal("prod", config.App.Environment);
    }

    [Fact]
    public void Signing_key_check_can_be_turned_off()
    {
        var path = _dir.Write("sec0.config.yaml", ConfigSamples.Minimal);

        var config = Sec0ConfigLoader.Load(path, TempConfigDirectory.Options(checkSigningKey: false));

        Assert.False(File.Exists(config.ControlPlane.LocalSignerPath));
    }

    [Fact]
    public void GetHop_returns_the_entry_and_unspecified_accepts_any_type()
    {
        var config = Sec0ConfigLoader.Parse(ConfigSamples.Full, Path.Combine(_dir.Root, "sec0.config.yaml"), TempConfigDirectory.Options(checkSigningKey: false));

        Assert.Equal("files-read", config.GetHop("Files.Read", HopType.Tool).NodeId);
        Assert.Equal("files-read", config.GetHop("Files.Read", HopType.Unspecified).NodeId);
        Assert.Equal("files-read", config.GetHop("Files.Read").NodeId);
    }

    [Fact]
    public void Utf8_byte_order_mark_is_accepted()
    {
        var path = _dir.WriteBytes("sec0.config.yaml", [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(ConfigSamples.Minimal)]);
        _dir.WriteKey();

        Assert.Equal("demo", Sec0ConfigLoader.Load(path, TempConfigDirectory.Options()).App.Tenant);
    }

    [Fact]
    public void Quickstart_sample_at_the_repository_root_loads()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Sec0.Instrumentation.sln")))
        {
            folder = folder.Parent;
        }

        Assert.NotNull(folder);
        var sample = Path.Combine(folder.FullName, "sec0.config.yaml");

        var config = Sec0ConfigLoader.Load(sample, TempConfigDirectory.Options(checkSigningKey: false));

        Assert.Equal(("demo", "dev"), (config.App.Tenant, config.App.Environment));
        Assert.Equal(("demo-agents", "1.0.0"), (config.GetHop("Workflow.Orchestrate", HopType.Orchestrator).OrchestratorName, config.App.Hops["Workflow.Orchestrate"].OrchestratorVersion));
        Assert.Equal("research-agent", config.GetHop("ResearchAgent.Run", HopType.Agent).AgentName);
        Assert.Equal("payment-agent", config.GetHop("PaymentAgent.Charge", HopType.Agent).NodeId);
        Assert.Equal(Path.Combine(folder.FullName, ".sec0", "logs"), config.ControlPlane.AppenderDir);
        Assert.Equal(30, config.ControlPlane.RetentionDays);
    }
}
