using ModelContextProtocol.Protocol;

namespace Sec0.Mcp;

/// <summary>
/// Which tools are side-effecting and which need an idempotency key, read from the tool's MCP annotations
/// (never guessed from its name). MCP's defaults apply to hints that are not set: <c>readOnlyHint</c> false,
/// <c>destructiveHint</c> true, <c>idempotentHint</c> false.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Side-effecting: <c>readOnlyHint</c> is not true. A tool without annotations is therefore side-effecting, as MCP assumes.</item>
/// <item>Needs an idempotency key: side-effecting, unless it is declared both idempotent (<c>idempotentHint: true</c>)
/// and non-destructive (<c>destructiveHint: false</c>), in which case a retry is harmless by declaration.</item>
/// </list>
/// Only when the policy sets <c>side_effects.require_idempotency_key</c> does a missing key count
/// (<c>missing_idempotency_for_side_effect</c>).
/// </remarks>
internal static class SideEffectRule
{
    public static bool IsSideEffect(ToolAnnotations? annotations) => annotations?.ReadOnlyHint != true;

    public static bool RequiresIdempotencyKey(ToolAnnotations? annotations) =>
        IsSideEffect(annotations) && !(annotations?.IdempotentHint == true && annotations.DestructiveHint == false);
}
