namespace Sec0.Instrumentation.Tests.Audit.Tracing;

/// <summary>The tools of <see cref="TraceWorkflow"/>.</summary>
public static class TraceTools
{
    [Sec0Hop]
    public static string Search(string query) => "3 results for " + query;

    [Sec0Hop]
    public static string Refund(string account, decimal amount) => $"refunded {amount} to {account}";
}
