using System.Buffers.Text;
using System.Collections;
using System.Globalization;
using System.Text.Json;
using Sec0.Signing;

namespace Sec0.Audit;

/// <summary>
/// Verifies an audit directory (or one file) with the public key alone: every signature, the hash
/// chain across all files in day order, and the sequence (gaps, reordering, duplicates), plus torn or
/// truncated files, unsealed tails and a missing start. Reads files as a stream of lines.
/// </summary>
public sealed class AuditLogVerifier
{
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
    {
        ArgumentNullException.ThrowIfNull(path);
        List<string> files;
        if (Directory.Exists(path))
        {
            files = AuditFileNames.List(path).Select(f => f.Path).ToList();
        }
        else if (File.Exists(path))
        {
            files = [path];
        }
        else
        {
            throw new FileNotFoundException($"[sec0] No audit log at \"{Path.GetFullPath(path)}\": expected a directory of audit-YYYY-MM-DD.ndjson files or one such file.", path);
        }

        var state = new State(_key);
        long totalBytes = files.Sum(f => new FileInfo(f).Length);
        long readBytes = 0;
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            state.StartFile(name);
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
            var buffer = new byte[1 << 16];
            var carry = new MemoryStream();
            long lineNo = 0;
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var span = buffer.AsSpan(0, read);
                while (true)
                {
                    var nl = span.IndexOf((byte)'\n');
                    if (nl < 0)
                    {
                        carry.Write(span);
                        break;
                    }

                    lineNo++;
                    if (carry.Length > 0)
                    {
                        carry.Write(span[..nl]);
                        state.Line(carry.GetBuffer().AsSpan(0, (int)carry.Length), lineNo);
                        carry.SetLength(0);
                    }
                    else
                    {
                        state.Line(span[..nl], lineNo);
                    }

                    span = span[(nl + 1)..];
                }

                readBytes += read;
                progress?.Report(totalBytes == 0 ? 1 : (double)readBytes / totalBytes);
            }

