using System.Globalization;
using System.Text.Json;
using Sec0.Policy;

namespace Sec0.Scanning;

/// <summary>
/// The built-in DAST adapter (Sec0's <c>nucleiOnScan</c>): runs
/// <c>nuclei -u &lt;target&gt; -jsonl -timeout &lt;s&gt; [-t &lt;templates&gt;] [-tags ..] [-exclude-tags ..] [-severity ..]</c>
/// and reads its output line by line as it arrives. Exit code 0 is a completed scan; any other exit code,
/// an output line that starts like JSON but does not parse, a timeout, or a binary or templates path
/// outside the allowlists is an <c>error</c> result, never a pass.
/// </summary>
public sealed class NucleiScanner : IDastScanner
{
    private readonly NucleiScannerOptions _options;

    /// <summary>Creates a scanner with explicit settings.</summary>
    public NucleiScanner(NucleiScannerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TimeoutSeconds, 1);
        ScannerExecutable.ThrowOnBadForm(options.Binary, options.AllowedBinaries, "NucleiScannerOptions", nameof(options));
        _options = options;
    }

    /// <summary>The settings in use.</summary>
    public NucleiScannerOptions Options => _options;

    /// <summary>
    /// Creates a scanner from <c>NUCLEI_BIN</c>, <c>SEC0_NUCLEI_ALLOWED_BINS</c> and <c>SEC0_NUCLEI_TEMPLATE_DIRS</c> (they replace
    /// the allowlists, as in Sec0's TypeScript SDK), <c>SEC0_NUCLEI_TEMPLATES</c>, <c>SEC0_NUCLEI_TIMEOUT_SEC</c> and
    /// <c>SEC0_NUCLEI_TARGET</c>, over <paramref name="options"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A variable has an invalid value (a relative path in <c>NUCLEI_BIN</c> or <c>SEC0_NUCLEI_ALLOWED_BINS</c>, a timeout that is not a positive integer, a target that is not absolute http(s)).</exception>
    public static NucleiScanner FromEnvironment(NucleiScannerOptions? options = null, Func<string, string?>? environment = null)
    {
        options ??= new NucleiScannerOptions();
        environment ??= Environment.GetEnvironmentVariable;
        if (environment("NUCLEI_BIN") is { Length: > 0 } bin)
        {
            options.Binary = ScannerExecutable.FormProblem(bin, "NUCLEI_BIN") is { } problem ? throw new ArgumentException(problem, nameof(environment)) : bin;
        }

        if (ScannerBinaryAllowlist.FromVariable(environment("SEC0_NUCLEI_ALLOWED_BINS"), "SEC0_NUCLEI_ALLOWED_BINS") is { } allowed)
        {
            options.AllowedBinaries = allowed;
        }

        if (environment("SEC0_NUCLEI_TEMPLATE_DIRS") is { } templateDirs
            && templateDirs.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } dirs)
        {
            // As in Sec0's TypeScript SDK: relative folders resolve against the working directory, now.
            options.AllowedTemplateDirectories = [.. dirs.Select(Path.GetFullPath)];
        }

        if (environment("SEC0_NUCLEI_TEMPLATES") is { Length: > 0 } templates)
        {
            options.Templates = templates;
        }

        if (environment("SEC0_NUCLEI_TIMEOUT_SEC") is { Length: > 0 } timeout)
        {
            options.TimeoutSeconds = int.TryParse(timeout, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                ? seconds
                : throw new ArgumentException($"[sec0] SEC0_NUCLEI_TIMEOUT_SEC must be a positive whole number of seconds, not \"{timeout}\".", nameof(environment));
        }

        if (environment("SEC0_NUCLEI_TARGET") is { Length: > 0 } target)
        {
            options.Target = Uri.TryCreate(target, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
                ? uri
                : throw new ArgumentException($"[sec0] SEC0_NUCLEI_TARGET must be an absolute http(s) URL, not \"{target}\".", nameof(environment));
        }

        return new NucleiScanner(options);
    }

    /// <summary>The command-line arguments for <paramref name="info"/>, or the reason it can't be scanned.</summary>
    public (IReadOnlyList<string>? Arguments, string? Error) BuildArguments(DastScanInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var target = info.SandboxUrl ?? _options.Target;
        if (target is null)
        {
            return (null, "no target: neither the policy's sandbox_url nor SEC0_NUCLEI_TARGET is set");
        }

        var args = new List<string> { "-u", target.AbsoluteUri, "-jsonl", "-timeout", _options.TimeoutSeconds.ToString(CultureInfo.InvariantCulture) };
        var templates = info.Templates ?? _options.Templates;
        if (templates is not null)
        {
            var full = Path.GetFullPath(templates);
            if (!_options.AllowedTemplateDirectories.Any(d => IsInside(full, Path.GetFullPath(d))))
            {
                // Sec0's TypeScript text, word for word.
                return (null, $"nuclei templates path \"{full}\" is outside allowed directories. Set SEC0_NUCLEI_TEMPLATE_DIRS to permit it.");
            }

            args.Add("-t");
            args.Add(full);
        }

        if (info.Tags.Count > 0)
        {
            args.Add("-tags");
            args.Add(string.Join(',', info.Tags));
        }

        if (info.ExcludeTags.Count > 0)
        {
            args.Add("-exclude-tags");
            args.Add(string.Join(',', info.ExcludeTags));
        }

        if (info.Severity.Count > 0)
        {
            // Sec0's low covers Nuclei's info and low.
            args.Add("-severity");
            args.Add(string.Join(',', info.Severity.Distinct().Order().Select(s => s == ScanSeverity.Low ? "info,low" : ScanNames.Severity(s))));
        }

        return (args, null);
    }

    /// <inheritdoc />
    public async Task<DastScanResult> ScanAsync(DastScanInfo info, CancellationToken cancellationToken)
    {
        if (!ScannerExecutable.TryResolve(_options.Binary, _options.AllowedBinaries, "nuclei", "NUCLEI_BIN", out var executable, out var refused))
        {
            return Error(refused);
        }

        var (args, problem) = BuildArguments(info);
        if (args is null)
        {
            return Error(problem!);
        }

        var findings = new List<DastFinding>();
        string? badLine = null;
        ScannerProcessResult run;
        try
        {
            run = await ScannerProcess.RunAsync(executable, args, _options.ProcessTimeout, line =>
            {
                var trimmed = line.Trim();
                if (!trimmed.StartsWith('{'))
                {
                    return;
                }

                try
                {
                    findings.Add(NucleiOutputParser.ParseLine(trimmed));
                }
                catch (JsonException)
                {
                    badLine ??= trimmed.Length > 200 ? trimmed[..200] + "..." : trimmed;
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return Error($"nuclei could not be started (\"{_options.Binary}\"): {ex.Message}");
        }

        if (run.TimedOut)
        {
            return Error($"nuclei did not finish within {_options.ProcessTimeout.TotalSeconds:0.###} s and was killed; stderr: {run.Stderr}");
        }

        if (run.ExitCode != 0)
        {
            return Error($"nuclei exited with code {run.ExitCode}: {(run.Stderr.Length == 0 ? "(no stderr)" : run.Stderr)}");
        }

        if (badLine is not null)
        {
            // A result we could not read might be the critical one: not a pass.
            return Error($"nuclei printed a line that is not a valid result: {badLine}");
        }

        return new DastScanResult
        {
            Status = findings.Count > 0 ? ScanStatus.Fail : ScanStatus.Pass,
            Findings = findings,
            ScanId = "nuclei-" + Guid.NewGuid().ToString("N"),
        };
    }

    private static bool IsInside(string path, string directory)
    {
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var dir = directory.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return string.Equals(path, directory.TrimEnd(Path.DirectorySeparatorChar), comparison) || path.StartsWith(dir, comparison);
    }

    private static DastScanResult Error(string message) => new() { Status = ScanStatus.Error, Error = message };
}
