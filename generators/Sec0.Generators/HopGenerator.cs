using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Sec0.Generators.Emitting;
using Sec0.Generators.Model;
using Sec0.Generators.Parsing;

namespace Sec0.Generators
{
    /// <summary>
    /// The Sec0 hop generator: a descriptor and a manifest entry per <c>[Sec0Hop]</c> method, and an
    /// interceptor for every call of a hop method (also hops declared in referenced assemblies) that
    /// routes the call through <c>Sec0.Hops.HopRuntime</c>.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class HopGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            // (a) Hop declarations: one model each, body hash computed here (only for changed trees).
            var hops = context.SyntaxProvider
                .ForAttributeWithMetadataName(Hops.HopAttributeMetadataName, HopParser.IsMethodDeclaration, HopParser.ParseHop)
                .WithTrackingName(TrackingNames.HopDeclarations)
                .Where(static hop => hop is not null)
                .Select(static (hop, _) => hop!)
                .WithTrackingName(TrackingNames.Hops);

            var mcpTools = context.SyntaxProvider
                .ForAttributeWithMetadataName(Hops.McpToolAttributeMetadataName, HopParser.IsMethodDeclaration, HopParser.ParseMcpTool)
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
                .CreateSyntaxProvider(CallSiteParser.IsCandidate, CallSiteParser.Parse)
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

            var externalHops = callSites
                .Where(static call => call.ExternalHop is not null && call.SkipReason is null)
                .Select(static (call, _) => call.ExternalHop!)
                .WithTrackingName(TrackingNames.ExternalHops)
                .Collect();

            var descriptorFile = hops.Collect()
                .Combine(mcpTools.Collect())
                .Combine(externalHops)
                .Combine(runtime)
                .Select(static (input, _) => BuildDescriptorFile(input.Left.Left.Left, input.Left.Left.Right, input.Left.Right, input.Right))
                .WithTrackingName(TrackingNames.DescriptorFile);

            context.RegisterSourceOutput(descriptorFile, static (spc, model) =>
            {
                if (model is not null)
                {
                    spc.AddSource(Emitter.DescriptorsHintName, Emitter.EmitDescriptors(model));
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

        private static DescriptorFileModel? BuildDescriptorFile(
            ImmutableArray<DescriptorModel> hops,
            ImmutableArray<DescriptorModel> mcpTools,
            ImmutableArray<DescriptorModel> externalHops,
            RuntimeModel runtime)
        {
            if (!runtime.HasHopAttribute || (hops.IsDefaultOrEmpty && externalHops.IsDefaultOrEmpty && mcpTools.IsDefaultOrEmpty))
            {
                return null;
            }

            // Local hops are declared here; external ones once each (many calls may name the same hop).
            var descriptors = new Dictionary<string, DescriptorModel>(StringComparer.Ordinal);
            foreach (var hop in hops.Concat(externalHops))
            {
                if (!descriptors.ContainsKey(hop.FieldName))
                {
                    descriptors.Add(hop.FieldName, hop);
                }
            }

            var manifest = runtime.HasManifestAttribute
                ? hops.Concat(mcpTools).OrderBy(static d => d.Kind, StringComparer.Ordinal).ThenBy(static d => d.Key, StringComparer.Ordinal).ThenBy(static d => d.MethodId, StringComparer.Ordinal)
                : Enumerable.Empty<DescriptorModel>();

            return new DescriptorFileModel(
                new EquatableArray<DescriptorModel>(descriptors.Values.OrderBy(static d => d.Key, StringComparer.Ordinal).ThenBy(static d => d.MethodId, StringComparer.Ordinal)),
                new EquatableArray<DescriptorModel>(manifest));
        }
    }

    /// <summary>What the compilation references of the Sec0 runtime.</summary>
    internal sealed record RuntimeModel(bool HasHopAttribute, bool HasManifestAttribute);
}
