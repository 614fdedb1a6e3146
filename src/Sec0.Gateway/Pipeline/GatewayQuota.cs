using System.Globalization;
using Microsoft.AspNetCore.Http;
using Sec0.Gateway.Entitlements;
using Sec0.Gateway.State;

namespace Sec0.Gateway.Pipeline;

/// <summary>
/// Applies a tenant's quotas to one call: the token bucket first (rate, burst twice the rate, as Sec0's TS gateway),
/// then the daily count. Sets <c>x-rate-remaining</c>, <c>x-quota-remaining</c> and <c>x-quota-reset-at</c>, and
/// <c>Retry-After</c> on a refusal.
/// </summary>
internal static class GatewayQuota
{
    public static async ValueTask<GatewayError?> CheckAsync(IQuotaStore store, HttpResponse response, string tenant, string toolRef, ToolLimits limits, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var nextMidnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        if (limits.RatePerSecond is { } rate)
        {
            var burst = (int)Math.Max(1, Math.Ceiling(rate * 2));
            var taken = await store.TryTakeAsync(tenant, toolRef, rate, burst, now, cancellationToken).ConfigureAwait(false);
            response.Headers["x-rate-remaining"] = taken.Remaining.ToString(CultureInfo.InvariantCulture);
            if (!taken.Allowed)
            {
                response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(taken.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return GatewayError.RateLimited();
            }
        }

        if (limits.CallsPerDay is { } daily)
        {
            var counted = await store.TryCountAsync(tenant, toolRef, daily, now, cancellationToken).ConfigureAwait(false);
            response.Headers["x-quota-remaining"] = counted.Remaining.ToString(CultureInfo.InvariantCulture);
            response.Headers["x-quota-reset-at"] = counted.ResetAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            if (!counted.Allowed)
            {
                response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling((counted.ResetAt - now).TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return GatewayError.QuotaExceeded();
            }
        }
        else if (limits.RatePerSecond is not null)
        {
            response.Headers["x-quota-reset-at"] = nextMidnight.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }

        return null;
    }
}
