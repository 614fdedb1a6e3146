using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Sec0.Benchmarks -- --filter '*'   (see docs/performance.md)
if (args is ["--quick-generator", ..])
{
    Sec0.Benchmarks.GeneratorQuickTiming.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
    return;
}

if (args is ["--mcp-pieces", ..])
{
    Sec0.Benchmarks.McpPieces.Run();
    return;
}

if (args is ["--paced-mcp", ..])
{
    Sec0.Benchmarks.McpQuickTiming.RunPaced(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000, Sec0.Benchmarks.McpQuickTiming.Modes(args));
    return;
}

if (args is ["--quick-mcp", ..])
{
    Sec0.Benchmarks.McpQuickTiming.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 15, Sec0.Benchmarks.McpQuickTiming.Modes(args));
    return;
}

if (args is ["--gateway-latency", ..])
{
    Sec0.Benchmarks.Gateway.GatewayLatency.Run(args);
    return;
}

if (args is ["--gateway-state", ..])
{
    Sec0.Benchmarks.Gateway.GatewayStateLatency.Run(args);
    return;
}

if (args is ["--gateway-breakdown", ..])
{
    Sec0.Benchmarks.Gateway.GatewayBreakdown.Run(args);
    return;
}

if (args is ["--make-log", var logDirectory, var megabytes, ..])
{
    Sec0.Benchmarks.AuditLogMaker.Run(logDirectory, long.Parse(megabytes, System.Globalization.CultureInfo.InvariantCulture), args is [.., "checkpoint"] ? Sec0.Audit.AuditSigningMode.Checkpoint : Sec0.Audit.AuditSigningMode.PerEnvelope);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>The benchmark entry point.</summary>
internal partial class Program;
