using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Sec0.Mcp;

namespace Sec0.Benchmarks;

internal static class McpPieces
{
    public static void Run()
    {
        var tool = McpServerTool.Create(typeof(McpToolCallBenchmarks.BenchTools).GetMethod("Lookup")!, options: new McpServerToolCreateOptions { Name = "lookup", ReadOnly = true, Idempotent = true, Destructive = false });
        var pin = new PinnedTool(tool, null, "bench-tools", "1.0.0");
        var args = new Dictionary<string, JsonElement>
        {
            ["customerId"] = JsonSerializer.SerializeToElement("c-1042"),
            ["fields"] = JsonSerializer.SerializeToElement(new[] { "name", "tier", "balance" }),
        };
        var result = new CallToolResult { Content = [new TextContentBlock { Text = "c-1042: name,tier,balance" }] };
        var snapshot = new JsonObject { ["name"] = "bench-tools", ["version"] = "1.0.0", ["tools"] = 1, ["registry_sha256"] = new string('a', 64) };
        Console.WriteLine("fast path: " + ToolDefinitionHasher.SerializesTo(tool.ProtocolTool, ToolDefinitionHasher.Serialize(tool.ProtocolTool)));
        T("DefinitionUnchanged", () => pin.DefinitionUnchanged(tool.ProtocolTool));
        T("OfArguments+sha", () => Sec0.Audit.Sha256Hex.Of(CanonicalJson.OfArguments(args)));
        T("Of(result)+sha", () => Sec0.Audit.Sha256Hex.Of(CanonicalJson.Of(result)));
        T("OfResult (text-only, direct)", () => CanonicalJson.OfResult(result));
        T("snapshot canon", () => Sec0.Audit.JsonCanonicalizer.Canonicalize(System.Text.Encoding.UTF8.GetBytes(snapshot.ToJsonString())));
        var argBytes = CanonicalJson.OfArguments(args);
        var resultBytes = JsonSerializer.SerializeToUtf8Bytes(result, ModelContextProtocol.McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CallToolResult)));
        var ih = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var hb = new byte[32];
        T("incremental sha256 of args", () => { ih.AppendData(argBytes); ih.GetHashAndReset(hb); return hb; });
        T("sha256 of args", () => Sec0.Audit.Sha256Hex.Of(argBytes));
        T("OfArguments", () => CanonicalJson.OfArguments(args));
        T("serialize result", () => JsonSerializer.SerializeToUtf8Bytes(result, ModelContextProtocol.McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CallToolResult))));
        T("parse result", () => { using var d = JsonDocument.Parse(resultBytes); return d.RootElement.ValueKind; });
        T("canonicalize result bytes", () => Sec0.Audit.JsonCanonicalizer.Canonicalize(resultBytes));
        T("serialize tool", () => ToolDefinitionHasher.Serialize(tool.ProtocolTool));
        T("Activity ids", () => ActivitySpanId.CreateRandom().ToHexString() + ActivityTraceId.CreateRandom().ToHexString());
    }

    private static void T(string name, Func<object> f)
    {
        for (var i = 0; i < 20000; i++)
        {
            f();
        }

        var sw = Stopwatch.StartNew();
        const int N = 100000;
        for (var i = 0; i < N; i++)
        {
            f();
        }

        Console.WriteLine($"{name}: {sw.Elapsed.TotalMicroseconds / N:F2} us");
    }
}
