using System.Text.Json.Nodes;

namespace Sec0.Scanning;

/// <summary>A DAST finding (Sec0's <c>DastFinding</c>): <see cref="ScanFinding"/> plus where the running target showed it.</summary>
public sealed record DastFinding : ScanFinding
{
    /// <summary><c>url</c>: the affected URL.</summary>
    public string? Url { get; init; }

    /// <summary><c>method</c>: the HTTP method.</summary>
    public string? Method { get; init; }

    /// <summary><c>param</c>: the parameter name.</summary>
    public string? Param { get; init; }

    /// <summary><c>location</c>: the path or resource.</summary>
    public string? Location { get; init; }

    /// <summary><c>evidence</c>: an evidence snippet.</summary>
    public string? Evidence { get; init; }

    /// <summary><c>sources</c>: the scanners or templates that reported it.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <inheritdoc />
    protected override void AddFields(JsonObject json)
    {
        Add(json, "url", Url);
        Add(json, "method", Method);
        Add(json, "param", Param);
        Add(json, "location", Location);
        Add(json, "evidence", Evidence);
        if (Sources.Count > 0)
        {
            var array = new JsonArray();
            foreach (var s in Sources)
            {
                array.Add((JsonNode?)JsonValue.Create(s));
            }

            json["sources"] = array;
        }
    }
}
