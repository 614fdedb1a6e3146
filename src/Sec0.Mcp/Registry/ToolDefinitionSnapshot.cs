using System.Runtime.InteropServices;
using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace Sec0.Mcp;

/// <summary>
/// What a tool definition held when the registry was frozen, field by field, so that the per-call check "is this
/// still the pinned definition?" costs a few comparisons instead of serializing the <see cref="Tool"/>.
/// </summary>
/// <remarks>
/// It only ever says "unchanged" or "cannot tell": any difference — a replaced object, a changed value, icons or
/// <c>_meta</c> (mutable JSON it does not walk) — sends the caller to the byte-for-byte and hash comparison,
/// which stays the authority. Strings are immutable and <see cref="JsonElement"/>s are read-only views, so equal
/// strings, equal raw schema bytes and equal annotation values mean an equal definition. A test pins the set of
/// <see cref="Tool"/> properties this type knows, so an SDK upgrade that adds one fails until it is handled here.
/// </remarks>
internal sealed class ToolDefinitionSnapshot
{
    private readonly string _name;
    private readonly string? _title;
    private readonly string? _description;
    private readonly byte[] _inputSchema;
    private readonly byte[]? _outputSchema;
    private readonly ToolAnnotations? _annotations;
    private readonly string? _annotationsTitle;
    private readonly bool? _destructive;
    private readonly bool? _idempotent;
    private readonly bool? _openWorld;
    private readonly bool? _readOnly;
    private readonly bool _vouchable;

    public ToolDefinitionSnapshot(Tool tool)
    {
        _name = tool.Name;
        _title = tool.Title;
        _description = tool.Description;
        _inputSchema = RawBytes(tool.InputSchema);
        _outputSchema = tool.OutputSchema is { } output ? RawBytes(output) : null;
        _annotations = tool.Annotations;
        _annotationsTitle = _annotations?.Title;
        _destructive = _annotations?.DestructiveHint;
        _idempotent = _annotations?.IdempotentHint;
        _openWorld = _annotations?.OpenWorldHint;
        _readOnly = _annotations?.ReadOnlyHint;
        _vouchable = tool.Icons is null && tool.Meta is null;
    }

    /// <summary>
    /// True when <paramref name="current"/> certainly advertises the definition captured here; false when it may
    /// differ (then compare serialized bytes).
    /// </summary>
    public bool CertainlyUnchanged(Tool current)
    {
        if (!_vouchable || current.Icons is not null || current.Meta is not null)
        {
            return false;
        }

        if (!string.Equals(current.Name, _name, StringComparison.Ordinal)
            || !string.Equals(current.Title, _title, StringComparison.Ordinal)
            || !string.Equals(current.Description, _description, StringComparison.Ordinal)
            || !SameRaw(current.InputSchema, _inputSchema))
        {
            return false;
        }

        if (current.OutputSchema is { } output ? !SameRaw(output, _outputSchema) : _outputSchema is not null)
        {
            return false;
        }

        var annotations = current.Annotations;
        return ReferenceEquals(annotations, _annotations)
            && (annotations is null
                || (string.Equals(annotations.Title, _annotationsTitle, StringComparison.Ordinal)
                    && annotations.DestructiveHint == _destructive
                    && annotations.IdempotentHint == _idempotent
                    && annotations.OpenWorldHint == _openWorld
                    && annotations.ReadOnlyHint == _readOnly));
    }

    private static byte[] RawBytes(JsonElement element) =>
        element.ValueKind == JsonValueKind.Undefined ? [] : JsonMarshal.GetRawUtf8Value(element).ToArray();

    private static bool SameRaw(JsonElement element, byte[]? pinned) =>
        pinned is not null
        && (element.ValueKind == JsonValueKind.Undefined ? pinned.Length == 0 : JsonMarshal.GetRawUtf8Value(element).SequenceEqual(pinned));
}
