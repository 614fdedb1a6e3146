using System.Globalization;
using System.Text;
using System.Text.Json;
using Sec0.Audit;
using Sec0.Files;
using Sec0.Signing;

namespace Sec0.ControlPlane;

/// <summary>
/// The last good control-plane policy on disk (<c>&lt;sec0Dir&gt;/control-plane/policy.yaml</c> and <c>policy.json</c>), used when
/// the control plane is down. The runtime reads it back, so it is signed with the audit key and bound to the tenant, level
/// and node it was fetched for: an edited, swapped or foreign copy is refused rather than enforced.
/// </summary>
internal sealed class PolicyCacheFile(string directory, AuditSigner signer)
{
    private const string Purpose = "sec0-policy-cache/1";

    public string YamlPath => Path.Combine(directory, "policy.yaml");

    public string MetaPath => Path.Combine(directory, "policy.json");

    /// <summary>Saves <paramref name="yaml"/> as the last good policy. YAML first: a crash between the two leaves a hash mismatch, which is refused.</summary>
    public void Save(string yaml, string hash, string? etag, DateTimeOffset fetchedAt, string tenant, string level, string? nodeId)
    {
        AtomicFile.Write(YamlPath, Encoding.UTF8.GetBytes(yaml));
        var fetched = fetchedAt.ToString("O", CultureInfo.InvariantCulture);
        var signature = new byte[signer.SignatureSize];
        var length = signer.Sign(Encoding.UTF8.GetBytes(Signed(tenant, level, nodeId, hash, etag, fetched)), signature);
        AtomicFile.WriteJson(MetaPath, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("tenant", tenant);
            writer.WriteString("level", level);
            writer.WriteString("nodeId", nodeId);
            writer.WriteString("policy_hash", hash);
            writer.WriteString("etag", etag);
            writer.WriteString("fetched_at", fetched);
            writer.WriteString("key_id", signer.KeyId);
            writer.WriteString("sig", Convert.ToBase64String(signature, 0, length));
            writer.WriteEndObject();
        });
    }

    /// <summary>Reads the last good policy; null with <paramref name="problem"/> set when there is none or it must not be used.</summary>
    public (string Yaml, string Hash, string? ETag, DateTimeOffset FetchedAt)? TryLoad(string tenant, string level, string? nodeId, out string? problem)
    {
        problem = null;
        if (!File.Exists(MetaPath) && !File.Exists(YamlPath))
        {
            problem = "there is none yet";
            return null;
        }

        try
        {
            if (new FileInfo(YamlPath).Length > Policy.PolicyLoader.MaxFileBytes || new FileInfo(MetaPath).Length > 64 * 1024)
            {
                problem = "it is larger than a policy may be";
                return null;
            }

            var yaml = File.ReadAllText(YamlPath, new UTF8Encoding(false, true));
            using var meta = JsonDocument.Parse(File.ReadAllBytes(MetaPath));
            var root = meta.RootElement;
            string? Text(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var hash = Text("policy_hash");
            var etag = Text("etag");
            var fetched = Text("fetched_at");
            var sig = Text("sig");
            if (hash is null || fetched is null || sig is null
                || !DateTimeOffset.TryParseExact(fetched, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var fetchedAt))
            {
                problem = $"{MetaPath} lacks policy_hash, fetched_at or sig";
                return null;
            }

            if (Text("tenant") != tenant || Text("level") != level || Text("nodeId") != nodeId)
            {
                problem = $"it was fetched for tenant {Text("tenant")}, level {Text("level")}, node {Text("nodeId") ?? "(base)"}, not for this app's";
                return null;
            }

            if (!string.Equals(Sha256Hex.Of(Encoding.UTF8.GetBytes(yaml.Trim())), hash, StringComparison.Ordinal))
            {
                problem = $"{YamlPath} does not match the policy_hash recorded beside it (edited, or a save was interrupted)";
                return null;
            }

            byte[] signature;
            try
            {
                signature = Convert.FromBase64String(sig);
            }
            catch (FormatException)
            {
                problem = "its signature is not base64";
                return null;
            }

            using var verifier = signer.CreateVerifier();
            if (!verifier.Verify(Encoding.UTF8.GetBytes(Signed(tenant, level, nodeId, hash, etag, fetched)), signature))
            {
                problem = $"its signature does not verify with this app's signing key ({signer.KeyId})";
                return null;
            }

            return (yaml, hash, etag, fetchedAt);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or DecoderFallbackException)
        {
            problem = $"it could not be read ({ex.Message})";
            return null;
        }
    }

    private static string Signed(string tenant, string level, string? nodeId, string hash, string? etag, string fetchedAt) =>
        string.Join('\n', Purpose, tenant, level, nodeId ?? string.Empty, hash, etag ?? string.Empty, fetchedAt);
}
