using System.Collections.Concurrent;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Sec0.Audit;
using Sec0.Policy;

namespace Sec0.Mcp;

/// <summary>
/// The outermost <c>tools/list</c> filter: every advertised definition is compared with the one pinned at freeze.
/// A definition that changed (or a tool that was never registered) is reported as <c>tool_definition_changed</c>:
/// logged and audited once per distinct definition — rug-pull detection from the server side. The list itself
/// is returned unchanged; a call to a changed tool is blocked by the call guard (<c>handler_swap</c>).
/// </summary>
internal sealed class Sec0ToolListGuard
{
    private readonly Sec0McpRuntime _runtime;
    private readonly ConcurrentDictionary<string, bool> _reported = new(StringComparer.Ordinal);

    public Sec0ToolListGuard(Sec0McpRuntime runtime)
    {
        _runtime = runtime;
    }

    public McpRequestHandler<ListToolsRequestParams, ListToolsResult> Outermost(McpRequestHandler<ListToolsRequestParams, ListToolsResult> next) =>
        async (context, cancellationToken) =>
        {
            var result = await next(context, cancellationToken).ConfigureAwait(false);
            if (context.Server.ServerOptions.ToolCollection is not Sec0FreezableToolCollection registry)
            {
                return result;
            }

            foreach (var tool in result.Tools)
            {
                if (!registry.TryGetPin(tool.Name, out var pin))
                {
                    Report(registry, tool, pinnedHash: null, ToolDefinitionHasher.Hash(tool));
                    continue;
                }

                if (ReferenceEquals(tool, pin.Tool.ProtocolTool) ? pin.DefinitionUnchanged(tool) : ToolDefinitionHasher.HashWithoutOutputSchema(tool) == pin.ListedDefinitionHash)
                {
                    continue;
                }

                Report(registry, tool, pin.DefinitionHash, ToolDefinitionHasher.Hash(tool));
            }

            return result;
        };

    private void Report(Sec0FreezableToolCollection registry, Tool tool, string? pinnedHash, string currentHash)
    {
        // Once per tool and definition: a client that lists every few seconds must not flood the log.
        if (!_reported.TryAdd(tool.Name + " " + currentHash, true))
        {
            return;
        }

        var server = registry.ServerName;
        var e = _runtime.NewEnvelope(server, tool.Name, Sec0McpRuntime.ToolRef(server, tool.Name, registry.ServerVersion), "tools/list");
        e.Status = EnvelopeStatus.Error;
        e.RegistryFrozen = registry.IsFrozen;
        e.DenialReason = Sec0McpReasons.ToolDefinitionChanged;
        e.DecisionReason = Sec0McpReasons.ToolDefinitionChanged;
        e.DenialLevel = DenialLevels.Middleware;
        e.Policy = AuditPolicyRecord.For(DecisionNames.Allow, Sec0McpReasons.ToolDefinitionChanged);
        e.HopHash = registry.TryGetPin(tool.Name, out var pin) ? pin.BodyHash : null;
        if (registry.Snapshot is { } snapshot && registry.SnapshotCanonical is { } canonical)
        {
            e.SetSharedServerSnapshot(snapshot, canonical);
        }
        else
        {
            e.ServerSnapshot = registry.Snapshot;
        }
        e.OutputSha256 = currentHash.StartsWith("sha256:", StringComparison.Ordinal) ? currentHash["sha256:".Length..] : currentHash;
        e.LatencyMs = 0;
        e.TraceId = (System.Diagnostics.Activity.Current?.TraceId ?? System.Diagnostics.ActivityTraceId.CreateRandom()).ToHexString();
        e.SpanId = System.Diagnostics.ActivitySpanId.CreateRandom().ToHexString();
        _runtime.Logger.McpToolDefinitionChanged(tool.Name, server, pinnedHash ?? "(not registered)", currentHash);
        _runtime.Record(e);
    }
}
