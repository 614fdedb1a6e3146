using System.Text.Json;
using System.Text.RegularExpressions;
using Sec0.Cli.Tests.Infrastructure;
using Sec0.Signing;
using Call = Sec0.Cli.Tests.Infrastructure.RunLogWriter.Call;

namespace Sec0.Cli.Tests;

/// <summary>
/// <c>sec0 trace</c> on real audit logs (written by <see cref="Sec0.Audit.AuditAppender"/>): runs drawn as trees, the
/// formats, the selection options, hostile text from the log, and lines it cannot read.
/// </summary>
public sealed partial class TraceCommandTests : IDisposable
{
    private const string RunA = "aaaa1111bbbb2222cccc3333dddd4444";
    private const string RunB = "aaaa9999eeee8888ffff777766665555";
    private const string TraceA = "0af7651916cd43dd8448eb211c80319c";
    private const string TraceB = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private const string RunAText =
        "run aaaa1111bbbb2222cccc3333dddd4444 · 2026-03-01 10:00:00.000Z · 5 calls · 1 denied · 1 escalated\n" +
        "└─ orchestrator demo-agents@1.0.0 (Workflow.Orchestrate) · allow · ok · 247.3 ms\n" +
        "   ├─ agent research-agent@1.0.0 (ResearchAgent.Run) · allow · ok · 33.8 ms\n" +
        "   │  └─ tool mcp://search/web_search@1.0 · allow · ok · 18 ms\n" +
        "   ├─ agent payment-agent@1.0.0 (PaymentAgent.Charge) · deny · error · 0 ms  ✗ denied: tool_not_in_allowlist\n" +
        "   └─ agent refund-agent@1.0.0 (RefundAgent.Run) · escalate · error · 0 ms  ⚑ escalated: tool_not_in_allowlist · esc_0123 pending, now approved\n";

    private const string RunBText =
        "run aaaa9999eeee8888ffff777766665555 · 2026-03-01 11:00:00.000Z · 1 call\n" +
        "└─ agent research-agent@1.0.0 (ResearchAgent.Run) · allow · ok · 12.5 ms\n";

    private readonly TempDirectory _temp = new("trace");
    private readonly AuditSigner _signer;

    public TraceCommandTests()
    {
        _signer = SigningKeyFile.Create(_temp.Combine("keys", "signing.key"), SigningAlgorithm.Ed25519);
    }

    public void Dispose()
    {
        _signer.Dispose();
        _temp.Dispose();
    }

    private string LogDirectory => _temp.Combine("audit");

    private RunLogWriter OpenLog(DateTimeOffset? now = null) => RunLogWriter.Open(LogDirectory, _signer, now ?? T0);

    /// <summary>
    /// Run A: an orchestrator, a research agent whose MCP tool call names no run, a denied payment agent and an
    /// escalated refund agent (approved later); run B an hour later. Written as they end: children first.
    /// </summary>
    private async Task WriteTwoRunsAsync()
    {
        await using var log = OpenLog();
        await log.WriteAsync(new Call(RunA, TraceA, "00000000000000b1", "00000000000000a2", "tool", "mcp://search/web_search@1.0", T0.AddMilliseconds(15)) { LatencyMs = 18, NamesRun = false });
        await log.WriteAsync(new Call(RunA, TraceA, "00000000000000a2", "00000000000000a1", "agent", "research-agent@1.0.0", T0.AddMilliseconds(10)) { Hop = "ResearchAgent.Run", LatencyMs = 33.8 });
        await log.WriteAsync(new Call(RunA, TraceA, "00000000000000a3", "00000000000000a1", "agent", "payment-agent@1.0.0", T0.AddMilliseconds(60))
        {
            Hop = "PaymentAgent.Charge", Decision = "deny", Status = "error", Reason = "tool_not_in_allowlist", LatencyMs = 0,
        });
        await log.WriteAsync(new Call(RunA, TraceA, "00000000000000a4", "00000000000000a1", "agent", "refund-agent@1.0.0", T0.AddMilliseconds(80))
        {
            Hop = "RefundAgent.Run", Decision = "escalate", Status = "error", Reason = "tool_not_in_allowlist", LatencyMs = 0,
            EscalationId = "esc_0123", EscalationStatus = "pending",
        });
        await log.WriteAsync(new Call(RunA, TraceA, "00000000000000a1", null, "orchestrator", "demo-agents@1.0.0", T0) { Hop = "Workflow.Orchestrate", LatencyMs = 247.3 });
        await log.WriteApprovalStepAsync("esc_0123", "created", "pending", T0.AddMilliseconds(81));
        await log.WriteApprovalStepAsync("esc_0123", "resolved", "approved", T0.AddMinutes(5));
        await log.WriteAsync(new Call(RunB, TraceB, "00000000000000c1", null, "agent", "research-agent@1.0.0", T0.AddHours(1)) { Hop = "ResearchAgent.Run" });
    }

