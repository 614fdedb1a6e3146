namespace Sec0.Mcp;

/// <summary>
/// The state of one tool call shared between Sec0's outermost filter and its innermost handler check,
/// through the request's <c>Items</c>: the tool pinned for the call, and what the inner check saw.
/// </summary>
internal sealed class ToolCallState
{
    /// <summary>The key under <c>RequestContext.Items</c>.</summary>
    public const string ItemsKey = "sec0.tool_call";

    public ToolCallState(PinnedTool? pin)
    {
        Pin = pin;
    }

    /// <summary>The tool the call was decided for; null when the name is not registered (the SDK answers "unknown tool").</summary>
    public PinnedTool? Pin { get; }

    /// <summary>True once the inner check ran, i.e. the call got past every other filter.</summary>
    public bool InnerReached { get; set; }

    /// <summary>True when the inner check found another handler than the pinned one and refused to run it.</summary>
    public bool HandlerSwapDetected { get; set; }
}
