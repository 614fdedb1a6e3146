using Sec0.Policy;

namespace Sec0.Scanning;

/// <summary>
/// An <see cref="ISastScanner"/> that answers from a SARIF log produced elsewhere (a CI CodeQL run, the
/// build's <c>ErrorLog</c>): the findings in the handler's file and line span. The log is re-read when its
/// write time changes. A missing or unreadable log is an <c>error</c>, not a clean pass.
/// </summary>
public sealed class SarifScanner : ISastScanner
{
    private readonly string _path;
    private readonly bool _securityOnly;
    private readonly Lock _gate = new();
    private (DateTime WriteTime, IReadOnlyList<SastFinding> Findings)? _loaded;

    /// <summary>Serves findings from the SARIF log at <paramref name="sarifPath"/>.</summary>
    public SarifScanner(string sarifPath, bool securityOnly = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(sarifPath);
        _path = Path.GetFullPath(sarifPath);
        _securityOnly = securityOnly;
    }

    /// <inheritdoc />
    public Task<SastScanResult> ScanAsync(SastScanInfo info, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(info);
        IReadOnlyList<SastFinding> all;
        try
        {
            all = Load();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return Task.FromResult(new SastScanResult { Status = ScanStatus.Error, Error = $"the SARIF log \"{_path}\" can't be read: {ex.Message}" });
        }

        if (info.FilePath is null)
        {
            return Task.FromResult(new SastScanResult { Status = ScanStatus.Error, Error = "the handler has no file path to look up in the SARIF log" });
        }

        var start = info.StartLine > 0 ? info.StartLine : 1;
        var end = info.EndLine > 0 ? info.EndLine : int.MaxValue;
        var findings = all.Where(f => SarifFindingsReader.InSpan(f, info.FilePath, start, end)).ToList();
        return Task.FromResult(new SastScanResult
        {
            Status = findings.Count > 0 ? ScanStatus.Fail : ScanStatus.Pass,
            Findings = findings,
            ScanId = "sarif:" + Path.GetFileName(_path),
        });
    }

    private IReadOnlyList<SastFinding> Load()
    {
        var writeTime = File.GetLastWriteTimeUtc(_path);
        if (!File.Exists(_path))
        {
            throw new FileNotFoundException("no such file", _path);
        }

        lock (_gate)
        {
            if (_loaded is { } loaded && loaded.WriteTime == writeTime)
            {
                return loaded.Findings;
            }

            var findings = SarifFindingsReader.ReadFile(_path, _securityOnly);
            _loaded = (writeTime, findings);
            return findings;
        }
    }
}
