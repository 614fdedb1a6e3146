using System.Collections.Concurrent;
using System.Diagnostics;
using Sec0.Policy;

namespace Sec0.Mcp.Tests;

/// <summary>
/// The span of a guarded MCP tool call, seen by an <see cref="ActivityListener"/> on the <c>Sec0</c> source: named and
/// tagged as the MCP and GenAI semantic conventions name a tool call, with the envelope's trace id.
/// </summary>
public sealed class ToolCallSpanTests
{
    [Fact]
    public async Task An_allowed_call_has_a_tools_call_span_with_the_MCP_and_GenAI_attributes()
    {
        var traceId = ActivityTraceId.CreateRandom();
        using var spans = new SpanRecorder(traceId);
        await using var server = await McpTestServer.StartAsync();

        var result = await server.CallAsync("read_status", traceparent: $"00-{traceId.ToHexString()}-00f067aa0ba902b7-01");

        Assert.NotEqual(true, result.IsError);
        var span = Assert.Single(spans.Stopped);
        Assert.Equal("tools/call read_status", span.DisplayName);
        Assert.Equal(ActivityKind.Server, span.Kind);
        Assert.Equal("tools/call", span.GetTagItem("mcp.method.name"));
        Assert.Equal("execute_tool", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("read_status", span.GetTagItem("gen_ai.tool.name"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        var envelope = Assert.Single(await server.EnvelopesAsync(), e => e.GetProperty("op").GetString() == "tools/call");
        Assert.Equal(span.TraceId.ToHexString(), envelope.GetProperty("trace_id").GetString());
        Assert.Equal(span.SpanId.ToHexString(), envelope.GetProperty("span_id").GetString());
    }

    [Fact]
    public async Task A_denied_call_ends_its_span_with_an_error_status_and_the_reason_as_error_type()
    {
        var traceId = ActivityTraceId.CreateRandom();
        using var spans = new SpanRecorder(traceId);
        await using var server = await McpTestServer.StartAsync();

        var result = await server.CallAsync("forbidden_tool", traceparent: $"00-{traceId.ToHexString()}-00f067aa0ba902b7-01");

        Assert.True(result.IsError);
        var span = Assert.Single(spans.Stopped);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(PolicyReasons.ToolNotInAllowlist, span.GetTagItem("error.type"));
    }

    /// <summary>Records the spans of one trace only, so tests running in parallel do not see each other's.</summary>
    private sealed class SpanRecorder : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<Activity> _stopped = new();

        public SpanRecorder(ActivityTraceId traceId)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == Sec0App.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                    options.Parent.TraceId == traceId ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
                ActivityStopped = _stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyList<Activity> Stopped => [.. _stopped];

        public void Dispose() => _listener.Dispose();
    }
}
