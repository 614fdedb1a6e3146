using System.Globalization;

namespace Sec0.Audit.Tracing;

/// <summary>
/// Reads an audit log (a directory of <c>audit-YYYY-MM-DD.ndjson</c> files, or one file) into runs drawn as trees
/// of calls: orchestrator, agents, tools, each with its decision, status and latency. Lines may come from many
/// runs and processes, in any order (a call's line is written when it ends, after its callees'), and a run may
/// cross into the next day's file.
/// </summary>
/// <remarks>
/// Two passes, both streaming line by line: the first finds the runs and where they are (memory grows with the
/// number of runs, not the size of the log), the second reads only the files of the runs asked for and keeps
/// only their calls. A call's run is the run id it names (<c>run_id</c>, <c>agentVariables.*.run_id</c>, else
/// <c>agentRef</c>, which a hop writes as its run id); a call naming none (an MCP tool call, say) joins the one
/// run that shares its trace, or else forms a run of its trace. Lines the appender writes about the log itself
/// (<c>record</c>) are not calls, and approvals steps (<c>op: approval.*</c>) only update the status of the
/// escalations they name. Nothing is verified: a line that is not JSON is reported and skipped, and
/// <see cref="AuditLogVerifier"/> is what says whether the log is authentic and complete.
/// </remarks>
public sealed class AuditRunReader
{
    /// <summary><see cref="Sec0Exception.Code"/> when no run matches <see cref="AuditRunReaderOptions.RunId"/>.</summary>
    public const string RunNotFoundCode = "AUDIT_RUN_NOT_FOUND";

    /// <summary><see cref="Sec0Exception.Code"/> when several runs start with <see cref="AuditRunReaderOptions.RunId"/>.</summary>
    public const string RunAmbiguousCode = "AUDIT_RUN_AMBIGUOUS";

    private const string AnonymousKey = "-";
    private const string TracePrefix = "trace:";
    private readonly AuditRunReaderOptions _options;

    /// <summary>Creates a reader; without options it draws every run.</summary>
    public AuditRunReader(AuditRunReaderOptions? options = null)
    {
        _options = options ?? new AuditRunReaderOptions();
        if (_options.Last is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Last must be at least 1 (null for every run).");
        }

        if (_options.MaxLineBytes < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxLineBytes must be at least 1024.");
        }
    }

    /// <summary>Reads the runs of the log at <paramref name="path"/>.</summary>
    /// <param name="path">An audit directory or a single audit file.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <exception cref="FileNotFoundException">The path does not exist.</exception>
    /// <exception cref="Sec0Exception">
    /// <see cref="AuditRunReaderOptions.RunId"/> matches no run (<see cref="RunNotFoundCode"/>) or several (<see cref="RunAmbiguousCode"/>).
    /// </exception>
    public AuditTrace Read(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        List<string> files;
        if (Directory.Exists(path))
        {
            files = AuditFileNames.List(path).ConvertAll(static f => f.Path);
        }
        else if (File.Exists(path))
        {
            files = [path];
        }
        else
        {
            throw new FileNotFoundException($"[sec0] No audit log at \"{System.IO.Path.GetFullPath(path)}\": expected a directory of audit-YYYY-MM-DD.ndjson files or one such file.", path);
        }

        var names = files.ConvertAll(static f => System.IO.Path.GetFileName(f));

        // Read what is there now, in both passes: a live log keeps growing, and a pipe or device (length 0) is never opened.
        var lengths = files.ConvertAll(AuditFileNames.LengthToRead);
        var survey = new Survey(_options.MaxListedProblems);
        var line = new AuditTraceLine();
        for (var f = 0; f < files.Count; f++)
        {
            var fileIndex = f;
            survey.StartFile(names[f]);
            AuditTraceFileLines.Read(files[f], lengths[f], _options.MaxLineBytes,
                (number, bytes) =>
                {
                    if (AuditTraceLineParser.TryParse(bytes, line, out var error))
                    {
                        survey.Add(line, fileIndex, Order(fileIndex, number));
                    }
                    else
                    {
                        survey.Problem(number, AuditProblemKind.Malformed, error + ": not drawn");
                    }
                },
                survey.Problem,
                cancellationToken);
        }

        var runs = survey.Finish();
        var selected = Select(path, runs);

        // Second pass: only the files the selected runs are in, keeping only their calls.
        var nodes = selected.ToDictionary(static r => r.Key, static _ => new List<AuditRunNode>(), StringComparer.Ordinal);
        foreach (var f in selected.SelectMany(static r => r.Files).Distinct().Order())
        {
            var fileIndex = f;
            AuditTraceFileLines.Read(files[f], lengths[f], _options.MaxLineBytes,
                (number, bytes) =>
                {
                    if (!AuditTraceLineParser.TryParse(bytes, line, out _) || !line.IsCall
                        || !nodes.TryGetValue(survey.KeyOf(line), out var list))
                    {
                        return;
                    }

                    var node = new AuditRunNode(line, names[fileIndex], number, Order(fileIndex, number));
                    if (node.EscalationId is { } id && survey.EscalationStatus(id) is { } latest && latest != node.EscalationStatus)
                    {
                        node.EscalationLatestStatus = latest;
                    }

                    list.Add(node);
                },
                onProblem: null,
                cancellationToken);
        }

        var result = new List<AuditRun>(selected.Count);
        foreach (var summary in selected)
        {
            var runNodes = nodes[summary.Key];
            if (runNodes.Count == 0)
            {
                continue; // its file changed between the passes (retention deleted it, say)
            }

            result.Add(new AuditRun(summary.Key, summary.RunId, summary.TraceId, summary.First, AuditRunTreeBuilder.Build(runNodes),
                summary.Files.ConvertAll(i => names[i])));
        }

        return new AuditTrace(path, files.Count, result, runs.Count, survey.Problems, survey.ProblemCount);
    }

