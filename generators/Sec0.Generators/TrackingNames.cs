namespace Sec0.Generators;

/// <summary>The names of the tracked incremental steps (used by the incrementality tests and benchmarks).</summary>
internal static class TrackingNames
{
    /// <summary>The ForAttributeWithMetadataName transform of [Sec0Hop] declarations (re-run only for edited files; null when not modelled).</summary>
    public const string HopDeclarations = nameof(HopDeclarations);

    /// <summary>[Sec0Hop] declarations (one model per hop).</summary>
    public const string Hops = nameof(Hops);

    /// <summary>The ForAttributeWithMetadataName transform of [McpServerTool] declarations.</summary>
    public const string McpToolDeclarations = nameof(McpToolDeclarations);

    /// <summary>[McpServerTool] declarations hashed for the manifest.</summary>
    public const string McpTools = nameof(McpTools);

    /// <summary>Whether the compilation references the Sec0 runtime (nothing is emitted otherwise).</summary>
    public const string RuntimeAvailable = nameof(RuntimeAvailable);

    /// <summary>The transform of every syntactic call-site candidate (null for calls that are not hops).</summary>
    public const string CallSiteCandidates = nameof(CallSiteCandidates);

    /// <summary>Calls of hop methods (including the ones that are left un-intercepted, with the reason).</summary>
    public const string CallSites = nameof(CallSites);

    /// <summary>Call sites grouped per calling source file: one generated file each.</summary>
    public const string CallSitesByFile = nameof(CallSitesByFile);

    /// <summary>Descriptors of hops declared in referenced assemblies and called here.</summary>
    public const string ExternalHops = nameof(ExternalHops);

    /// <summary>Hop descriptors and manifest entries grouped per declaring source file: one generated file each.</summary>
    public const string DescriptorsByFile = nameof(DescriptorsByFile);

    /// <summary>The descriptor field names of the hops of this compilation (the external descriptor file leaves them out).</summary>
    public const string LocalDescriptorFields = nameof(LocalDescriptorFields);

    /// <summary>The model of the descriptor file of hops declared in referenced assemblies (null when there are none).</summary>
    public const string ExternalDescriptorFile = nameof(ExternalDescriptorFile);

    /// <summary>Whether any descriptor is declared, so the head of the partial class HopDescriptors is emitted.</summary>
    public const string DescriptorClass = nameof(DescriptorClass);
}
