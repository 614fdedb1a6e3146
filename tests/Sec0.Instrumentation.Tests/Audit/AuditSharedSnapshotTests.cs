using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Sec0.Audit;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.Audit;

public class AuditSharedSnapshotTests
{
    private static AuditEnvelope Envelope() => new()
    {
        Timestamp = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
        Tenant = "t",
        Op = "tools/call",
        Status = "ok",
    };

    private static JsonObject Snapshot() => new() { ["version"] = "1.0.0", ["name"] = "s\u00e9rver", ["tools"] = 2 };

    [Fact]
    public void Shared_snapshot_bytes_give_the_same_line_as_the_node()
    {
        using var signer = new Ed25519Signer(RandomNumberGenerator.GetBytes(32));
        var plain = Envelope();
        plain.ServerSnapshot = Snapshot();
        var shared = Envelope();
        var node = Snapshot();
        shared.SetSharedServerSnapshot(node, JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(node.ToJsonString())));

        var expected = new AuditLineBuilder(signer, AuditChain.Genesis).BuildEnvelope(plain, sign: true).ToArray();
        var actual = new AuditLineBuilder(signer, AuditChain.Genesis).BuildEnvelope(shared, sign: true).ToArray();
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual));
    }

    [Fact]
    public void Replacing_the_snapshot_node_drops_the_shared_bytes()
    {
        using var signer = new Ed25519Signer(RandomNumberGenerator.GetBytes(32));
        var e = Envelope();
        e.SetSharedServerSnapshot(Snapshot(), "{\"stale\":true}"u8.ToArray());
        e.ServerSnapshot = new JsonObject { ["name"] = "other" };
        Assert.Null(e.ServerSnapshotCanonical);
        var line = Encoding.UTF8.GetString(new AuditLineBuilder(signer, AuditChain.Genesis).BuildEnvelope(e, sign: false));
        Assert.Contains("\"server_snapshot\":{\"name\":\"other\"}", line, StringComparison.Ordinal);
        Assert.DoesNotContain("stale", line, StringComparison.Ordinal);
    }
}
