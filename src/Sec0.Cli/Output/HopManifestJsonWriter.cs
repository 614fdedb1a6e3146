using System.Text.Encodings.Web;
using System.Text.Json;
using Sec0.Config;
using Sec0.Hops;

namespace Sec0.Cli.Output;

/// <summary>Writes hop manifest entries as a JSON array (<c>sec0 hops --json</c>), one object per entry.</summary>
internal static class HopManifestJsonWriter
{
    public static void Write(TextWriter output, IReadOnlyList<HopManifestEntry> entries)
    {
        // Written by hand with Utf8JsonWriter: stable property names and order, no reflection.
        using MemoryStream buffer = new();
        using (Utf8JsonWriter json = new(buffer, new JsonWriterOptions
        {
            Indented = true,
            // Output for terminals and tools, never embedded in HTML: keep signatures like Task<Receipt> readable.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            json.WriteStartArray();
            foreach (HopManifestEntry entry in entries)
            {
                json.WriteStartObject();
                json.WriteString("kind", entry.Kind);
                json.WriteString("key", entry.Key);
                if (entry.ExpectedType == HopType.Unspecified)
                {
                    json.WriteNull("expectedType");
                }
                else
                {
                    json.WriteString("expectedType", HopRequirements.GetYamlName(entry.ExpectedType));
                }

                json.WriteString("bodyHash", entry.BodyHash);
                json.WriteString("filePath", entry.FilePath);
                json.WriteNumber("startLine", entry.StartLine);
                json.WriteNumber("endLine", entry.EndLine);
                json.WriteString("signature", entry.Signature);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
