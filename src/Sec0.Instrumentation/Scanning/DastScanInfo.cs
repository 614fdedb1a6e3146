using Sec0.Policy;

namespace Sec0.Scanning;

/// <summary>What a DAST scanner is asked to scan (Sec0's <c>DastScanInfo</c>): a running sandbox of the server or tool.</summary>
public sealed record DastScanInfo
{
    /// <summary><c>server</c>: the server (or app) name.</summary>
    public string Server { get; init; } = "";

    /// <summary><c>tool</c>: the tool name or hop key; empty for <c>scope: server</c>.</summary>
    public string Tool { get; init; } = "";

    /// <summary><c>handlerHash</c>: the handler's body hash for <c>scope: tool</c>; empty for <c>scope: server</c>.</summary>
    public string HandlerHash { get; init; } = "";

    /// <summary><c>sandboxUrl</c>: the target (policy <c>dast.sandbox_url</c>, or <c>SEC0_NUCLEI_TARGET</c>).</summary>
    public Uri? SandboxUrl { get; init; }

    /// <summary><c>templates</c>: the scanner's template file or folder.</summary>
    public string? Templates { get; init; }

    /// <summary><c>tags</c>: template tags to run.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary><c>excludeTags</c>: template tags to skip.</summary>
    public IReadOnlyList<string> ExcludeTags { get; init; } = [];

    /// <summary><c>severity</c>: template severities to run; empty runs all.</summary>
    public IReadOnlyList<ScanSeverity> Severity { get; init; } = [];
}
