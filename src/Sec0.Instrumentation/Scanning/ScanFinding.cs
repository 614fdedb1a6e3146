using System.Text.Json.Nodes;
using Sec0.Policy;

namespace Sec0.Scanning;

/// <summary>
/// What SAST and DAST findings share (Sec0's <c>SastFinding</c>/<c>DastFinding</c> fields): a stable code,
/// a severity and the CWE/OWASP/NIST identifiers. <see cref="SastFinding"/> and <see cref="DastFinding"/> add
/// where the finding is.
/// </summary>
public abstract record ScanFinding
{
    /// <summary><c>code</c>: a stable finding code (a Semgrep <c>check_id</c>, a SARIF <c>ruleId</c>, a Nuclei template id).</summary>
    public required string Code { get; init; }

    /// <summary><c>title</c>: a short title.</summary>
    public string Title { get; init; } = "";

    /// <summary><c>severity</c>: low | medium | high | critical.</summary>
    public ScanSeverity Severity { get; init; }

    /// <summary><c>message</c>: human-readable details.</summary>
    public string Message { get; init; } = "";

    /// <summary><c>tags</c>.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary><c>cwe</c>: CWE identifiers such as <c>CWE-89</c>.</summary>
    public IReadOnlyList<string> Cwe { get; init; } = [];

    /// <summary><c>owasp</c>: OWASP identifiers such as <c>A03:2021</c>.</summary>
    public IReadOnlyList<string> Owasp { get; init; } = [];

    /// <summary><c>nist</c>: NIST identifiers.</summary>
    public IReadOnlyList<string> Nist { get; init; } = [];

    /// <summary>The finding as the JSON object audit envelopes carry (snake_case keys as in Sec0's envelopes; empty fields left out).</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["code"] = Code,
            ["title"] = Title,
            ["severity"] = ScanNames.Severity(Severity),
            ["message"] = Message,
        };
        AddFields(o);
        AddList(o, "tags", Tags);
        AddList(o, "cwe", Cwe);
        AddList(o, "owasp", Owasp);
        AddList(o, "nist", Nist);
        return o;
    }

    /// <summary>Adds the fields of the derived finding to <paramref name="json"/>.</summary>
    protected abstract void AddFields(JsonObject json);

    /// <summary>Adds <paramref name="value"/> under <paramref name="name"/> unless it is null.</summary>
    protected static void Add(JsonObject json, string name, string? value)
    {
        if (value is not null)
        {
            json[name] = value;
        }
    }

    /// <summary>Adds <paramref name="value"/> under <paramref name="name"/> unless it is null.</summary>
    protected static void Add(JsonObject json, string name, int? value)
    {
        if (value is not null)
        {
            json[name] = value.Value;
        }
    }

    private static void AddList(JsonObject json, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 0)
        {
            return;
        }

        var array = new JsonArray();
        foreach (var v in values)
        {
            array.Add((JsonNode?)JsonValue.Create(v));
        }

        json[name] = array;
    }
}
