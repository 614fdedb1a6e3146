using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Sec0.Policy;

namespace Sec0.Scanning;

/// <summary>
/// The built-in SAST adapter (Sec0's <c>semgrepOnScan</c>): runs
/// <c>semgrep --json --timeout &lt;s&gt; --quiet --config &lt;ruleset&gt; &lt;file&gt;</c> on the handler's file
/// and keeps the findings inside the handler's line span, or POSTs the source to
/// <c>SEC0_SEMGREP_SERVICE_URL</c>. Exit codes 0 and 1 with JSON output are a completed scan; any other
/// exit code, unparsable output, a timeout or a binary outside the allowlist is an <c>error</c> result
/// carrying stderr, never a pass.
/// </summary>
public sealed class SemgrepScanner : ISastScanner
{
    private static readonly Lazy<HttpClient> s_http = new(() => new HttpClient());
    private readonly SemgrepScannerOptions _options;

    /// <summary>Creates a scanner with explicit settings.</summary>
    public SemgrepScanner(SemgrepScannerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TimeoutSeconds, 1);
        ScannerExecutable.ThrowOnBadForm(options.Binary, options.AllowedBinaries, "SemgrepScannerOptions", nameof(options));
        _options = options;
    }

    /// <summary>The settings in use.</summary>
    public SemgrepScannerOptions Options => _options;

    /// <summary>
    /// Creates a scanner from <c>SEMGREP_BIN</c>, <c>SEC0_SEMGREP_ALLOWED_BINS</c> (replaces the allowlist, as in Sec0's
    /// TypeScript SDK), <c>SEC0_SEMGREP_CONFIG</c>, <c>SEC0_SEMGREP_TIMEOUT_SEC</c> and <c>SEC0_SEMGREP_SERVICE_URL</c>, over
    /// <paramref name="options"/> (for the allowlist and the HTTP client).
    /// </summary>
    /// <param name="options">Settings the variables override; default <see cref="SemgrepScannerOptions"/>.</param>
    /// <param name="environment">Variable lookup; default the process environment.</param>
    /// <exception cref="ArgumentException">A variable has an invalid value (a relative path in <c>SEMGREP_BIN</c> or <c>SEC0_SEMGREP_ALLOWED_BINS</c>, a timeout that is not a positive integer, a URL that is not absolute http(s)).</exception>
    public static SemgrepScanner FromEnvironment(SemgrepScannerOptions? options = null, Func<string, string?>? environment = null)
    {
        options ??= new SemgrepScannerOptions();
        environment ??= Environment.GetEnvironmentVariable;
        if (environment("SEMGREP_BIN") is { Length: > 0 } bin)
        {
            options.Binary = ScannerExecutable.FormProblem(bin, "SEMGREP_BIN") is { } problem ? throw new ArgumentException(problem, nameof(environment)) : bin;
        }

        if (ScannerBinaryAllowlist.FromVariable(environment("SEC0_SEMGREP_ALLOWED_BINS"), "SEC0_SEMGREP_ALLOWED_BINS") is { } allowed)
        {
            options.AllowedBinaries = allowed;
        }

        if (environment("SEC0_SEMGREP_CONFIG") is { Length: > 0 } config)
        {
            options.Config = config;
        }

        if (environment("SEC0_SEMGREP_TIMEOUT_SEC") is { Length: > 0 } timeout)
        {
            options.TimeoutSeconds = int.TryParse(timeout, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                ? seconds
                : throw new ArgumentException($"[sec0] SEC0_SEMGREP_TIMEOUT_SEC must be a positive whole number of seconds, not \"{timeout}\".", nameof(environment));
        }

        if (environment("SEC0_SEMGREP_SERVICE_URL") is { Length: > 0 } url)
        {
            options.ServiceUrl = Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
                ? uri
                : throw new ArgumentException($"[sec0] SEC0_SEMGREP_SERVICE_URL must be an absolute http(s) URL, not \"{url}\".", nameof(environment));
        }

        return new SemgrepScanner(options);
    }

    /// <inheritdoc />
    public async Task<SastScanResult> ScanAsync(SastScanInfo info, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(info);
        var ruleset = info.Ruleset ?? _options.Config;
        var scanId = "semgrep-" + Guid.NewGuid().ToString("N");
        return _options.ServiceUrl is { } url
            ? await ScanRemoteAsync(url, info, ruleset, scanId, cancellationToken).ConfigureAwait(false)
            : await ScanLocalAsync(info, ruleset, scanId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SastScanResult> ScanLocalAsync(SastScanInfo info, string ruleset, string scanId, CancellationToken cancellationToken)
    {
        if (!ScannerExecutable.TryResolve(_options.Binary, _options.AllowedBinaries, "semgrep", "SEMGREP_BIN", out var executable, out var refused))
        {
            return Error(refused);
        }

        string? tempDir = null;
        var file = info.FilePath;
        var scanInfo = info;
        if (file is null || !File.Exists(file))
        {
            if (info.Source is null)
            {
                return Error(file is null ? "nothing to scan: no file path and no source" : $"the source file \"{file}\" does not exist");
            }

            // Only the handler's source is known: scan it as its own file, whose lines are not the span's.
            tempDir = Directory.CreateTempSubdirectory("sec0-semgrep-").FullName;
            file = Path.Combine(tempDir, Path.GetFileName(info.FilePath ?? "handler.cs"));
            await File.WriteAllTextAsync(file, info.Source, cancellationToken).ConfigureAwait(false);
            scanInfo = info with { StartLine = 0, EndLine = 0 };
        }

        try
        {
            var output = new StringBuilder();
            var run = await ScannerProcess.RunAsync(
                executable,
                ["--json", "--timeout", _options.TimeoutSeconds.ToString(CultureInfo.InvariantCulture), "--quiet", "--config", ruleset, file],
                _options.ProcessTimeout ?? TimeSpan.FromSeconds((_options.TimeoutSeconds * 3) + 10),
                line => output.Append(line).Append('\n'),
                cancellationToken).ConfigureAwait(false);
            if (run.TimedOut)
            {
                return Error($"semgrep did not finish within {(_options.ProcessTimeout ?? TimeSpan.FromSeconds((_options.TimeoutSeconds * 3) + 10)).TotalSeconds:0.###} s and was killed; stderr: {run.Stderr}");
            }

            // Semgrep exits 0 (or 1 with --error) after a completed scan; 2 and above are failures.
            if (run.ExitCode is not (0 or 1))
            {
                return Error($"semgrep exited with code {run.ExitCode}: {(run.Stderr.Length == 0 ? "(no stderr)" : run.Stderr)}");
            }

            return ParseOrError(output.ToString(), scanInfo, scanId, run.Stderr);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return Error($"semgrep could not be started (\"{_options.Binary}\"): {ex.Message}");
        }
        finally
        {
            if (tempDir is not null)
            {
                try
                {
                    Directory.Delete(tempDir, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private async Task<SastScanResult> ScanRemoteAsync(Uri url, SastScanInfo info, string ruleset, string scanId, CancellationToken cancellationToken)
    {
        var source = info.Source;
        if (source is null && info.FilePath is { } path && File.Exists(path))
        {
            source = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }

        if (source is null)
        {
            return Error("nothing to send to the semgrep service: no source and no readable file");
        }

        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("filename", Path.GetFileName(info.FilePath ?? "handler.cs"));
            w.WriteString("source", source);
            w.WriteString("config", ruleset);
            w.WriteNumber("timeout", _options.TimeoutSeconds);
            w.WriteString("handler_hash", info.HandlerHash);
            w.WriteEndObject();
        }

        using var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await (_options.HttpClient ?? s_http.Value).PostAsync(url, content, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return Error($"the semgrep service answered {(int)response.StatusCode}: {(body.Length > ScannerProcess.MaxStderrChars ? body[..ScannerProcess.MaxStderrChars] : body)}");
        }

        // When the whole file was sent, its lines are the file's: keep the span filter. Source alone: no span.
        var scanInfo = info.Source is null ? info : info with { StartLine = 0, EndLine = 0 };
        return ParseOrError(body, scanInfo, scanId, stderr: "");
    }

    private static SastScanResult ParseOrError(string output, SastScanInfo info, string scanId, string stderr)
    {
        try
        {
            return SemgrepOutputParser.Parse(output, info, scanId);
        }
        catch (JsonException ex)
        {
            return Error($"semgrep output is not valid JSON ({ex.Message}); stderr: {stderr}");
        }
    }

    private static SastScanResult Error(string message) => new() { Status = ScanStatus.Error, Error = message };
}
