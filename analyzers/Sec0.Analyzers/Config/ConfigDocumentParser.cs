using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using Microsoft.CodeAnalysis.Text;
using Sec0.Config;
using Sec0.Config.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sec0.Analyzers.Config;

/// <summary>
/// Parses sec0.config.yaml with YamlDotNet's representation model and checks the rules the runtime
/// loader (Sec0.Config.ConfigModelBuilder) applies to <c>app.environment</c> and <c>app.hops</c>, with
/// the loader's texts. The nesting limit and the merge-key expansion (<see cref="YamlMappingFlattener"/>,
/// with its limits) are the loader's own code, compiled in, so a file the loader rejects is reported
/// here in bounded time. Never throws for any file content.
/// </summary>
internal static class ConfigDocumentParser
{
    public static ConfigDocument Parse(string path, SourceText text, CancellationToken cancellationToken)
    {
        var problems = new List<ConfigProblem>();
        YamlNode? rootNode;
        using var reader = new StringReader(text.ToString());
        var parser = new DepthLimitingParser(new Parser(reader), YamlLimits.MaxNestingDepth);
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
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The loader's own description (linked in), so the build and the runtime word a broken file alike.
            var error = YamlSyntaxErrorDescriber.Describe(text.ToString(), ex, parser.LastPosition, YamlLimits.MaxNestingDepth);
            var at = new Mark(0, error.Line, error.Column);
            var message = "[sec0] Invalid config file: " + path + " (line " + error.Line + ", column " + error.Column + "): " + error.Message;
            problems.Add(Problem(text, DiagnosticDescriptors.InvalidYaml, message, at, at));
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

        // One flattener per file, as in the loader: each mapping's merges are applied once and reused.
        var mappings = new YamlMappingFlattener((yamlPath, detail, node) => new MergeKeyProblem(Invalid(path, yamlPath + " " + detail, node.Start), node));
        try
        {
            return Check(path, text, root, mappings, problems, cancellationToken);
        }
        catch (MergeKeyProblem ex)
        {
            // The loader rejects the whole file for this, like for a syntax error.
            problems.Add(Problem(text, DiagnosticDescriptors.InvalidYaml, ex.Message, ex.Node.Start, ex.Node.Start));
            return Invalid(path, text, problems);
        }
    }

    private static ConfigDocument Check(string path, SourceText text, YamlMappingNode root, YamlMappingFlattener mappings, List<ConfigProblem> problems, CancellationToken cancellationToken)
    {
        var rootFields = mappings.Flatten(root, "the root");
        var appEntry = Find(rootFields, "app");
        var app = appEntry?.Value as YamlMappingNode;
        if (app is null)
        {
            var at = appEntry?.KeyNode.Start ?? root.Start;
            problems.Add(Problem(text, DiagnosticDescriptors.InvalidEnvironment, "[sec0] app configuration block is required.", at, appEntry?.KeyNode.End ?? at));
            return new ConfigDocument(path, text, isValidYaml: true, Array.Empty<ConfigHopEntry>(), problems, root, null);
        }

        var appFields = mappings.Flatten(app, "app");
        CheckEnvironment(text, appEntry!.Value.KeyNode, appFields, problems);

        var hops = new List<ConfigHopEntry>();
        var hopsEntry = Find(appFields, "hops");
        if (hopsEntry?.Value is YamlMappingNode hopsMapping)
        {
            var client = Read(mappings, Find(appFields, "client")?.Value, "app.client");
            var orchestrator = Read(mappings, Find(rootFields, "orchestrator")?.Value, "orchestrator");
            var context = new FallbackContext(
                ScalarText(Find(client, "name")?.Value),
                ScalarText(Find(client, "version")?.Value),
                ScalarText(Find(appFields, "tenant")?.Value),
                ScalarText(Find(orchestrator, "gatewayBaseUrl")?.Value));
            foreach (var entry in mappings.Flatten(hopsMapping, "app.hops").Entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var isBlockEntry = hopsMapping.Style != YamlDotNet.Core.Events.MappingStyle.Flow && IsDirectChild(hopsMapping, entry.KeyNode);
                var hop = CheckHop(path, text, entry, isBlockEntry, context, mappings, problems);
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

    private static void CheckEnvironment(SourceText text, YamlNode appKey, ConfigMapping appFields, List<ConfigProblem> problems)
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

    private static ConfigHopEntry? CheckHop(string path, SourceText text, ConfigEntry entry, bool isBlockEntry, FallbackContext context, YamlMappingFlattener mappings, List<ConfigProblem> problems)
    {
        var keyNode = entry.KeyNode;
        var key = entry.Key;
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

        var fields = Read(mappings, value, "app.hops." + key);
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
    /// The entries of <paramref name="mapping"/> with its merge keys applied as the loader applies them, for the
    /// code fixes (which only run on a file that parsed); null when there is no mapping or its merges are invalid.
    /// </summary>
    public static ConfigMapping? Fields(YamlMappingNode? mapping)
    {
        if (mapping is null)
        {
            return null;
        }

        try
        {
            return new YamlMappingFlattener((yamlPath, detail, node) => new MergeKeyProblem(detail, node)).Flatten(mapping, string.Empty);
        }
        catch (MergeKeyProblem)
        {
            return null;
        }
    }

    /// <summary>A mapping value's entries, or null when the value is not a mapping.</summary>
    private static ConfigMapping? Read(YamlMappingFlattener mappings, YamlNode? node, string yamlPath) =>
        node is YamlMappingNode mapping ? mappings.Flatten(mapping, yamlPath) : null;

    private static bool IsDirectChild(YamlMappingNode mapping, YamlNode key)
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

    public static ConfigEntry? Find(ConfigMapping? fields, string key) =>
        fields is not null && fields.TryGet(key, out var entry) ? entry : null;

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
    /// <summary>Unwinds the walk over the file when a mapping's merge keys are invalid; the message is the loader's.</summary>
    private sealed class MergeKeyProblem : Exception
    {
        public MergeKeyProblem(string message, YamlNode node)
            : base(message)
        {
            Node = node;
        }

        public YamlNode Node { get; }
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
