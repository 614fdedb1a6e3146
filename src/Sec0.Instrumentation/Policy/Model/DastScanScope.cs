namespace Sec0.Policy;

/// <summary><c>dast.scope</c>: what one DAST verdict covers.</summary>
public enum DastScanScope
{
    /// <summary><c>server</c> (default): one verdict for the whole server.</summary>
    Server = 0,
    /// <summary><c>tool</c>: one verdict per tool.</summary>
    Tool,
}