    private static long Order(int file, long line) => ((long)file << 40) | line;

    private List<RunSummary> Select(string path, List<RunSummary> runs)
    {
        if (_options.RunId is not { Length: > 0 } id)
        {
            return _options.Last is { } last && last < runs.Count ? runs.GetRange(runs.Count - last, last) : runs;
        }

        var exact = runs.FindAll(r => r.Key == id || (r.RunId is null && r.TraceId == id));
        if (exact.Count == 1)
        {
            return exact;
        }

        var matches = exact.Count > 1 ? exact : runs.FindAll(r => r.Key.StartsWith(id, StringComparison.Ordinal)
            || (r.RunId is null && r.TraceId is not null && r.TraceId.StartsWith(id, StringComparison.Ordinal)));
        if (matches.Count == 1)
        {
            return matches;
        }

        var shown = AuditTraceText.Printable(id, 80);
        if (matches.Count == 0)
        {
            var span = runs.Count == 0 ? "it has no runs"
                : string.Create(CultureInfo.InvariantCulture, $"it has {runs.Count} {(runs.Count == 1 ? "run" : "runs")}{Between(runs)}; `sec0 trace {path}` draws the newest");
            throw new Sec0Exception(RunNotFoundCode, $"[sec0] No run \"{shown}\" in the audit log at \"{System.IO.Path.GetFullPath(path)}\": {span}.");
        }

        var candidates = string.Join(", ", matches.Take(5).Select(static r => AuditTraceText.Printable(r.Key, 80)));
        throw new Sec0Exception(RunAmbiguousCode, string.Create(CultureInfo.InvariantCulture,
            $"[sec0] \"{shown}\" starts {matches.Count} runs' ids ({candidates}{(matches.Count > 5 ? ", ..." : "")}): give more of the run id."));
    }

    private static string Between(List<RunSummary> runs)
        => runs[0].First is not { } first || runs[^1].First is not { } last ? ""
            : runs.Count == 1 ? $", started {AuditTraceText.Time(first)}"
            : $", started {AuditTraceText.Time(first)} to {AuditTraceText.Time(last)}";

    /// <summary>What the first pass learns of one run: where its lines are and when it started.</summary>
    private sealed class RunSummary(string key, string? runId, string? traceId)
    {
        public string Key { get; } = key;

        public string? RunId { get; } = runId;

        public string? TraceId { get; } = traceId;

        public DateTimeOffset? First { get; private set; }

        public long FirstOrder { get; private set; } = long.MaxValue;

        public List<int> Files { get; } = [];

        public void Add(DateTimeOffset? time, int file, long order)
        {
            if (time is { } t && (First is not { } first || t < first))
            {
                First = t;
            }

            FirstOrder = Math.Min(FirstOrder, order);
            if (Files.Count == 0 || Files[^1] != file)
            {
                Files.Add(file);
            }
        }

        public void Merge(RunSummary other)
        {
            if (other.First is { } t && (First is not { } first || t < first))
            {
                First = t;
            }

            FirstOrder = Math.Min(FirstOrder, other.FirstOrder);
            foreach (var file in other.Files)
            {
                if (!Files.Contains(file))
                {
                    Files.Add(file);
                }
            }

            Files.Sort();
        }
    }

