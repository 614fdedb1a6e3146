using System.Diagnostics;
using System.Text.Json;
using Sec0.Gateway.Tests.Gateway;

namespace Sec0.Gateway.Tests.Fuzz;

/// <summary>
/// The envelope of a response, waited for: the gateway records a request after its answer is written, so right after
/// the response arrives the envelope may not be queued yet (<see cref="GatewayHarness.EnvelopeOfAsync"/> looks once).
/// </summary>
internal static class AuditWait
{
    public static async Task<JsonElement> EnvelopeAsync(GatewayHarness gateway, string? trace, string? span)
    {
        Assert.NotNull(trace);
        Assert.NotNull(span);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var matches = (await gateway.EnvelopesAsync()).Where(e => e.GetProperty("trace_id").GetString() == trace && e.GetProperty("span_id").GetString() == span).ToList();
            if (matches.Count > 0 || clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                return Assert.Single(matches);
            }

            await Task.Delay(20);
        }
    }

    public static Task<JsonElement> EnvelopeAsync(GatewayHarness gateway, HttpResponseMessage response)
        => EnvelopeAsync(gateway, GatewayHarness.Header(response, "x-trace-id"), GatewayHarness.Header(response, "x-span-id"));
}
