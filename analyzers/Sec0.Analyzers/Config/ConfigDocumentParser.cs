using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using Microsoft.CodeAnalysis.Text;
using Sec0.Config;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sec0.Analyzers.Config
{
    /// <summary>
    /// Parses sec0.config.yaml with YamlDotNet's representation model and checks the rules the runtime
    /// loader (Sec0.Config.ConfigModelBuilder) applies to <c>app.environment</c> and <c>app.hops</c>, with
    /// the loader's texts. Never throws for any file content.
    /// </summary>
    internal static class ConfigDocumentParser
    {
        private const string MergeKey = "<<";

        public static ConfigDocument Parse(string path, SourceText text, CancellationToken cancellationToken)
        {
            var problems = new List<ConfigProblem>();
            YamlNode? rootNode;
            using var reader = new StringReader(text.ToString());
            var parser = new DepthLimitingParser(new Parser(reader));
            try
            {
                var stream = new YamlStream();
                stream.Load(parser);

                if (stream.Documents.Count > 1)
                {
                    var second = stream.Documents[1].RootNode;
                    problems.Add(Problem(text, DiagnosticDescriptors.InvalidYaml, Invalid(path, "the file holds more than one YAML document", second.Start), second.Start, second.Start));
                    return Invalid(path, text, problems);
                }

                rootNode = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
            }
            catch (YamlException ex)
            {
                var message = "[sec0] Invalid config file: " + path + " (line " + ex.Start.Line + ", column " + ex.Start.Column + "): " + StripPosition(ex.Message);
                problems.Add(Problem(text, DiagnosticDescriptors.InvalidYaml, message, ex.Start, ex.Start));
                return Invalid(path, text, problems);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // YamlDotNet reports a few problems (duplicate keys, some malformed input) with other exception
                // types and no position; the end of the last event read is close to the problem (as in the loader).
                var at = parser.LastPosition;
                var line = at.Line < 1 ? 1 : at.Line;
                var column = at.Column < 1 ? 1 : at.Column;
                var start = new Mark(0, line, column);
                problems.Add(Problem(text, DiagnosticDescriptors.InvalidYaml, "[sec0] Invalid config file: " + path + " (line " + line + ", column " + column + "): The YAML could not be parsed: " + ex.Message, start, start));
                return Invalid(path, text, problems);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (rootNode is not YamlMappingNode root)
            {
                var start = rootNode?.Start ?? new Mark(0, 1, 1);
                var message = IsNull(rootNode)
                    ? "[sec0] Invalid config file: " + path + " (the file holds no YAML mapping)"
                    : Invalid(path, "the root must be a mapping", start);
                problems.Add(Problem(text, DiagnosticDescriptors.InvalidYaml, message, start, start));
                return new ConfigDocument(path, text, isValidYaml: true, Array.Empty<ConfigHopEntry>(), problems, null, null);
            }

            var rootFields = Fields(root);
            var appEntry = Find(rootFields, "app");
            var app = appEntry?.Value as YamlMappingNode;
            if (app is null)
            {
                var at = appEntry?.Key.Start ?? root.Start;
                problems.Add(Problem(text, DiagnosticDescriptors.InvalidEnvironment, "[sec0] app configuration block is required.", at, appEntry?.Key.End ?? at));
                return new ConfigDocument(path, text, isValidYaml: true, Array.Empty<ConfigHopEntry>(), problems, root, null);
            }

            var appFields = Fields(app);
            CheckEnvironment(text, appEntry!.Value.Key, appFields, problems);

            var hops = new List<ConfigHopEntry>();
            var hopsEntry = Find(appFields, "hops");
            if (hopsEntry?.Value is YamlMappingNode hopsMapping)
            {
                var context = new FallbackContext(
                    ScalarText(Find(Fields(Find(appFields, "client")?.Value as YamlMappingNode), "name")?.Value),
                    ScalarText(Find(Fields(Find(appFields, "client")?.Value as YamlMappingNode), "version")?.Value),
                    ScalarText(Find(appFields, "tenant")?.Value),
                    ScalarText(Find(Fields(Find(rootFields, "orchestrator")?.Value as YamlMappingNode), "gatewayBaseUrl")?.Value));
                foreach (var entry in Fields(hopsMapping))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var isBlockEntry = hopsMapping.Style != YamlDotNet.Core.Events.MappingStyle.Flow && IsDirectChild(hopsMapping, entry.Key);
                    var hop = CheckHop(path, text, entry, isBlockEntry, context, problems);
                    if (hop is not null)
                    {
                        hops.Add(hop);
                    }
                }
            }

            return new ConfigDocument(path, text, isValidYaml: true, hops, problems, root, app);
        }

        private static ConfigDocument Invalid(string path, SourceText text, List<ConfigProblem> problems)
            => new(path, text, isValidYaml: false, Array.Empty<ConfigHopEntry>(), problems, null, null);

        private static void CheckEnvironment(SourceText text, YamlScalarNode appKey, List<KeyValuePair<YamlScalarNode, YamlNode>> appFields, List<ConfigProblem> problems)
        {
            var environment = Find(appFields, "environment");
            var value = ScalarText(environment?.Value);
            if (value is null)
            {
                problems.Add(Problem(text, DiagnosticDescriptors.InvalidEnvironment, "[sec0] app.environment must be set to one of dev, staging, or prod.", appKey.Start, appKey.End));
                return;
            }

            var lower = value.ToLowerInvariant();
            if (lower != "dev" && lower != "staging" && lower != "prod")
            {
                var node = environment!.Value.Value;
                problems.Add(Problem(text, DiagnosticDescriptors.InvalidEnvironment, "[sec0] app.environment \"" + value + "\" is invalid. Expected dev, staging, or prod.", node.Start, node.End));
            }
        }

        private static ConfigHopEntry? CheckHop(string path, SourceText text, KeyValuePair<YamlScalarNode, YamlNode> entry, bool isBlockEntry, FallbackContext context, List<ConfigProblem> problems)
        {
            var keyNode = entry.Key;
            var key = keyNode.Value ?? string.Empty;
            if (key.Trim().Length == 0)
            {
                return null;
            }

            var (keySpan, keyLineSpan) = YamlPositions.Of(text, keyNode);
            void Report(string message) => problems.Add(new ConfigProblem(DiagnosticDescriptors.InvalidHopEntry, message, keySpan, keyLineSpan));

            // Like the loader: an entry with nothing under it is an entry without a type.
            var value = entry.Value;
            if (!IsNull(value) && value is not YamlMappingNode)
            {
                Report(Invalid(path, "app.hops." + key + " must be a mapping", value.Start));
                return new ConfigHopEntry(key, keySpan, keyLineSpan, null, null, isBlockEntry);
            }

            var fields = Fields(value as YamlMappingNode);
            var typeName = ScalarText(Find(fields, HopRequirements.TypeField)?.Value);
            if (typeName is null)
            {
                Report("[sec0] Hop \"" + key + "\" is missing required field 'type'.");
                return new ConfigHopEntry(key, keySpan, keyLineSpan, null, null, isBlockEntry);
            }

            if (!HopRequirements.TryParseHopType(typeName, out var type))
            {
                Report("[sec0] Hop \"" + key + "\" has unknown type \"" + typeName + "\".");
                return new ConfigHopEntry(key, keySpan, keyLineSpan, typeName, null, isBlockEntry);
            }

            // The loader stops at the first missing field; the build names them all.
            foreach (var field in HopRequirements.GetRequiredFields(type))
            {
                if (ScalarText(Find(fields, field)?.Value) is null && context.Fallback(HopRequirements.GetFallbackPath(type, field)) is null)
                {
                    Report(HopRequirements.FormatMissingFieldMessage(key, field));
                }
            }

            return new ConfigHopEntry(key, keySpan, keyLineSpan, typeName, type, isBlockEntry);
        }

        /// <summary>
        /// A mapping's entries with merge keys (<c>&lt;&lt;</c>) applied the way the loader applies them: the
        /// mapping's own keys first and winning, then each merged mapping's in order.
        /// </summary>
        public static List<KeyValuePair<YamlScalarNode, YamlNode>> Fields(YamlMappingNode? mapping)
        {
            var result = new List<KeyValuePair<YamlScalarNode, YamlNode>>();
            if (mapping is not null)
            {
                var seenKeys = new HashSet<string>(StringComparer.Ordinal);
                Collect(mapping, result, seenKeys, new HashSet<YamlMappingNode>(), 0);
            }

            return result;
        }

        private static void Collect(YamlMappingNode mapping, List<KeyValuePair<YamlScalarNode, YamlNode>> result, HashSet<string> seenKeys, HashSet<YamlMappingNode> visiting, int depth)
        {
            // A mapping may merge itself through an alias: stop instead of recursing forever.
            if (depth > DepthLimitingParser.MaxDepth || !visiting.Add(mapping))
            {
                return;
            }

            var merges = new List<YamlNode>();
            foreach (var child in mapping.Children)
            {
                if (child.Key is not YamlScalarNode key || key.Value is null)
                {
                    continue;
                }

                if (key.Value == MergeKey && key.Style is ScalarStyle.Plain or ScalarStyle.Any)
                {
                    merges.Add(child.Value);
                }
                else if (seenKeys.Add(key.Value))
                {
                    result.Add(new KeyValuePair<YamlScalarNode, YamlNode>(key, child.Value));
                }
            }

            foreach (var merge in merges)
            {
                if (merge is YamlMappingNode merged)
                {
                    Collect(merged, result, seenKeys, visiting, depth + 1);
                }
                else if (merge is YamlSequenceNode sequence)
                {
                    foreach (var item in sequence.Children)
                    {
                        if (item is YamlMappingNode mergedItem)
                        {
                            Collect(mergedItem, result, seenKeys, visiting, depth + 1);
                        }
                    }
                }
            }

            visiting.Remove(mapping);
        }

        private static bool IsDirectChild(YamlMappingNode mapping, YamlScalarNode key)
        {
            foreach (var child in mapping.Children)
            {
                if (ReferenceEquals(child.Key, key))
                {
                    return true;
                }
            }

            return false;
        }

        public static KeyValuePair<YamlScalarNode, YamlNode>? Find(List<KeyValuePair<YamlScalarNode, YamlNode>> fields, string key)
        {
            foreach (var field in fields)
            {
                if (field.Key.Value == key)
                {
                    return field;
                }
            }

            return null;
        }

        /// <summary>The loader's ReadString: trimmed scalar text; null when absent, a YAML null, blank, or not a scalar.</summary>
        public static string? ScalarText(YamlNode? node)
        {
            if (IsNull(node) || node is not YamlScalarNode scalar)
            {
                return null;
            }

            var value = scalar.Value?.Trim();
            return string.IsNullOrEmpty(value) ? null : value;
        }

        public static bool IsNull(YamlNode? node) =>
            node is null
            || node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

        private static string Invalid(string path, string detail, Mark at)
            => "[sec0] Invalid config file: " + path + " (" + detail + ", line " + at.Line + ", column " + at.Column + ")";

        private static ConfigProblem Problem(SourceText text, Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, string message, Mark start, Mark end)
        {
            var (span, lineSpan) = YamlPositions.Between(text, start, end);
            return new ConfigProblem(descriptor, message, span, lineSpan);
        }

        /// <summary>YamlDotNet prefixes messages with "(Line: .., Col: .., Idx: ..) - (...): "; the position is reported separately.</summary>
        private static string StripPosition(string message)
        {
            if (!message.StartsWith("(Line:", StringComparison.Ordinal))
            {
                return message;
            }

            var end = message.IndexOf("): ", StringComparison.Ordinal);
            var second = end < 0 ? -1 : message.IndexOf("): ", end + 3, StringComparison.Ordinal);
            if (second > 0 && message.Substring(end, second - end).Contains(" - (Line:"))
            {
                return message.Substring(second + 3);
            }

            return end > 0 ? message.Substring(end + 3) : message;
        }

        /// <summary>The values a required hop field falls back to (see HopRequirements.GetFallbackPath).</summary>
        private sealed class FallbackContext
        {
            private readonly string? _clientName;
            private readonly string? _clientVersion;
            private readonly string? _tenant;
            private readonly string? _gatewayBaseUrl;

            public FallbackContext(string? clientName, string? clientVersion, string? tenant, string? gatewayBaseUrl)
            {
                _clientName = clientName;
                _clientVersion = clientVersion;
                _tenant = tenant;
                _gatewayBaseUrl = gatewayBaseUrl;
            }

            public string? Fallback(string? path) => path switch
            {
                "app.client.name" => _clientName,
                "app.client.version" => _clientVersion,
                "app.tenant" => _tenant,
                "orchestrator.gatewayBaseUrl" => _gatewayBaseUrl,
                _ => null,
            };
        }
    }
}