    private string SingleFile() => Assert.Single(Directory.GetFiles(LogDirectory, "audit-*.ndjson"));

    [Fact]
    public async Task A_run_is_drawn_as_a_tree_with_decisions_statuses_latencies_a_denial_and_an_escalation()
    {
        await WriteTwoRunsAsync();

        CliRun run = CliRun.InProcess("trace", LogDirectory, "--run", RunA);

        Assert.Equal("", run.Error);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        // The tool call names no run: it joins run A by its trace and hangs under the agent whose span it names.
        Assert.Equal(RunAText, run.Out);
    }

    [Fact]
    public async Task Without_run_every_run_is_drawn_oldest_first_separated_by_a_blank_line()
    {
        await WriteTwoRunsAsync();

        CliRun run = CliRun.InProcess("trace", LogDirectory);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("", run.Error);
        Assert.Equal(RunAText + "\n" + RunBText, run.Out);
    }

    [Fact]
    public async Task Last_draws_the_newest_runs_and_says_how_many_were_left_out()
    {
        await WriteTwoRunsAsync();

        CliRun run = CliRun.InProcess("trace", LogDirectory, "--last", "1");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(RunBText, run.Out);
        Assert.Equal("(1 newest of 2 runs; --last N or --all for more, --run <id> for one)\n", run.Error);
    }

    [Fact]
    public async Task Run_accepts_a_prefix_only_one_run_has_and_refuses_an_ambiguous_one()
    {
        await WriteTwoRunsAsync();

        CliRun unique = CliRun.InProcess("trace", LogDirectory, "--run", "aaaa9");
        CliRun ambiguous = CliRun.InProcess("trace", LogDirectory, "--run", "aaaa");

        Assert.Equal(ExitCodes.Success, unique.ExitCode);
        Assert.Equal(RunBText, unique.Out);
        Assert.Equal(ExitCodes.Failure, ambiguous.ExitCode);
        Assert.Equal("", ambiguous.Out);
        Assert.Equal($"[sec0] \"aaaa\" starts 2 runs' ids ({RunA}, {RunB}): give more of the run id.\n", ambiguous.Error);
    }

    [Fact]
    public async Task An_unknown_run_exits_1_saying_what_the_log_holds()
    {
        await WriteTwoRunsAsync();

        CliRun run = CliRun.InProcess("trace", LogDirectory, "--run", "0123456789abcdef");

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal("", run.Out);
        Assert.Equal(
            $"[sec0] No run \"0123456789abcdef\" in the audit log at \"{LogDirectory}\": it has 2 runs, started 2026-03-01 10:00:00.000Z to 2026-03-01 11:00:00.000Z; `sec0 trace {LogDirectory}` draws the newest.\n",
            run.Error);
    }