    /// <summary>The first pass: every run's summary, which run each trace belongs to, escalation statuses, unreadable lines.</summary>
    private sealed class Survey(int maxListedProblems)
    {
        private readonly Dictionary<string, RunSummary> _runs = new(StringComparer.Ordinal);

        // A trace's run, or null when calls of several runs share the trace (then run-less calls of it form their own run).
        private readonly Dictionary<string, string?> _traceRuns = new(StringComparer.Ordinal);
        private readonly Dictionary<string, RunSummary> _traceOnly = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _escalations = new(StringComparer.Ordinal);
        private RunSummary? _anonymous;
        private string _file = "";

        public List<AuditProblem> Problems { get; } = [];

        public long ProblemCount { get; private set; }

        public void StartFile(string name) => _file = name;

        public void Problem(long line, AuditProblemKind kind, string message)
        {
            ProblemCount++;
            if (Problems.Count < maxListedProblems)
            {
                Problems.Add(new AuditProblem(_file, line, kind, message));
            }
        }

        public void Add(AuditTraceLine line, int file, long order)
        {
            if (line.IsApprovalStep)
            {
                // Steps are appended as they happen: the last one read is the escalation's newest status.
                if (line.EscalationId is { } id && line.EscalationStatus is { } status)
                {
                    _escalations[id] = status;
                }

                return;
            }

            if (!line.IsCall)
            {
                return;
            }

            var time = AuditTraceText.ParseTime(line.Timestamp);
            if (line.OwnRunId is { Length: > 0 } run)
            {
                if (!_runs.TryGetValue(run, out var summary))
                {
                    _runs.Add(run, summary = new RunSummary(run, run, null));
                }

                summary.Add(time, file, order);
                if (line.TraceId is { Length: > 0 } trace)
                {
                    if (!_traceRuns.TryGetValue(trace, out var owner))
                    {
                        _traceRuns.Add(trace, run);
                    }
                    else if (owner is not null && owner != run)
                    {
                        _traceRuns[trace] = null;
                    }
                }
            }
            else if (line.TraceId is { Length: > 0 } trace)
            {
                if (!_traceOnly.TryGetValue(trace, out var summary))
                {
                    _traceOnly.Add(trace, summary = new RunSummary(TracePrefix + trace, null, trace));
                }

                summary.Add(time, file, order);
            }
            else
            {
                (_anonymous ??= new RunSummary(AnonymousKey, null, null)).Add(time, file, order);
            }
        }

        /// <summary>Every run, oldest first; run-less calls of a trace that one run owns are counted in that run.</summary>
        public List<RunSummary> Finish()
        {
            var runs = new List<RunSummary>(_runs.Values);
            foreach (var (trace, summary) in _traceOnly)
            {
                if (_traceRuns.TryGetValue(trace, out var owner) && owner is not null)
                {
                    _runs[owner].Merge(summary);
                }
                else
                {
                    AddOrMerge(runs, summary);
                }
            }

            if (_anonymous is not null)
            {
                AddOrMerge(runs, _anonymous);
            }

            runs.Sort(static (a, b) =>
            {
                var byTime = (a.First, b.First) switch
                {
                    ({ } x, { } y) => x.CompareTo(y),
                    (null, { }) => 1,
                    ({ }, null) => -1,
                    _ => 0,
                };
                return byTime != 0 ? byTime : a.FirstOrder.CompareTo(b.FirstOrder);
            });
            return runs;
        }

        /// <summary>
        /// A run of run-less calls whose key a run id also spells (a run id "-" or "trace:..."): one key, one run, so
        /// <see cref="KeyOf"/> puts both kinds of calls in it.
        /// </summary>
        private void AddOrMerge(List<RunSummary> runs, RunSummary summary)
        {
            if (_runs.TryGetValue(summary.Key, out var same))
            {
                same.Merge(summary);
            }
            else
            {
                runs.Add(summary);
            }
        }

        /// <summary>The run a call belongs to (after <see cref="Finish"/>).</summary>
        public string KeyOf(AuditTraceLine line)
        {
            if (line.OwnRunId is { Length: > 0 } run)
            {
                return run;
            }

            if (line.TraceId is { Length: > 0 } trace)
            {
                return _traceRuns.TryGetValue(trace, out var owner) && owner is not null ? owner : TracePrefix + trace;
            }

            return AnonymousKey;
        }

        public string? EscalationStatus(string id) => _escalations.GetValueOrDefault(id);
    }
}
