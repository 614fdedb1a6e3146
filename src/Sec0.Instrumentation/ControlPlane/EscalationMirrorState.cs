using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sec0.Files;

namespace Sec0.ControlPlane;

/// <summary>
/// The local → control-plane escalation ids of <see cref="EscalationMirror"/>, saved so a restart keeps polling what was
/// reported. Losing it costs a second report of a pending escalation, never a decision, so a bad file is logged and ignored.
/// </summary>
internal sealed class EscalationMirrorState
{
    private readonly string _path;
    private readonly ILogger? _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);

    public EscalationMirrorState(string path, ILogger? logger)
    {
        _path = path;
        _logger = logger;
        try
        {
            if (File.Exists(path) && new FileInfo(path).Length <= 16 * 1024 * 1024)
            {
                using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.String)
                    {
                        _ids[p.Name] = p.Value.GetString()!;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            _logger?.MirrorStateUnreadable(ex, path);
            _ids.Clear();
        }
    }

    public string? RemoteIdOf(string localId)
    {
        lock (_gate)
        {
            return _ids.GetValueOrDefault(localId);
        }
    }

    public IReadOnlyList<KeyValuePair<string, string>> Entries()
    {
        lock (_gate)
        {
            return [.. _ids];
        }
    }

    public void Add(string localId, string remoteId)
    {
        lock (_gate)
        {
            _ids[localId] = remoteId;
            Save();
        }
    }

    public void Remove(string localId)
    {
        lock (_gate)
        {
            if (_ids.Remove(localId))
            {
                Save();
            }
        }
    }

    private void Save()
    {
        try
        {
            AtomicFile.WriteJson(_path, writer =>
            {
                writer.WriteStartObject();
                foreach (var (local, remote) in _ids.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WriteString(local, remote);
                }

                writer.WriteEndObject();
            });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger?.MirrorStateNotSaved(ex, _path);
        }
    }
}
