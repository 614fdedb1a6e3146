using System.Collections;
using System.Globalization;
using System.Text.Json;
using Sec0.Signing;

namespace Sec0.Audit;

/// <summary>
/// Verifies an audit directory (or one file) with the public key alone: every signature and the canonical
/// form of every line, the hash chain across all files in day order, the sequence (gaps, reordering,
/// duplicates), each file's <c>file_start</c>, the signing mode (no unsigned envelope where every one is
/// signed), what start-up recovery and retention recorded (lines moved aside, deleted files, a cut tail),
/// and optionally an expected head. Reads files as a stream of lines; a line it cannot read is a problem,
/// never an exception. Lines written by Sec0's TypeScript SDK (no chain fields) are verified by their signature
/// alone and counted apart (<see cref="AuditVerificationReport.TypeScriptLines"/>): accepted before the log's
/// first Sec0 for .NET line, reported as <see cref="AuditProblemKind.Unchained"/> after it.
/// </summary>
public sealed class AuditLogVerifier
{
    // A line longer than this is not a Sec0 record; it is reported and skipped rather than buffered.
    private const int MaxLineBytes = 64 * 1024 * 1024;

    /// <summary>
    /// How many problems a report lists; the rest are only counted (<see cref="AuditVerificationReport.UnlistedProblems"/>).
    /// A hostile file can hold a bad line every byte or two: listing them all would take far more memory than the file.
    /// </summary>
    public const int MaxListedProblems = 10_000;

    private readonly SignatureVerifier _key;

    /// <summary>Creates a verifier for logs signed by <paramref name="key"/>.</summary>
    public AuditLogVerifier(SignatureVerifier key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key;
    }

    /// <summary>Verifies a directory of <c>audit-YYYY-MM-DD.ndjson</c> files, or a single file.</summary>
    /// <param name="path">A directory or a file.</param>
    /// <param name="progress">Receives the fraction of bytes read (0..1), for a progress display.</param>
    /// <param name="cancellationToken">Stops the verification.</param>
    /// <exception cref="FileNotFoundException">The path does not exist.</exception>
    public AuditVerificationReport Verify(string path, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
        => Verify(path, new AuditVerifyOptions(), progress, cancellationToken);

    /// <summary>
    /// Verifies a directory of <c>audit-YYYY-MM-DD.ndjson</c> files, or a single file on its own (its chain
    /// from its own first line).
    /// </summary>
    /// <param name="path">A directory or a file.</param>
    /// <param name="options">What else to check, such as an expected head.</param>
    /// <param name="progress">Receives the fraction of bytes read (0..1), for a progress display.</param>
    /// <param name="cancellationToken">Stops the verification.</param>
    /// <exception cref="FileNotFoundException">The path does not exist.</exception>
    public AuditVerificationReport Verify(string path, AuditVerifyOptions options, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        List<string> files;
        bool singleFile;
        if (Directory.Exists(path))
        {
            files = AuditFileNames.List(path).Select(f => f.Path).ToList();
            singleFile = false;
        }
        else if (File.Exists(path))
        {
            files = [path];
            singleFile = true;
        }
        else
        {
            throw new FileNotFoundException($"[sec0] No audit log at \"{Path.GetFullPath(path)}\": expected a directory of audit-YYYY-MM-DD.ndjson files or one such file.", path);
        }

        var state = new State(_key.KeyId, singleFile, options.ExpectedHead);
        var batch = new LineBatch(_key);
        var lengths = files.Select(AuditFileNames.LengthToRead).ToList();
        long totalBytes = lengths.Sum();
        long readBytes = 0;
        var buffer = new byte[1 << 16];
        var carry = new MemoryStream();
        long lastFileLength = 0;
        for (var f = 0; f < files.Count; f++)
        {
            var file = files[f];
            var name = Path.GetFileName(file);
            state.StartFile(name);
            lastFileLength = lengths[f];
            if (lastFileLength == 0)
            {
                continue; // nothing to read (and a pipe or a device, whose length is 0, is never opened)
            }

            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            carry.SetLength(0);
            var skipping = false;
            long lineNo = 0;
            int read;
            var remaining = lastFileLength;
            while (remaining > 0 && (read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining))) > 0)
            {
                remaining -= read;
                cancellationToken.ThrowIfCancellationRequested();
                var span = buffer.AsSpan(0, read);
                while (true)
                {
                    var nl = span.IndexOf((byte)'\n');
                    if (nl < 0)
                    {
                        if (!skipping && carry.Length + span.Length > MaxLineBytes)
                        {
                            skipping = true;
                            carry.SetLength(0);
                        }

                        if (!skipping)
                        {
                            carry.Write(span);
                        }

                        break;
                    }

                    lineNo++;
                    if (skipping)
                    {
                        batch.Drain(state);
                        state.Problem(lineNo, AuditProblemKind.Malformed, string.Create(CultureInfo.InvariantCulture, $"not an audit record: a line longer than {MaxLineBytes / (1024 * 1024)} MiB"));
                        state.SkippedLine();
                        skipping = false;
                    }
                    else if (carry.Length > 0)
                    {
                        carry.Write(span[..nl]);
                        batch.Add(carry.GetBuffer().AsSpan(0, (int)carry.Length), lineNo, state);
                        carry.SetLength(0);
                    }
                    else
                    {
                        batch.Add(span[..nl], lineNo, state);
                    }

                    span = span[(nl + 1)..];
                }

                readBytes += read;
                progress?.Report(totalBytes == 0 ? 1 : (double)readBytes / totalBytes);
            }

            batch.Drain(state);
            if (carry.Length > 0 || skipping)
            {
                state.Problem(lineNo + 1, AuditProblemKind.Truncated, string.Create(CultureInfo.InvariantCulture, $"file ends in the middle of a line ({(skipping ? "over " + MaxLineBytes : carry.Length)} bytes without a newline): a torn write or a truncated file"));
            }
        }