            if (carry.Length > 0)
            {
                state.Problem(lineNo + 1, AuditProblemKind.Truncated, $"file ends in the middle of a line ({carry.Length} bytes without a newline): a torn write or a truncated file");
            }
        }

        return state.Finish(files.Count);
    }

    private sealed class State
    {
        private readonly SignatureVerifier _key;
        private readonly List<AuditProblem> _problems = new();
        private readonly SeqSet _seen = new();
        private readonly List<(long From, long To, string File, long Line)> _jumps = new();
        private readonly List<(long Seq, string Prev)> _retentionAnchors = new();
        private readonly List<(string File, long Line, long Seq)> _unsealed = new();
        private readonly Sec0.Audit.ByteBuffer _canonical = new(4096);
        private readonly byte[] _sig = new byte[128];
        private string _file = "";
        private string? _previousFile;
        private bool _firstInFile;
        private string? _prevHash;
        private long _maxSeq;
        private (string File, long Line, long Seq, string Prev)? _start;
        private long _envelopes;
        private long _invalidEnvelopes;
        private long _records;

        public State(SignatureVerifier key)
        {
            _key = key;
        }

        public void StartFile(string name)
        {
            _previousFile = _file.Length == 0 ? null : _file;
            _file = name;
            _firstInFile = true;
        }

        public void Problem(long line, AuditProblemKind kind, string message)
            => _problems.Add(new AuditProblem(_file, line, kind, message));

        public void Line(ReadOnlySpan<byte> line, long lineNo)
        {
            var firstInFile = _firstInFile;
            _firstInFile = false;
            var hash = Sha256Hex.Of(line);
            long seq;
            string prev;
            string? keyId;
            string? sig;
            string? record;
            string? fileName = null;
            string? anchorPrev = null;
            long anchorSeq = 0;
            try
            {
                var reader = new Utf8JsonReader(line);
                using var doc = JsonDocument.ParseValue(ref reader);
                var root = doc.RootElement;
                if (reader.BytesConsumed != line.Length || root.ValueKind != JsonValueKind.Object
                    || !root.TryGetProperty("seq", out var s) || !s.TryGetInt64(out seq)
                    || !root.TryGetProperty("prev", out var p) || p.ValueKind != JsonValueKind.String)
                {
                    throw new JsonException("missing seq or prev");
                }

                prev = p.GetString()!;
                keyId = root.TryGetProperty("key_id", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
                sig = root.TryGetProperty("sig", out var g) && g.ValueKind == JsonValueKind.String ? g.GetString() : null;
                record = root.TryGetProperty("record", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
                fileName = root.TryGetProperty("file", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
                if (record == AuditRecordKinds.Retention
                    && root.TryGetProperty("retained_from_seq", out var rs) && rs.TryGetInt64(out anchorSeq)
                    && root.TryGetProperty("retained_from_prev", out var rp))
                {
                    anchorPrev = rp.GetString();
                }
            }
            catch (JsonException)
            {
                Problem(lineNo, AuditProblemKind.Malformed, "not a JSON audit record (changed or corrupted line)");
                _envelopes++;
                _invalidEnvelopes++;
                _prevHash = hash;
                return;
            }

            var isEnvelope = record is null;
            if (isEnvelope)
            {
                _envelopes++;
            }
            else
            {
                _records++;
            }

            var valid = true;

            // Placement: each file starts with the signed record that names it, and only there.
            var isFileStart = record == AuditRecordKinds.FileStart;
            if (firstInFile && !(isFileStart && fileName == _file))
            {
                valid = false;
                Problem(lineNo, AuditProblemKind.Misplaced, isFileStart
                    ? $"misplaced: this file_start record names {fileName}, not {_file} (files were renamed or lines moved)"
                    : $"misplaced: the first line of {_file} is not its file_start record (lines were moved here from another file, or the file's start was cut)");
            }
            else if (!firstInFile && isFileStart)
            {
                valid = false;
                Problem(lineNo, AuditProblemKind.Misplaced, $"misplaced: the file_start record of {fileName} is not the first line of {_file} (lines were moved between files)");
            }

            // The chain: prev must be the hash of the line before, across files.
            var chainOk = true;
            if (_prevHash is null)
            {
                _start = (_file, lineNo, seq, prev);
            }
            else if (!string.Equals(prev, _prevHash, StringComparison.Ordinal))
            {
                chainOk = false;
                valid = false;
                Problem(lineNo, AuditProblemKind.BrokenChain, firstInFile && _previousFile is not null
                    ? $"broken chain across files: prev does not match the last line of {_previousFile} (a file or lines between them are missing, or lines were moved)"
                    : "broken chain: prev does not match the hash of the line before (a line was deleted, inserted, changed or moved)");
            }

            if (!chainOk && _unsealed.Count > 0)
            {
                ReportUnsealed("the chain breaks before a signed line could seal them");
            }

            // The sequence.
            if (_seen.Contains(seq))
            {
                valid = false;
                Problem(lineNo, AuditProblemKind.Duplicate, $"duplicate: seq {seq} appears more than once");
            }
            else
            {
                if (seq < _maxSeq)
                {
                    valid = false;
                    Problem(lineNo, AuditProblemKind.Reordered, $"out of order: seq {seq} comes after seq {_maxSeq} (lines reordered or moved)");
                }
                else if (_maxSeq > 0 && seq > _maxSeq + 1)
                {
                    _jumps.Add((_maxSeq, seq, _file, lineNo));
                }

                _seen.Add(seq);
                _maxSeq = Math.Max(_maxSeq, seq);
            }

            // The signature.
            if (!string.Equals(keyId, _key.KeyId, StringComparison.Ordinal))
            {
                valid = false;
                Problem(lineNo, AuditProblemKind.UnknownKey, $"signed by an unknown key {keyId ?? "(none)"}; expected {_key.KeyId}");
            }
            else if (sig is null)
            {
                if (!isEnvelope)
                {
                    valid = false;
                    Problem(lineNo, AuditProblemKind.BadSignature, $"{record} record without a signature");
                }
                else
                {
                    _unsealed.Add((_file, lineNo, seq));
                    _prevHash = hash;
                    if (!valid)
                    {
                        _invalidEnvelopes++;
                    }

                    return; // judged when a signed line seals it
                }
            }
            else if (!VerifySignature(line, sig))
            {
                valid = false;
                Problem(lineNo, AuditProblemKind.BadSignature, "bad signature: the line was changed after it was signed, or forged");
            }

            if (valid)
            {
                // A valid signed line seals the unsigned lines chained before it.
                _unsealed.Clear();
                if (anchorPrev is not null)
                {
                    _retentionAnchors.Add((anchorSeq, anchorPrev));
                }
            }
            else if (isEnvelope)
            {
                _invalidEnvelopes++;
            }

            _prevHash = hash;
        }

        private bool VerifySignature(ReadOnlySpan<byte> line, string sig)
        {
            var colon = sig.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || !string.Equals(sig[..colon], _key.Algorithm, StringComparison.Ordinal))
            {
                return false;
            }

            if (!Convert.TryFromBase64String(sig[(colon + 1)..], _sig, out var length))
            {
                return false;
            }

            _canonical.Clear();
            try
            {
                JsonCanonicalizer.Canonicalize(line, _canonical, "sig");
            }
            catch (FormatException)
            {
                return false;
            }

            return _key.Verify(_canonical.WrittenSpan, _sig.AsSpan(0, length));
        }

        private void ReportUnsealed(string why)
        {
            var (file, line, seq) = _unsealed[0];
            var last = _unsealed[^1].Seq;
            _problems.Add(new AuditProblem(file, line, AuditProblemKind.Unsealed,
                string.Create(CultureInfo.InvariantCulture, $"unsealed: {_unsealed.Count} unsigned line(s) (seq {seq}..{last}) are not covered by a signature: {why}")));
            _invalidEnvelopes += _unsealed.Count;
            _unsealed.Clear();
        }

        public AuditVerificationReport Finish(int files)
        {
            if (_unsealed.Count > 0)
            {
                ReportUnsealed("no signed line follows them (the writer stopped before its next checkpoint; opening the directory with Sec0 again seals them with a recovery record)");
            }

            foreach (var (from, to, file, line) in _jumps)
            {
                long missingFirst = -1, missingCount = 0;
                for (var s = from + 1; s < to; s++)
                {
                    if (!_seen.Contains(s))
                    {
                        if (missingFirst < 0)
                        {
                            missingFirst = s;
                        }

                        missingCount++;
                    }
                }

                if (missingCount > 0)
                {
                    _problems.Add(new AuditProblem(file, line, AuditProblemKind.Gap,
                        string.Create(CultureInfo.InvariantCulture, $"gap: {missingCount} line(s) missing before this one (seq {missingFirst}..{to - 1}); lines or a file were deleted")));
                }
            }

            if (_start is { } start)
            {
                var atGenesis = start.Seq == 1 && start.Prev == AuditChain.GenesisHash;
                if (!atGenesis && !_retentionAnchors.Contains((start.Seq, start.Prev)))
                {
                    _problems.Add(new AuditProblem(start.File, start.Line, AuditProblemKind.MissingStart,
                        string.Create(CultureInfo.InvariantCulture, $"missing start: the log begins at seq {start.Seq}, not at the genesis line, and no retention record explains it (an earlier file or lines were deleted)")));
                }
            }

            _problems.Sort(static (a, b) =>
            {
                var c = string.CompareOrdinal(a.File, b.File);
                return c != 0 ? c : a.Line.CompareTo(b.Line);
            });
            return new AuditVerificationReport(files, _envelopes, Math.Max(0, _envelopes - _invalidEnvelopes), _records, _problems);
        }
    }

    /// <summary>A compact set of sequence numbers (a growing bit array).</summary>
    private sealed class SeqSet
    {
        private BitArray _bits = new(1024);

        public bool Contains(long seq) => seq >= 0 && seq < _bits.Length && _bits[(int)seq];

        public void Add(long seq)
        {
            if (seq < 0 || seq > int.MaxValue - 1)
            {
                return;
            }

            if (seq >= _bits.Length)
            {
                // BitArray keeps its bits when it grows.
                _bits.Length = (int)Math.Min(int.MaxValue - 1, Math.Max(seq + 1, (long)_bits.Length * 2));
            }

            _bits[(int)seq] = true;
        }
    }
}
