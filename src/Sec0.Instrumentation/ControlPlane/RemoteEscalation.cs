using System.Text.Json;

namespace Sec0.ControlPlane;

/// <summary>An escalation as the control plane reports it (<c>{"escalation": {...}}</c>).</summary>
/// <param name="Id">The control plane's id.</param>
/// <param name="Status">Its status: <c>pending</c>, or the final <c>approved</c>, <c>rejected</c>, <c>expired</c>.</param>
/// <param name="FinalizationReason">Why it ended, when the control plane says.</param>
public sealed record RemoteEscalation(string Id, string Status, string? FinalizationReason)
{
    /// <summary>Whether <see cref="Status"/> is final.</summary>
    public bool IsFinal => Status is "approved" or "rejected" or "expired";

    internal static RemoteEscalation? Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("escalation", out var e) || e.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var id = Text(e, "id");
        var status = Text(e, "status");
        return id is null || status is null ? null : new RemoteEscalation(id, status.ToLowerInvariant(), Text(e, "finalization_reason"));
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Trim() is { Length: > 0 } s ? s : null;
}