    [Fact]
    public async Task Json_has_the_documented_shape()
    {
        await WriteTwoRunsAsync();

        CliRun run = CliRun.InProcess("trace", LogDirectory, "--format", "json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("", run.Error);
        using JsonDocument document = JsonDocument.Parse(run.Out);
        JsonElement root = document.RootElement;
        Assert.Equal("sec0-trace/1", root.GetProperty("format").GetString());
        Assert.Equal(2, root.GetProperty("runs_in_log").GetInt32());
        Assert.Equal(0, root.GetProperty("unreadable_lines").GetInt64());
        Assert.Equal(0, root.GetProperty("problems").GetArrayLength());
        JsonElement[] runs = [.. root.GetProperty("runs").EnumerateArray()];
        Assert.Equal([RunA, RunB], runs.Select(r => r.GetProperty("run_id").GetString()));

        JsonElement runA = runs[0];
        Assert.Equal("2026-03-01T10:00:00.000Z", runA.GetProperty("started").GetString());
        Assert.Equal(5, runA.GetProperty("calls").GetInt32());
        Assert.Equal(1, runA.GetProperty("denied").GetInt32());
        Assert.Equal(1, runA.GetProperty("escalated").GetInt32());
        JsonElement orchestrator = Assert.Single(runA.GetProperty("roots").EnumerateArray());
        Assert.Equal("orchestrator", orchestrator.GetProperty("kind").GetString());
        Assert.Equal("Workflow.Orchestrate", orchestrator.GetProperty("hop").GetString());
        Assert.Equal(247.3, orchestrator.GetProperty("latency_ms").GetDouble());
        Assert.Equal(JsonValueKind.Null, orchestrator.GetProperty("escalation").ValueKind);
        JsonElement[] agents = [.. orchestrator.GetProperty("children").EnumerateArray()];
        Assert.Equal(["research-agent@1.0.0", "payment-agent@1.0.0", "refund-agent@1.0.0"], agents.Select(a => a.GetProperty("name").GetString()));
        Assert.All(agents, a => Assert.Equal("agent", a.GetProperty("kind").GetString()));
        JsonElement tool = Assert.Single(agents[0].GetProperty("children").EnumerateArray());
        Assert.Equal("tool", tool.GetProperty("kind").GetString());
        Assert.Equal("00000000000000a2", tool.GetProperty("cause_span_id").GetString());
        Assert.Equal(0, tool.GetProperty("children").GetArrayLength());
        Assert.True(agents[1].GetProperty("denied").GetBoolean());
        Assert.Equal("tool_not_in_allowlist", agents[1].GetProperty("reason").GetString());
        JsonElement escalation = agents[2].GetProperty("escalation");
        Assert.Equal("esc_0123", escalation.GetProperty("id").GetString());
        Assert.Equal("pending", escalation.GetProperty("status").GetString());
        Assert.Equal("approved", escalation.GetProperty("latest_status").GetString());
        Assert.False(agents[2].GetProperty("denied").GetBoolean());

        // Where each call's line is, to open it in the log.
        Assert.Equal(Path.GetFileName(SingleFile()), orchestrator.GetProperty("file").GetString());
        Assert.Equal(6, orchestrator.GetProperty("line").GetInt64());
    }

    [Fact]
    public async Task Mermaid_is_a_flowchart_with_an_arrow_per_call()
    {
        await WriteTwoRunsAsync();

        CliRun run = CliRun.InProcess("trace", LogDirectory, "--run", RunA, "--format", "mermaid");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        string[] lines = run.Out.TrimEnd('\n').Split('\n');
        Assert.Equal("flowchart TD", lines[0]);
        Assert.Contains("  r1 --> r1n1", lines);
        Assert.Contains("  r1n1 --> r1n2", lines);
        Assert.Contains("  r1n2 --> r1n3", lines);
        Assert.Contains("  r1n1 --> r1n4", lines);
        Assert.Contains("  class r1n4 denied", lines);
        Assert.Contains("  class r1n5 escalated", lines);
        Assert.Contains("  r1n4[\"agent payment-agent@1.0.0<br/>PaymentAgent.Charge<br/>deny · error · 0 ms<br/>✗ denied: tool_not_in_allowlist\"]", lines);
        Assert.All(lines.Skip(1), line => Assert.Matches(MermaidStatement(), line));
    }

    [Fact]
    public async Task Mermaid_escapes_a_hostile_tool_name_so_it_cannot_leave_its_label()
    {
        const string hostile = "evil\"]) --> pwn[\"<img src=x onerror=alert(1)>\"]\nclick pwn call alert() %% #x; `md` {x} |y| &amp;";
        await using (var log = OpenLog())
        {
            await log.WriteAsync(new Call(RunA, TraceA, "00000000000000a1", null, "tool", hostile, T0) { Decision = "deny", Status = "error", Reason = "a\"]b<br>" });
        }

        CliRun run = CliRun.InProcess("trace", LogDirectory, "--format", "mermaid");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        string[] lines = run.Out.TrimEnd('\n').Split('\n');
        // Our eight statements and nothing else: the quote did not close the label, the newline started no statement.
        Assert.Equal(8, lines.Length);
        Assert.All(lines.Skip(1), line => Assert.Matches(MermaidStatement(), line));
        string node = lines.Single(l => l.StartsWith("  r1n1[", StringComparison.Ordinal));
        Assert.Matches(MermaidStatement(), node);
        string label = node["  r1n1[\"".Length..^"\"]".Length];
        Assert.DoesNotContain('"', label);
        Assert.DoesNotContain('<', label.Replace("<br/>", "", StringComparison.Ordinal));
        Assert.DoesNotContain('>', label.Replace("<br/>", "", StringComparison.Ordinal));
        foreach (char c in "[](){}|`%&;\n")
        {
            // Only as part of an entity (#NN;) — never as the character itself.
            Assert.DoesNotContain(c, Regex.Replace(label, "#[0-9]+;", ""));
        }

        Assert.StartsWith("tool evil#34;#93;#41; --#62; pwn#91;#34;#60;img src=x onerror=alert#40;1#41;#62;#34;#93;#10;click pwn call alert#40;#41; #37;#37; #35;x#59;", label, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_neutralises_control_characters_and_escape_sequences_from_the_log()
    {
        const string hostile = "search\e[2J\e]0;pwned\a\rOK\u202etxt.exe\u009b31m";
        await using (var log = OpenLog())
        {
            await log.WriteAsync(new Call(RunA, TraceA, "00000000000000a1", null, "tool", hostile, T0) { Decision = "deny", Status = "error", Reason = "x\e[31mred\nline" });
        }

        CliRun run = CliRun.InProcess("trace", LogDirectory);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.DoesNotContain('\e', run.Out);
        Assert.DoesNotContain('\a', run.Out);
        Assert.DoesNotContain('\r', run.Out);
        Assert.DoesNotContain('\u202e', run.Out);
        Assert.DoesNotContain('\u009b', run.Out);
        Assert.Equal(2, run.Out.Count(c => c == '\n'));
        Assert.Contains(@"tool search\x1b[2J\x1b]0;pwned\x07\x0dOK\u202etxt.exe\x9b31m · deny · error · 12.5 ms  ✗ denied: x\x1b[31mred\x0aline", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_terminal_only_the_trace_colours_are_escape_sequences()
    {
        await using (var log = OpenLog())
        {
            await log.WriteAsync(new Call(RunA, TraceA, "00000000000000a1", null, "tool", "name\e[2Jx", T0) { Decision = "deny", Status = "error", Reason = "r" });
        }

        StringWriter output = new() { NewLine = "\n" };
        StringWriter error = new() { NewLine = "\n" };
        int exitCode = CliApp.Run(["trace", LogDirectory], new CliContext(output, error, IsTerminal: true));

        Assert.Equal(ExitCodes.Success, exitCode);
        if (Sec0.Audit.Tracing.AuditTraceTextRenderer.ShouldUseColor(outputIsTerminal: true))
        {
            Assert.Contains("\e[31m✗ denied: r\e[0m", output.ToString(), StringComparison.Ordinal);
        }

        // Every ESC written is one of the renderer's own colour codes; the log's ESC is text.
        Assert.DoesNotMatch(@"\e(?!\[[0-9;]*m)", output.ToString());
        Assert.Contains(@"name\x1b[2Jx", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_line_is_reported_as_file_and_line_skipped_and_the_rest_still_drawn()
    {
        await WriteTwoRunsAsync();
        string file = SingleFile();
        List<string> lines = [.. File.ReadAllLines(file)];
        lines.Insert(3, "{\"agentRef\":\"" + RunA + "\", not json");
        lines.Insert(5, new string('x', 5 * 1024 * 1024));
        File.WriteAllText(file, string.Join('\n', lines) + "\n{\"torn\":");

        CliRun run = CliRun.InProcess("trace", LogDirectory);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal(RunAText + "\n" + RunBText, run.Out);
        string name = Path.Join(LogDirectory, Path.GetFileName(file));
        Assert.Equal(
            $"{name}:4: not a JSON audit record (changed or corrupted line): not drawn\n" +
            $"{name}:6: a line longer than 4 MiB: not an audit record Sec0 writes, not drawn\n" +
            $"{name}:{lines.Count + 1}: the file ends in the middle of a line (a write in progress, a torn write or a truncated file): not drawn\n" +
            $"[sec0] 3 line(s) could not be read and are not drawn: the trace may be incomplete. Check the log with `sec0 verify {LogDirectory} --pub <public key>`.\n",
            run.Error);
    }

    [Fact]
    public async Task A_run_that_crosses_midnight_is_one_tree_across_two_daily_files()
    {
        DateTimeOffset evening = new(2026, 3, 1, 23, 59, 59, 900, TimeSpan.Zero);
        await using (var log = OpenLog(evening.AddMinutes(-1)))
        {
            await log.WriteAsync(new Call(RunA, TraceA, "00000000000000a2", "00000000000000a1", "agent", "research-agent@1.0.0", evening.AddMilliseconds(10)) { LatencyMs = 20 });
            await log.WriteAsync(new Call(RunA, TraceA, "00000000000000a3", "00000000000000a1", "agent", "payment-agent@1.0.0", evening.AddMilliseconds(150)) { LatencyMs = 20 });
            await log.WriteAsync(new Call(RunA, TraceA, "00000000000000a1", null, "orchestrator", "demo-agents@1.0.0", evening) { LatencyMs = 300 });
        }

        Assert.Equal(["audit-2026-03-01.ndjson", "audit-2026-03-02.ndjson"], Directory.GetFiles(LogDirectory, "audit-*.ndjson").Select(Path.GetFileName).Order(StringComparer.Ordinal));

        CliRun run = CliRun.InProcess("trace", LogDirectory, "--run", RunA, "--format", "json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        using JsonDocument document = JsonDocument.Parse(run.Out);
        JsonElement runA = Assert.Single(document.RootElement.GetProperty("runs").EnumerateArray());
        Assert.Equal(["audit-2026-03-01.ndjson", "audit-2026-03-02.ndjson"], runA.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        JsonElement orchestrator = Assert.Single(runA.GetProperty("roots").EnumerateArray());
        Assert.Equal(["audit-2026-03-01.ndjson", "audit-2026-03-02.ndjson"],
            orchestrator.GetProperty("children").EnumerateArray().Select(c => c.GetProperty("file").GetString()));
    }

    [Fact]
    public async Task A_call_whose_caller_is_not_in_the_log_is_drawn_under_its_run_and_marked()
    {
        await using (var log = OpenLog())
        {
            // A gateway request: its caller (an agent in another service) logs elsewhere.
            await log.WriteAsync(new Call(RunA, TraceA, "00000000000000b1", "00000000000000f9", "gateway", "mcp://ledger/transfer@1.0", T0.AddMilliseconds(5)) { LatencyMs = 3 });
            await log.WriteAsync(new Call(RunA, TraceA, "00000000000000a1", null, "agent", "order-agent@1.0.0", T0) { LatencyMs = 40 });
        }

        CliRun run = CliRun.InProcess("trace", LogDirectory);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(
            "run aaaa1111bbbb2222cccc3333dddd4444 · 2026-03-01 10:00:00.000Z · 2 calls · 1 without their caller\n" +
            "├─ agent order-agent@1.0.0 · allow · ok · 40 ms\n" +
            "└─ gateway mcp://ledger/transfer@1.0 · allow · ok · 3 ms  ⚠ caller span 00000000000000f9 is not in this log\n",
            run.Out);
    }

    [Fact]
    public async Task Calls_whose_callers_form_a_loop_are_each_drawn_once()
    {
        await using (var log = OpenLog())
        {
            await log.WriteAsync(new Call(RunA, TraceA, "00000000000000a1", "00000000000000a2", "tool", "first", T0));
            await log.WriteAsync(new Call(RunA, TraceA, "00000000000000a2", "00000000000000a1", "tool", "second", T0.AddMilliseconds(1)));
        }

        CliRun run = CliRun.InProcess("trace", LogDirectory);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(
            "run aaaa1111bbbb2222cccc3333dddd4444 · 2026-03-01 10:00:00.000Z · 2 calls · 1 without their caller\n" +
            "└─ tool first · allow · ok · 12.5 ms  ⚠ its chain of callers loops back to itself (a changed or forged log)\n" +
            "   └─ tool second · allow · ok · 12.5 ms\n",
            run.Out);
    }

    [Fact]
    public void A_missing_path_is_a_usage_error_and_an_empty_directory_a_failure()
    {
        Directory.CreateDirectory(_temp.Combine("empty"));

        CliRun missing = CliRun.InProcess("trace", _temp.Combine("nowhere"));
        CliRun empty = CliRun.InProcess("trace", _temp.Combine("empty"));

        Assert.Equal(ExitCodes.UsageError, missing.ExitCode);
        Assert.StartsWith($"[sec0] No audit log at \"{_temp.Combine("nowhere")}\"", missing.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failure, empty.ExitCode);
        Assert.Equal("", empty.Out);
        Assert.Equal($"[sec0] No audit files (audit-YYYY-MM-DD.ndjson) in \"{_temp.Combine("empty")}\": nothing to draw.\n", empty.Error);
    }

    [Theory]
    [InlineData("--run", "x", "--all")]
    [InlineData("--run", "x", "--last", "3")]
    [InlineData("--all", "--last", "3")]
    [InlineData("--last", "0")]
    [InlineData("--format", "svg")]
    public async Task Options_that_contradict_each_other_are_usage_errors(params string[] options)
    {
        await WriteTwoRunsAsync();

        CliRun run = CliRun.InProcess(["trace", LogDirectory, .. options]);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Equal("", run.Out);
        Assert.StartsWith(options[0] == "--format" ? "sec0: " : "[sec0] ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_real_tool_draws_a_run_from_a_child_process()
    {
        await WriteTwoRunsAsync();

        CliRun run = CliRun.ChildProcess(_temp.Path, "trace", LogDirectory, "--run", RunA);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("", run.Error);
        // Redirected output: no colour, UTF-8 box drawing.
        Assert.Equal(RunAText, run.Out.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    /// <summary>The statements the renderer writes; anything else in the output would be injected.</summary>
    [GeneratedRegex("""^  (classDef \w+ [^"]+|r\d+\(\["[^"]*"\]\)|r\d+n\d+\["[^"]*"\]|r\d+(n\d+)? (-->|-\.->) r\d+n\d+|class r\d+n\d+ (denied|escalated|detached))$""")]
    private static partial Regex MermaidStatement();
}