        return state.Finish(files.Count, files.Count > 0 && lastFileLength == 0);
    }

    /// <summary>
    /// Lines judged in batches on every core: reading a line's signature is the expensive part (tens of
    /// microseconds) and needs nothing from the lines around it; the chain, the sequence and everything
    /// else that does is then applied in order by <see cref="State"/>.
    /// </summary>
    private sealed class LineBatch
    {
        private const int MaxLines = 4096;
        private const int MaxBytes = 8 * 1024 * 1024;
        private readonly AuditLineReader[] _readers;
        private readonly long[] _lineNumbers = new long[MaxLines];
        private readonly int[] _starts = new int[MaxLines + 1];
        private readonly JudgedLine[] _judged = new JudgedLine[MaxLines];
        private byte[] _bytes = new byte[MaxBytes];
        private int _count;

        public LineBatch(SignatureVerifier key)
        {
            _readers = new AuditLineReader[Math.Max(1, Environment.ProcessorCount)];
            for (var i = 0; i < _readers.Length; i++)
            {
                _readers[i] = new AuditLineReader(key, readTypeScriptLines: true);
            }
        }

        public void Add(ReadOnlySpan<byte> line, long lineNo, State state)
        {
            var end = _starts[_count];
            if (_count == MaxLines || (end + line.Length > _bytes.Length && _count > 0))
            {
                Drain(state);
                end = 0;
            }

            if (line.Length > _bytes.Length)
            {
                _bytes = new byte[line.Length];
            }

            line.CopyTo(_bytes.AsSpan(end));
            _lineNumbers[_count] = lineNo;
            _starts[++_count] = end + line.Length;
        }

        public void Drain(State state)
        {
            if (_count == 0)
            {
                return;
            }

            var workers = Math.Min(_readers.Length, (_count + 63) / 64);
            if (workers <= 1)
            {
                Judge(0, 0, _count);
            }
            else
            {
                Parallel.For(0, workers, w => Judge(w, (int)((long)_count * w / workers), (int)((long)_count * (w + 1) / workers)));
            }

            for (var i = 0; i < _count; i++)
            {
                state.Line(_judged[i], _lineNumbers[i]);
                _judged[i] = default;
            }

            _count = 0;
        }

        private void Judge(int worker, int from, int to)
        {
            var reader = _readers[worker];
            for (var i = from; i < to; i++)
            {
                var line = _bytes.AsSpan(_starts[i], _starts[i + 1] - _starts[i]);
                var status = reader.Read(line, out var info);
                _judged[i] = new JudgedLine(status, info, Sha256Hex.Of(line));
            }
        }
    }

    private readonly record struct JudgedLine(AuditLineStatus Status, AuditLineInfo Info, string Hash);

    private sealed class State
    {
        private readonly string _keyId;
        private readonly bool _singleFile;
        private readonly AuditHead? _expectedHead;
        private readonly List<AuditProblem> _problems = new();
        private readonly SeqSet _seen = new();
        private readonly List<(long From, long To, string File, long Line)> _jumps = new();
        private readonly List<Anchor> _anchors = new();
        private (string File, long Line, long FirstSeq, long LastSeq, long Count) _pending;
        private long _unlisted;
        private string _file = "";
        private string? _previousFile;
        private bool _firstInFile;
        private long _lineNo;
        private string? _prevHash;
        private long _maxSeq;
        private (string File, long Line, long Seq, string Prev)? _start;
        private (string File, long Line, string Hash)? _atExpectedSeq;
        private AuditSigningMode? _mode;
        private long _envelopes;
        private long _invalidEnvelopes;
        private long _unauthenticated;
        private long _records;

        // TypeScript SDK lines: accepted only before the log's first Sec0 for .NET line, which starts the chain.
        private readonly List<AuditTypeScriptFile> _typeScriptFiles = new();
        private bool _chainStarted;
        private long _typeScriptLinesInFile;
        private long _validTypeScriptLinesInFile;

        public State(string keyId, bool singleFile, AuditHead? expectedHead)
        {
            _keyId = keyId;
            _singleFile = singleFile;
            _expectedHead = expectedHead;
        }

        public void StartFile(string name)
        {
            EndFile();
            _previousFile = _file.Length == 0 ? null : _file;
            _file = name;
            _firstInFile = true;
        }

        private void EndFile()
        {
            if (_validTypeScriptLinesInFile > 0)
            {
                _typeScriptFiles.Add(new AuditTypeScriptFile(_file, _validTypeScriptLinesInFile));
            }

            _typeScriptLinesInFile = 0;
            _validTypeScriptLinesInFile = 0;
        }

        public void Problem(long line, AuditProblemKind kind, string message)
            => Add(new AuditProblem(_file, line, kind, message));

        /// <summary>Lists a problem, or only counts it once <see cref="MaxListedProblems"/> are listed.</summary>
        private void Add(AuditProblem problem)
        {
            if (_problems.Count < MaxListedProblems)
            {
                _problems.Add(problem);
            }
            else
            {
                _unlisted++;
            }
        }

        /// <summary>A line too long to read: it counts as an invalid envelope and breaks the chain.</summary>
        public void SkippedLine()
        {
            _firstInFile = false;
            _envelopes++;
            _invalidEnvelopes++;
            _prevHash = "";
        }

        public void Line(in JudgedLine judged, long lineNo)
        {
            var firstInFile = _firstInFile;
            _firstInFile = false;
            _lineNo = lineNo;
            var (status, info, hash) = judged;
            if (status == AuditLineStatus.Malformed)
            {
                Problem(lineNo, AuditProblemKind.Malformed, info.Error!);
                if (info.Prev.Length > 0)
                {
                    // A record whose content is bad but whose seq was read: the line is there, not missing.
                    CheckSequence(info, lineNo, hash);
                }

                _envelopes++;
                _invalidEnvelopes++;
                _prevHash = hash;
                return;
            }

            if (status is AuditLineStatus.TypeScriptValid or AuditLineStatus.TypeScriptUnsigned or AuditLineStatus.TypeScriptBadSignature)
            {
                TypeScriptLine(status, info, lineNo);
                return;
            }

            var isEnvelope = info.IsEnvelope;
            if (isEnvelope)
            {
                _envelopes++;
            }
            else
            {
                _records++;
            }

            var valid = CheckPlacementAfterTypeScriptLines(info, firstInFile, lineNo) & CheckChain(info, firstInFile, lineNo) & CheckSequence(info, lineNo, hash);
            switch (status)
            {
                case AuditLineStatus.OtherKey:
                    valid = false;
                    Problem(lineNo, AuditProblemKind.UnknownKey, $"signed by an unknown key {info.KeyId ?? "(none)"}; expected {_keyId}");
                    break;
                case AuditLineStatus.Unsigned when !isEnvelope:
                    valid = false;
                    Problem(lineNo, AuditProblemKind.BadSignature, $"{info.Record} record without a signature (the writer signs every record it writes): forged");
                    break;
                case AuditLineStatus.Unsigned when _mode == AuditSigningMode.PerEnvelope:
                    valid = false;
                    Problem(lineNo, AuditProblemKind.BadSignature, "unsigned envelope where the log is in per_envelope signing mode (every envelope is signed): a forged line, or one stripped of its signature");
                    break;
                case AuditLineStatus.Unsigned:
                    if (valid)
                    {
                        _pending = _pending.Count == 0 ? (_file, lineNo, info.Seq, info.Seq, 1) : _pending with { LastSeq = info.Seq, Count = _pending.Count + 1 };
                    }
                    else
                    {
                        _invalidEnvelopes++;
                    }

                    _prevHash = hash;
                    return; // judged by the signed line that seals it
                case AuditLineStatus.NonCanonical:
                    valid = false;
                    Problem(lineNo, AuditProblemKind.BadSignature, "not in the canonical form Sec0 writes (a duplicate member, another spelling of the signature, whitespace or escaping): the line was altered");
                    break;
                case AuditLineStatus.BadSignature:
                    valid = false;
                    Problem(lineNo, AuditProblemKind.BadSignature, "bad signature: the line was changed after it was signed, or forged");
                    break;
                case AuditLineStatus.Valid when valid:
                    Accept(info, lineNo);
                    break;
            }

            if (!valid && isEnvelope)
            {
                _invalidEnvelopes++;
            }

            _prevHash = hash;
        }

        /// <summary>
        /// A TypeScript SDK line: judged by its signature alone. It has no place in the chain, so the chain's state
        /// is left as it is (the .NET lines around it still chain to each other).
        /// </summary>
        private void TypeScriptLine(AuditLineStatus status, in AuditLineInfo info, long lineNo)
        {
            _envelopes++;
            _typeScriptLinesInFile++;
            switch (status)
            {
                case AuditLineStatus.TypeScriptValid when _chainStarted:
                    _invalidEnvelopes++;
                    Problem(lineNo, AuditProblemKind.Unchained, "unchained: a signed line in the TypeScript SDK format after Sec0 for .NET lines: its signature is valid, but Sec0 for .NET never writes this format and the chain does not cover it, so nothing shows where it belongs: it was added to this log (copied from a TypeScript SDK log, or written by a TypeScript SDK process sharing the folder)");
                    break;
                case AuditLineStatus.TypeScriptValid:
                    _validTypeScriptLinesInFile++;
                    break;
                case AuditLineStatus.TypeScriptUnsigned:
                    _invalidEnvelopes++;
                    Problem(lineNo, AuditProblemKind.BadSignature, "unsigned: a line without Sec0 for .NET's chain fields (v, seq, prev, key_id) and without a sig: neither a Sec0 for .NET line nor a TypeScript SDK line (the SDK signs every line), so forged, or stripped of its signature");
                    break;
                default:
                    _invalidEnvelopes++;
                    Problem(lineNo, AuditProblemKind.BadSignature, $"bad signature (TypeScript SDK format): {info.Error}");
                    break;
            }
        }

        /// <summary>
        /// <see cref="CheckPlacement"/>, where a file that starts with TypeScript SDK lines has its first Sec0 for .NET
        /// line judged as if first: the writer starts every file with its own file_start record, so a .NET line never
        /// follows TypeScript SDK lines in a file. A Sec0 for .NET line also starts the chain: no TypeScript SDK line
        /// may follow it.
        /// </summary>
        private bool CheckPlacementAfterTypeScriptLines(in AuditLineInfo info, bool firstInFile, long lineNo)
        {
            _chainStarted = true;
            var afterTypeScriptLinesOnly = _typeScriptLinesInFile > 0 && lineNo - 1 == _typeScriptLinesInFile;
            if (!CheckPlacement(info, firstInFile || afterTypeScriptLinesOnly, lineNo))
            {
                return false;
            }

            if (afterTypeScriptLinesOnly)
            {
                Problem(lineNo, AuditProblemKind.Misplaced, $"misplaced: Sec0 for .NET lines after TypeScript SDK lines in {_file}: Sec0 for .NET starts every file with its own file_start record, so these lines were moved here");
                return false;
            }

            return true;
        }

        /// <summary>Each file starts with the signed record that names it, and only there.</summary>
        private bool CheckPlacement(in AuditLineInfo info, bool firstInFile, long lineNo)
        {
            var isFileStart = info.Record == AuditRecordKinds.FileStart;
            var named = isFileStart ? info.Text("file") : null;
            if (firstInFile && !(isFileStart && named == _file))
            {
                Problem(lineNo, AuditProblemKind.Misplaced, isFileStart
                    ? $"misplaced: this file_start record names {named}, not {_file} (files were renamed or lines moved)"
                    : $"misplaced: the first line of {_file} is not its file_start record (lines were moved here from another file, or the file's start was cut)");
                return false;
            }

            if (!firstInFile && isFileStart)
            {
                Problem(lineNo, AuditProblemKind.Misplaced, $"misplaced: the file_start record of {named} is not the first line of {_file} (lines were moved between files)");
                return false;
            }

            return true;
        }

        /// <summary>prev must be the hash of the line before, across files.</summary>
        private bool CheckChain(in AuditLineInfo info, bool firstInFile, long lineNo)
        {
            if (_prevHash is null)
            {
                _start = (_file, lineNo, info.Seq, info.Prev);
                return true;
            }

            if (string.Equals(info.Prev, _prevHash, StringComparison.Ordinal))
            {
                return true;
            }

            Problem(lineNo, AuditProblemKind.BrokenChain, firstInFile && _previousFile is not null
                ? $"broken chain across files: prev does not match the last line of {_previousFile} (a file or lines between them are missing, or lines were moved)"
                : "broken chain: prev does not match the hash of the line before (a line was deleted, inserted, changed or moved)");
            if (_pending.Count > 0)
            {
                ReportPending(AuditProblemKind.Unsealed, "the chain breaks before a signed line could seal them");
            }

            return false;
        }

        private bool CheckSequence(in AuditLineInfo info, long lineNo, string hash)
        {
            var seq = info.Seq;
            if (_expectedHead is { } head && seq == head.Seq && _atExpectedSeq is null)
            {
                _atExpectedSeq = (_file, lineNo, hash);
            }

            if (_seen.Contains(seq))
            {
                Problem(lineNo, AuditProblemKind.Duplicate, $"duplicate: seq {seq} appears more than once");
                return false;
            }

            _seen.Add(seq);
            if (seq < _maxSeq)
            {
                Problem(lineNo, AuditProblemKind.Reordered, $"out of order: seq {seq} comes after seq {_maxSeq} (lines reordered or moved)");
                return false;
            }

            if (_maxSeq > 0 && seq > _maxSeq + 1)
            {
                if (_jumps.Count < MaxListedProblems)
                {
                    _jumps.Add((_maxSeq, seq, _file, lineNo));
                }
                else
                {
                    _unlisted++; // a gap, or lines out of order (a problem of its own) fill it later
                }
            }

            _maxSeq = seq;
            return true;
        }

        /// <summary>A valid signed line: what it seals, what it records, and the signing mode from it on.</summary>
        private void Accept(in AuditLineInfo info, long lineNo)
        {
            var record = info.Record;
            if (record is null || record == AuditRecordKinds.Checkpoint)
            {
                // The live writer seals what it wrote: its own chain, from memory.
                _pending = default;
            }
            else if (record == AuditRecordKinds.Recovery && _pending.Count > 0)
            {
                // A restart read these from the file: anyone with write access could have put them there.
                ReportPending(AuditProblemKind.Unauthenticated, "they were sealed by a recovery record after a crash, not by the writer that wrote them, so nothing proves Sec0 wrote them (anyone with write access to the folder could have); per_envelope signing, or a checkpoint before the crash, leaves no such lines");
            }

            switch (record)
            {
                case AuditRecordKinds.Retention when info.Integer("retained_from_seq") is { } seq && info.Text("retained_from_prev") is { } prev:
                    _anchors.Add(new Anchor(info.Text("retained_from_file"), seq, prev, Names(info, "deleted")));
                    break;
                case AuditRecordKinds.Gap:
                    Problem(lineNo, AuditProblemKind.Gap, string.Create(CultureInfo.InvariantCulture,
                        $"gap: retention at {info.Text("ts")} deleted {string.Join(", ", Names(info, "deleted"))}, but the log it kept does not continue from them (it starts at seq {info.Integer("retained_from_seq")?.ToString(CultureInfo.InvariantCulture) ?? "?"} in {info.Text("retained_from_file") ?? "?"}; the last line deleted was seq {info.Integer("deleted_last_seq")?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}): files or lines inside the retention window were deleted by something else"));
                    break;
                case AuditRecordKinds.Recovery:
                    foreach (var moved in Items(info, "rejected"))
                    {
                        Problem(lineNo, AuditProblemKind.Rejected, string.Create(CultureInfo.InvariantCulture,
                            $"rejected: recovery at {info.Text("ts")} moved {Int(moved, "lines")} line(s) (seq {Int(moved, "first_seq")}..{Int(moved, "last_seq")}) from the end of {Str(moved, "file")} to {Str(moved, "side_file")} ({Str(moved, "reason")}): they were not a valid continuation of the signed log, so forged or altered lines"));
                    }

                    break;
                case AuditRecordKinds.TruncationDetected:
                    Problem(lineNo, AuditProblemKind.TailCut, TruncationMessage(info));
                    break;
            }

            _mode = record is null ? AuditSigningMode.PerEnvelope : info.Signing ?? _mode;
        }

        private static string TruncationMessage(in AuditLineInfo info)
        {
            var at = info.Text("ts");
            var logSeq = info.Integer("log_seq")?.ToString(CultureInfo.InvariantCulture) ?? "?";
            var headSeq = info.Integer("head_seq")?.ToString(CultureInfo.InvariantCulture) ?? "?";
            return info.Text("reason") switch
            {
                "log_shorter" => $"tail cut: at start-up ({at}) the log ended at seq {logSeq}, but the writer had left it at seq {headSeq}: lines or files were removed from its end",
                "line_differs" => $"tail cut: at start-up ({at}) the line at seq {headSeq} was not the one the writer wrote last: the end of the log was rewritten",
                _ => $"tail cut: at start-up ({at}) the head file {AuditHead.FileName} was missing (the log ended at seq {logSeq}): it was deleted, with lines from the end of the log or the whole log",
            };
        }

        private static List<string> Names(in AuditLineInfo info, string member)
        {
            var names = new List<string>();
            if (info.Fields is { } f && f.TryGetProperty(member, out var array) && array.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in array.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String)
                    {
                        names.Add(item.GetString()!);
                    }
                }
            }

            return names;
        }

        private static IEnumerable<JsonElement> Items(AuditLineInfo info, string member)
            => info.Fields is { } f && f.TryGetProperty(member, out var array) && array.ValueKind == JsonValueKind.Array
                ? array.EnumerateArray().Where(static e => e.ValueKind == JsonValueKind.Object).ToList()
                : [];

        private static string Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "?";

        private static string Int(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.TryGetInt64(out var n) ? n.ToString(CultureInfo.InvariantCulture) : "?";

        private void ReportPending(AuditProblemKind kind, string why)
        {
            var (file, line, seq, last, count) = _pending;
            var what = kind == AuditProblemKind.Unauthenticated ? "unauthenticated" : "unsealed";
            Add(new AuditProblem(file, line, kind,
                string.Create(CultureInfo.InvariantCulture, $"{what}: {count} unsigned line(s) (seq {seq}..{last}) are not covered by the writer's signature: {why}")));
            if (kind == AuditProblemKind.Unauthenticated)
            {
                _unauthenticated += count;
            }
            else
            {
                _invalidEnvelopes += count;
            }

            _pending = default;
        }

        public AuditVerificationReport Finish(int files, bool newestEmpty)
        {
            EndFile();
            if (files == 0)
            {
                _problems.Add(new AuditProblem("", 0, AuditProblemKind.Empty, "empty: no audit-YYYY-MM-DD.ndjson file here; nothing to verify (a wrong folder, or every file was deleted)"));
            }
            else if (newestEmpty)
            {
                _problems.Add(new AuditProblem(_file, 1, AuditProblemKind.Empty, "empty: the newest file has no lines (0 bytes): they were removed, or the writer stopped right after creating it"));
            }

            if (_pending.Count > 0)
            {
                ReportPending(AuditProblemKind.Unsealed, "no signed line follows them (the writer stopped before its next checkpoint; opening the directory with Sec0 again seals them with a recovery record, as unauthenticated)");
            }

            ReportGaps();
            CheckStart();
            CheckExpectedHead();

            _problems.Sort(static (a, b) =>
            {
                var c = string.CompareOrdinal(a.File, b.File);
                return c != 0 ? c : a.Line.CompareTo(b.Line);
            });
            return new AuditVerificationReport(files, _envelopes, Math.Max(0, _envelopes - _invalidEnvelopes - _unauthenticated), _unauthenticated, _records, _problems, _unlisted, _typeScriptFiles);
        }

        private void ReportGaps()
        {
            foreach (var (from, to, file, line) in _jumps)
            {
                var (missingFirst, missingCount) = _seen.Missing(from + 1, to);
                if (missingCount > 0)
                {
                    Add(new AuditProblem(file, line, AuditProblemKind.Gap,
                        string.Create(CultureInfo.InvariantCulture, $"gap: {missingCount} line(s) missing before this one (seq {missingFirst}..{to - 1}); lines or a file were deleted")));
                }
            }
        }

        /// <summary>
        /// A log starts at the genesis line, or where a retention anchor says the kept chain starts: in the
        /// file it names, right after the files it deleted. One file verified on its own starts anywhere.
        /// </summary>
        private void CheckStart()
        {
            if (_singleFile || _start is not { } start)
            {
                return;
            }

            var atGenesis = start.Seq == 1 && start.Prev == AuditChain.GenesisHash;
            var anchored = _anchors.Any(a => a.Seq == start.Seq && a.Prev == start.Prev
                && (a.File is null || a.File == start.File)
                && a.Deleted.TrueForAll(d => string.CompareOrdinal(d, start.File) < 0));
            if (!atGenesis && !anchored)
            {
                _problems.Add(new AuditProblem(start.File, start.Line, AuditProblemKind.MissingStart,
                    string.Create(CultureInfo.InvariantCulture, $"missing start: the log begins at seq {start.Seq}, not at the genesis line, and no retention record explains it (an earlier file or lines were deleted)")));
            }
        }

        private void CheckExpectedHead()
        {
            if (_expectedHead is not { } head)
            {
                return;
            }

            if (_atExpectedSeq is { } found)
            {
                if (!string.Equals(found.Hash, head.Hash, StringComparison.Ordinal))
                {
                    _problems.Add(new AuditProblem(found.File, found.Line, AuditProblemKind.HeadMismatch,
                        $"head mismatch: the line at seq {head.Seq} is not the expected head {head} (its hash is {found.Hash}): the log was rewritten, or replaced by another log signed with the same key"));
                }

                return;
            }

            _problems.Add(_maxSeq < head.Seq
                ? new AuditProblem(_file, _lineNo, AuditProblemKind.TailCut, string.Create(CultureInfo.InvariantCulture,
                    $"tail cut: the log ends at seq {_maxSeq}, before the expected head seq {head.Seq}: lines or files were removed from its end (or this is another log)"))
                : new AuditProblem(_file, _lineNo, AuditProblemKind.HeadMismatch, string.Create(CultureInfo.InvariantCulture,
                    $"head mismatch: no line has the expected head's seq {head.Seq}: the log was rewritten, or replaced by another log")));
        }

        private sealed record Anchor(string? File, long Seq, string Prev, List<string> Deleted);
    }

    /// <summary>
    /// A set of sequence numbers: a bit array for the range a log can fill, a hash set for the rest, so a
    /// forged huge <c>seq</c> costs neither memory nor time.
    /// </summary>
    private sealed class SeqSet
    {
        private const int BitLimit = 1 << 27; // 16 MiB of bits
        private readonly HashSet<long> _outliers = new();
        private BitArray _bits = new(1024);
        private long[]? _sortedOutliers;

        // The bits cover [_base, _base + BitLimit), _base being the first seq added: a log kept by retention
        // starts far from seq 1 (hundreds of millions after a while), and counting from 0 sent every one of
        // its lines to the hash set (about 70 bytes each: 218 MB for 3 million lines).
        private long _base;
        private bool _hasBase;

        public bool Contains(long seq) => TryBit(seq, out var bit)
            ? bit < _bits.Length && _bits[bit]
            : _outliers.Contains(seq);

        public void Add(long seq)
        {
            if (!_hasBase)
            {
                _base = seq;
                _hasBase = true;
            }

            if (!TryBit(seq, out var bit))
            {
                _outliers.Add(seq);
                _sortedOutliers = null;
                return;
            }

            if (bit >= _bits.Length)
            {
                // BitArray keeps its bits when it grows.
                _bits.Length = (int)Math.Min(BitLimit, Math.Max(bit + 1L, (long)_bits.Length * 2));
            }

            _bits[bit] = true;
        }

        /// <summary>The bit of <paramref name="seq"/>, when it is in the range the bits cover.</summary>
        private bool TryBit(long seq, out int bit)
        {
            // seq - _base wraps for a seq below the base (or far above it): as unsigned it is then out of range.
            var offset = unchecked((ulong)(seq - _base));
            bit = (int)Math.Min(offset, BitLimit);
            return _hasBase && offset < BitLimit;
        }

        /// <summary>The first missing seq in [from, to) and how many are missing.</summary>
        public (long First, long Count) Missing(long from, long to)
        {
            // Jumps start at a seq already added, so never below the base: the bits, then only outliers above them.
            long first = -1, count = 0;
            var bitTop = _base > long.MaxValue - BitLimit ? long.MaxValue : _base + BitLimit;
            var bitEnd = Math.Min(to, bitTop);
            for (var s = Math.Max(from, _base); s < bitEnd; s++)
            {
                if (!Contains(s))
                {
                    first = first < 0 ? s : first;
                    count++;
                }
            }

            var lo = Math.Max(from, bitTop);
            if (lo < to)
            {
                // Beyond the bits only outliers exist: count them in range instead of walking it.
                _sortedOutliers ??= _outliers.Order().ToArray();
                var i = Array.BinarySearch(_sortedOutliers, lo);
                i = i < 0 ? ~i : i;
                var present = 0L;
                var next = lo;
                for (; i < _sortedOutliers.Length && _sortedOutliers[i] < to; i++)
                {
                    if (first < 0 && _sortedOutliers[i] > next)
                    {
                        first = next;
                    }

                    next = _sortedOutliers[i] + 1;
                    present++;
                }

                if (first < 0 && next < to)
                {
                    first = next;
                }

                count += to - lo - present;
            }

            return (first, count);
        }
    }
}
