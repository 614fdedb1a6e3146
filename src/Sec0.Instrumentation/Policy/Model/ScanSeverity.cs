namespace Sec0.Policy;

/// <summary>A finding severity, ordered: low &lt; medium &lt; high &lt; critical.</summary>
public enum ScanSeverity
{
    /// <summary><c>low</c> (Semgrep INFO, Nuclei info/low).</summary>
    Low = 0,
    /// <summary><c>medium</c> (Semgrep WARNING).</summary>
    Medium,
    /// <summary><c>high</c> (Semgrep ERROR).</summary>
    High,
    /// <summary><c>critical</c>.</summary>
    Critical,
}
