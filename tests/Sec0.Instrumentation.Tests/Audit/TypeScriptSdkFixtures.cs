using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.Audit;

/// <summary>
/// The audit logs Sec0's TypeScript SDK wrote (tests/Fixtures/TypeScriptSdk, copied to the output folder)
/// and the two test keys that signed them (KEYS.txt there).
/// </summary>
internal static class TypeScriptSdkFixtures
{
    /// <summary>Seed of fixed-seed.key: the bytes 0x00..0x1f, as the key file holds it.</summary>
    public const string FixedSeedKeyFile = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    /// <summary>Public key of fixed-seed.key (signed appender-fixed-seed.ndjson).</summary>
    public const string FixedSeedPublicKey = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";

    /// <summary>Seed of ed25519.key (signed the middleware and hop logs).</summary>
    public const string Ed25519KeyFile = "UWWQ6OtnKX5m2iV5HrMHb6vgv2acQcEWOlJZbglICFk=";

    /// <summary>Public key of ed25519.key.</summary>
    public const string Ed25519PublicKey = "hYCQJelfQffo3LZMX9UceVEqTJOS/f0jgpoRpcKsMf0=";

    /// <summary>Research notes §1.9: what the SDK signed for the one line of appender-fixed-seed.ndjson, exactly.</summary>
    public const string WorkedExampleSignedBytes =
        "{\"agent\":\"order-agent@1.0.0\",\"agentRef\":\"host:1234:1764000000000:1\",\"agentVariables\":{\"AGENT\":{\"2\":\"two\",\"10\":\"ten\",\"Z\":\"upper\",\"b\":1.5,\"latency_ms\":12,\"status\":\"ok\",\"é\":\"e-acute\"}},\"client_name\":\"demo-agents\",\"client_version\":\"1.0.0\",\"environment\":\"dev\",\"input_sha256\":null,\"latency_ms\":12,\"nodeId\":\"order-agent\",\"node_type\":\"agent\",\"output_sha256\":null,\"policy\":{\"decision\":\"allow\",\"retention\":\"standard\"},\"retries\":0,\"server\":\"sec0-agent\",\"span_id\":\"b7ad6b7169203331\",\"status\":\"ok\",\"tenant\":\"demo\",\"tool\":\"order-agent@1.0.0\",\"tool_ref\":\"sec0-agent order-agent@1.0.0\",\"trace_id\":\"0af7651916cd43dd8448eb211c80319c\",\"ts\":\"2026-11-22T10:00:00.123Z\"}";

    /// <summary>Research notes §1.9: the signature the SDK wrote for it.</summary>
    public const string WorkedExampleSignature = "UAzM3gumfKcF+BLpBmw8ckdZyuPZB0RnDq/5xqjmMtkZkQ/RjPO8FspP2GLmdwJEKkMVGsbQROb5yk24OrLqDw==";

    /// <summary>The fixture files with the public key of the key that signed each, and how many lines each holds.</summary>
    public static readonly (string File, string PublicKey, int Lines)[] Logs =
    [
        ("appender-fixed-seed.ndjson", FixedSeedPublicKey, 1),
        ("middleware.ndjson", Ed25519PublicKey, 2),
        ("middleware-empty-deny_on.ndjson", Ed25519PublicKey, 2),
        ("hops.ndjson", Ed25519PublicKey, 4),
    ];

    /// <summary>Full path of a fixture file in the test output folder.</summary>
    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "TypeScriptSdk", file);

    /// <summary>The lines of a fixture file, without their newlines.</summary>
    public static string[] Lines(string file) => File.ReadAllLines(PathOf(file));

    /// <summary>A verifier for one of the two test keys' base64 public keys.</summary>
    public static SignatureVerifier Key(string publicKeyBase64) => PublicKeyReader.Read(publicKeyBase64);
}
