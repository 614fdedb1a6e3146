using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Sec0.Generators.Emitting;
using Sec0.Generators.Model;
using Sec0.Generators.Parsing;

namespace Sec0.Generators;

/// <summary>
/// The Sec0 hop generator: a descriptor and a manifest entry per <c>[Sec0Hop]</c> method (one generated
/// file per declaring source file), an interceptor for every call of a hop method (also hops declared in
/// referenced assemblies, and calls that reach hops through virtual or interface dispatch; one generated
/// file per calling source file) that routes the call through <c>Sec0.Hops.HopRuntime</c>, and a binding
/// of each <c>HopGuard.Enter()</c> in a hop's body to that hop.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class HopGenerator : IIncrementalGenerator
{
    private readonly GeneratorHooks _hooks;

    /// <summary>The generator as the compiler creates it.</summary>
    public HopGenerator()
        : this(GeneratorHooks.None)
    {
    }

    /// <summary>A generator with test hooks (each test its own instance, no shared switches).</summary>
    internal HopGenerator(GeneratorHooks hooks) => _hooks = hooks;

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var hooks = _hooks;

        // (a) Hop declarations: one model each, body hash computed here (only for changed trees).
        var hops = context.SyntaxProvider
            .ForAttributeWithMetadataName(Hops.HopAttributeMetadataName, HopParser.IsMethodDeclaration, (attributed, ct) => HopParser.ParseHop(attributed, hooks, ct))
            .WithTrackingName(TrackingNames.HopDeclarations)
            .Where(static hop => hop is not null)
            .Select(static (hop, _) => hop!)
            .WithTrackingName(TrackingNames.Hops);

        var mcpTools = context.SyntaxProvider
            .ForAttributeWithMetadataName(Hops.McpToolAttributeMetadataName, HopParser.IsMethodDeclaration, (attributed, ct) => HopParser.ParseMcpTool(attributed, hooks, ct))
            .WithTrackingName(TrackingNames.McpToolDeclarations)
            .Where(static tool => tool is not null)
            .Select(static (tool, _) => tool!)
            .WithTrackingName(TrackingNames.McpTools);

        // Nothing is emitted into a compilation that does not reference the runtime.
        var runtime = context.CompilationProvider
            .Select(static (compilation, _) => new RuntimeModel(
                compilation.GetTypeByMetadataName(Hops.HopAttributeMetadataName) is not null,
                compilation.GetTypeByMetadataName(Hops.ManifestAttributeMetadataName) is not null))
            .WithTrackingName(TrackingNames.RuntimeAvailable);

        // (b) Call sites: a narrow syntactic filter, a fast-failing semantic transform.
        var callSites = context.SyntaxProvider
            .CreateSyntaxProvider(CallSiteParser.IsCandidate, (candidate, ct) => CallSiteParser.Parse(candidate, hooks, ct))
            .WithTrackingName(TrackingNames.CallSiteCandidates)
            .Where(static call => call is not null)
            .Select(static (call, _) => call!)
            .WithTrackingName(TrackingNames.CallSites);

        // (c) One generated file per calling source file.
        var files = callSites
            .Collect()
            .SelectMany(static (calls, _) => GroupByFile(calls))
            .WithTrackingName(TrackingNames.CallSitesByFile);

        context.RegisterSourceOutput(files.Combine(runtime), static (spc, input) =>
        {
            var (file, available) = input;
            if (available.HasHopAttribute)
            {
                spc.AddSource(file.HintName, Emitter.EmitInterceptors(file));
            }
        });

        // (d) Descriptors and manifest entries: one generated file per declaring source file, each a part
        // of the partial class HopDescriptors, so a body edit in one hop re-emits (and the compiler
        // re-parses) only the small file of the file it is declared in; the other models compare equal
        // and their outputs are reused.
        var descriptorFiles = hops.Collect()
            .Combine(mcpTools.Collect())
            .Combine(runtime)
            .SelectMany(static (input, _) => BuildDescriptorFiles(input.Left.Left, input.Left.Right, input.Right))
            .WithTrackingName(TrackingNames.DescriptorsByFile);

        context.RegisterSourceOutput(descriptorFiles, static (spc, file) => spc.AddSource(file.HintName, Emitter.EmitDescriptors(file)));

        // Hops declared in referenced assemblies get their descriptors (from that assembly's manifest)
        // here, in one file; a field a local hop already declares is not declared again.
        var externalHops = callSites
            .Where(static call => call.ExternalHops.Count > 0 && call.SkipReason is null)
            .SelectMany(static (call, _) => call.ExternalHops.AsImmutableArray())
            .WithTrackingName(TrackingNames.ExternalHops)
            .Collect();

        var localFields = hops
            .Select(static (hop, _) => hop.FieldName)
            .WithTrackingName(TrackingNames.LocalDescriptorFields)
            .Collect();

        var externalFile = externalHops
            .Combine(localFields)
            .Combine(runtime)
            .Select(static (input, _) => BuildExternalFile(input.Left.Left, input.Left.Right, input.Right))
            .WithTrackingName(TrackingNames.ExternalDescriptorFile);

        context.RegisterSourceOutput(externalFile, static (spc, file) =>
        {
            if (file is not null)
            {
                spc.AddSource(file.HintName, Emitter.EmitDescriptors(file));
            }
        });

        // The head of the partial class (its documentation and [GeneratedCode], which may appear once),
        // whenever any part declares a descriptor.
        var descriptorClass = descriptorFiles.Collect()
            .Combine(externalFile)
            .Select(static (input, _) => input.Right is not null || input.Left.Any(static file => file.Descriptors.Count > 0))
            .WithTrackingName(TrackingNames.DescriptorClass);

        context.RegisterSourceOutput(descriptorClass, static (spc, any) =>
        {
            if (any)
            {
                spc.AddSource(Emitter.DescriptorsHintName, Emitter.EmitDescriptorClass());
            }
        });
    }

    private static ImmutableArray<CallSiteFileModel> GroupByFile(ImmutableArray<CallSiteModel> calls)
    {
        if (calls.IsDefaultOrEmpty)
        {
            return ImmutableArray<CallSiteFileModel>.Empty;
        }

        return calls
            .Where(static call => call.SkipReason is null && call.Target is not null)
            .GroupBy(static call => call.FilePath, StringComparer.Ordinal)
            .OrderBy(static group => group.Key, StringComparer.Ordinal)
            .Select(static group => new CallSiteFileModel(
                group.Key,
                Naming.HintName(group.Key),
                new EquatableArray<CallSiteModel>(group.OrderBy(static call => call.Position))))
            .ToImmutableArray();
    }

    private static ImmutableArray<DescriptorFileModel> BuildDescriptorFiles(
        ImmutableArray<DescriptorModel> hops,
        ImmutableArray<DescriptorModel> mcpTools,
        RuntimeModel runtime)
    {
        if (!runtime.HasHopAttribute || (hops.IsDefaultOrEmpty && (mcpTools.IsDefaultOrEmpty || !runtime.HasManifestAttribute)))
        {
            return ImmutableArray<DescriptorFileModel>.Empty;
        }

        var declarations = hops.IsDefault ? ImmutableArray<DescriptorModel>.Empty : hops;
        var tools = mcpTools.IsDefault || !runtime.HasManifestAttribute ? ImmutableArray<DescriptorModel>.Empty : mcpTools;
        var byFile = new SortedDictionary<string, (List<DescriptorModel> Hops, List<DescriptorModel> Tools)>(StringComparer.Ordinal);
        foreach (var hop in declarations)
        {
            Entry(hop.FilePath).Hops.Add(hop);
        }

        foreach (var tool in tools)
        {
            Entry(tool.FilePath).Tools.Add(tool);
        }

        // A field name is the key plus a hash of the method id, so it is unique per method; two models
        // with one name are one method declared twice (already a compile error). As in one file before,
        // its field is declared once: by the first declaring file in path order.
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        var files = ImmutableArray.CreateBuilder<DescriptorFileModel>(byFile.Count);
        foreach (var pair in byFile)
        {
            var descriptors = new List<DescriptorModel>();
            foreach (var hop in pair.Value.Hops.OrderBy(static d => d.Key, StringComparer.Ordinal).ThenBy(static d => d.MethodId, StringComparer.Ordinal))
            {
                if (claimed.Add(hop.FieldName))
                {
                    descriptors.Add(hop);
                }
            }

            var manifest = runtime.HasManifestAttribute
                ? pair.Value.Hops.Concat(pair.Value.Tools)
                    .OrderBy(static d => d.Kind, StringComparer.Ordinal)
                    .ThenBy(static d => d.Key, StringComparer.Ordinal)
                    .ThenBy(static d => d.MethodId, StringComparer.Ordinal)
                    .ToList()
                : new List<DescriptorModel>();
            if (descriptors.Count == 0 && manifest.Count == 0)
            {
                continue;
            }

            files.Add(new DescriptorFileModel(
                pair.Key,
                Naming.DescriptorsHintName(pair.Key),
                new EquatableArray<DescriptorModel>(descriptors),
                new EquatableArray<DescriptorModel>(manifest)));
        }

        return files.ToImmutable();

        (List<DescriptorModel> Hops, List<DescriptorModel> Tools) Entry(string filePath)
        {
            if (!byFile.TryGetValue(filePath, out var entry))
            {
                entry = (new List<DescriptorModel>(), new List<DescriptorModel>());
                byFile.Add(filePath, entry);
            }

            return entry;
        }
    }

    private static DescriptorFileModel? BuildExternalFile(
        ImmutableArray<DescriptorModel> externalHops,
        ImmutableArray<string> localFields,
        RuntimeModel runtime)
    {
        if (!runtime.HasHopAttribute || externalHops.IsDefaultOrEmpty)
        {
            return null;
        }

        // Many calls may name the same hop: one field each. A field a local hop declares is kept (as before).
        var claimed = new HashSet<string>(localFields.IsDefault ? ImmutableArray<string>.Empty : localFields, StringComparer.Ordinal);
        var descriptors = new List<DescriptorModel>();
        foreach (var hop in externalHops)
        {
            if (claimed.Add(hop.FieldName))
            {
                descriptors.Add(hop);
            }
        }

        return descriptors.Count == 0
            ? null
            : new DescriptorFileModel(
                string.Empty,
                Emitter.ExternalDescriptorsHintName,
                new EquatableArray<DescriptorModel>(descriptors.OrderBy(static d => d.Key, StringComparer.Ordinal).ThenBy(static d => d.MethodId, StringComparer.Ordinal)),
                EquatableArray<DescriptorModel>.Empty);
    }
}

/// <summary>What the compilation references of the Sec0 runtime.</summary>
internal sealed record RuntimeModel(bool HasHopAttribute, bool HasManifestAttribute);
