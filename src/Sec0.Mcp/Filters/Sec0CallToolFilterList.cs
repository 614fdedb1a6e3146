using System.Collections;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Sec0.Mcp;

/// <summary>
/// The list Sec0 puts in <c>McpServerOptions.Filters.Request.CallToolFilters</c>: Sec0's outermost filter is always
/// at index 0 and its handler check always last, whatever is inserted or added later (an <c>Insert(0, …)</c>
/// lands right inside Sec0's outermost filter, an <c>Add</c> right outside its handler check). The SDK reads the
/// list by index when it builds the pipeline, so no filter can end up outside the decision or between the
/// handler check and the handler.
/// </summary>
internal sealed class Sec0CallToolFilterList : IList<McpRequestFilter<CallToolRequestParams, CallToolResult>>
{
    private readonly McpRequestFilter<CallToolRequestParams, CallToolResult> _outermost;
    private readonly McpRequestFilter<CallToolRequestParams, CallToolResult> _innermost;
    private readonly List<McpRequestFilter<CallToolRequestParams, CallToolResult>> _others;

    public Sec0CallToolFilterList(
        McpRequestFilter<CallToolRequestParams, CallToolResult> outermost,
        McpRequestFilter<CallToolRequestParams, CallToolResult> innermost,
        IEnumerable<McpRequestFilter<CallToolRequestParams, CallToolResult>> others)
    {
        _outermost = outermost;
        _innermost = innermost;
        _others = others.Where(filter => filter != outermost && filter != innermost).ToList();
    }

    public int Count => _others.Count + 2;

    public bool IsReadOnly => false;

    public McpRequestFilter<CallToolRequestParams, CallToolResult> this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return index == 0 ? _outermost : index == Count - 1 ? _innermost : _others[index - 1];
        }

        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _others[OtherIndex(index)] = value;
        }
    }

    public void Add(McpRequestFilter<CallToolRequestParams, CallToolResult> item)
    {
        ArgumentNullException.ThrowIfNull(item);
        _others.Add(item);
    }

    public void Insert(int index, McpRequestFilter<CallToolRequestParams, CallToolResult> item)
    {
        ArgumentNullException.ThrowIfNull(item);
        _others.Insert(Math.Clamp(index - 1, 0, _others.Count), item);
    }

    public bool Remove(McpRequestFilter<CallToolRequestParams, CallToolResult> item) => _others.Remove(item);

    public void RemoveAt(int index) => _others.RemoveAt(OtherIndex(index));

    /// <summary>Removes every other filter; Sec0's two stay.</summary>
    public void Clear() => _others.Clear();

    public bool Contains(McpRequestFilter<CallToolRequestParams, CallToolResult> item) => IndexOf(item) >= 0;

    public int IndexOf(McpRequestFilter<CallToolRequestParams, CallToolResult> item)
    {
        if (item == _outermost)
        {
            return 0;
        }

        if (item == _innermost)
        {
            return Count - 1;
        }

        var index = _others.IndexOf(item);
        return index < 0 ? -1 : index + 1;
    }

    public void CopyTo(McpRequestFilter<CallToolRequestParams, CallToolResult>[] array, int arrayIndex)
    {
        ArgumentNullException.ThrowIfNull(array);
        for (var i = 0; i < Count; i++)
        {
            array[arrayIndex + i] = this[i];
        }
    }

    public IEnumerator<McpRequestFilter<CallToolRequestParams, CallToolResult>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int OtherIndex(int index)
    {
        if (index <= 0 || index >= Count - 1)
        {
            throw new InvalidOperationException("[sec0] Sec0's call-tool filters stay first and last; they cannot be replaced or removed.");
        }

        return index - 1;
    }
}
