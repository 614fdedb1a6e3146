using Sec0.Config;

namespace Sec0.Instrumentation.Tests.Telemetry;

/// <summary>
/// The app the telemetry tests run: the <see cref="Hops.Ledger"/> tool hops in a temporary folder, with a policy that
/// allows <c>Transfer</c> and denies <c>Refund</c> (not in the allowlist), and an agent hop, <c>Researcher.Fetch</c>, denied too.
/// </summary>
internal static class LedgerApp
{
    private const string Policy = """
        tenant: demo
        tools:
          allowlist: ["mcp://payments/transfer@*"]
        enforcement:
          deny_on: [tool_not_in_allowlist]
        """;

    /// <summary>Writes the config (client <paramref name="clientName"/>, then <paramref name="extraConfig"/>) and the policy.</summary>
    public static void WriteFiles(TempDirectory dir, string clientName, string extraConfig = "")
    {
        File.WriteAllText(dir.Combine("policy.yaml"), Policy);
        File.WriteAllText(dir.Combine("sec0.config.yaml"), $$"""
            app:
              tenant: demo
              environment: dev
              client: { name: {{clientName}}, version: "1.0.0" }
              hops:
                Ledger.Transfer: { type: tool, nodeId: payments, server: payments, tool: transfer }
                Ledger.Refund: { type: tool, nodeId: payments, server: payments, tool: refund }
                Researcher.Fetch: { type: agent, nodeId: researcher, agentName: research-agent, agentVersion: "1.0.0" }
            policy: ./policy.yaml
            controlPlane:
              sec0Dir: ./.sec0
              localSignerPath: ./.sec0/keys/ed25519.key
            {{extraConfig}}
            """);
    }

    /// <summary>Writes the files and starts the app on them (a key is created on first use).</summary>
    public static Sec0App Start(TempDirectory dir, string clientName, string extraConfig = "")
    {
        WriteFiles(dir, clientName, extraConfig);
        var loaded = Sec0ConfigLoader.Load(dir.Combine("sec0.config.yaml"), new Sec0ConfigLoadOptions { CheckSigningKeyExists = false });
        return Sec0App.Initialize(loaded, new Sec0AppOptions { CreateSigningKeyIfMissing = true });
    }
}
