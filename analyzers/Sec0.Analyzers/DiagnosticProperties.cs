namespace Sec0.Analyzers;

/// <summary>Keys of <see cref="Microsoft.CodeAnalysis.Diagnostic.Properties"/> the code fixes read.</summary>
internal static class DiagnosticProperties
{
    /// <summary>The hop key (SEC0001, SEC0002, SEC0003).</summary>
    public const string HopKey = "HopKey";

    /// <summary>The YAML type name the new entry gets (SEC0001): the attribute's Type, or agent.</summary>
    public const string HopType = "HopType";

    /// <summary>The <c>HopType</c> member name the config states (SEC0003), e.g. <c>Orchestrator</c>.</summary>
    public const string ConfiguredHopType = "ConfiguredHopType";
}
