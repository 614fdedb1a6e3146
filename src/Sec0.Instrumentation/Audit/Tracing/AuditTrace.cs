namespace Sec0.Audit.Tracing;

/// <summary>
/// What <see cref="AuditRunReader"/> read from an audit log: the runs asked for, as trees, and the lines it could
/// not read (skipped, not drawn). A view of the log, not a verification: <see cref="AuditLogVerifier"/> says whether
/// the lines are authentic and complete.
/// </summary>
public sealed class AuditTrace
{
    internal AuditTrace(string path, int files, IReadOnlyList<AuditRun> runs, int runsInLog, IReadOnlyList<AuditProblem> problems, long unreadableLines)
    {
        Path = path;
        Files = files;
        Runs = runs;
        RunsInLog = runsInLog;
        Problems = problems;
        UnreadableLines = unreadableLines;
    }

    /// <summary>The directory or file read.</summary>
    public string Path { get; }

    /// <summary>How many audit files the log has.</summary>
    public int Files { get; }

    /// <summary>The runs selected (one with <see cref="AuditRunReaderOptions.RunId"/>, else the newest), oldest first.</summary>
    public IReadOnlyList<AuditRun> Runs { get; }

    /// <summary>How many runs the whole log holds.</summary>
    public int RunsInLog { get; }

    /// <summary>Lines that could not be read (<c>file:line: message</c>), the first <see cref="AuditRunReaderOptions.MaxListedProblems"/> of them.</summary>
    public IReadOnlyList<AuditProblem> Problems { get; }

    /// <summary>How many lines could not be read, listed or not: not JSON, too long, or cut off at the end of a file.</summary>
    public long UnreadableLines { get; }
}
