using Sec0.Approvals;
using Sec0.Instrumentation.Tests.Support;

namespace Sec0.Instrumentation.Tests.Approvals;

/// <summary>
/// A real child process votes through the file store and is killed with SIGKILL at random moments: every vote it had
/// acknowledged must be in the store afterwards, and the store must still read and take votes.
/// </summary>
public sealed class ApprovalCrashTests
{
    [Fact]
    public async Task Acknowledged_votes_survive_sigkill_and_the_store_keeps_working()
    {
        using var dir = new TempDirectory("approvals-crash");
        var storeDir = dir.Combine("approvals");
        var store = new FileEscalationStore(storeDir);
        var escalation = new Escalation
        {
            Id = EscalationIds.New(),
            CreatedAt = DateTimeOffset.UtcNow,
            Reviewers = [.. Enumerable.Range(0, 3000).Select(i => new Reviewer($"u{i}", ["ops"]))],
            Request = new EscalationRequest
            {
                Tenant = "acme",
                ToolRef = "mcp://payments/transfer@1.0.0",
                ArgumentsSha256 = new string('a', 64),
                Violation = "agent_guard_failed",
                Requirements = new ApprovalRequirements { Strategy = ApprovalStrategy.HumanQuorum, MinApprovals = 1_000_000, Ttl = TimeSpan.FromHours(1) },
            },
        };
        await store.CreateAsync(escalation, default);

        var acked = new List<string>();
        var random = new Random(Environment.TickCount);
        var next = 0;
        for (var round = 0; round < 4; round++)
        {
            using var child = ChildProcess.StartDotnet(ChildProcess.CrashHostPath, "approvals", storeDir, escalation.Id, next.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var ready = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            if (ready != "READY")
            {
                // Only read stderr when the child ended: it never closes it while it runs.
                Assert.Fail($"child did not start: {ready} {await child.StandardError.ReadToEndAsync()}");
            }

            var firstAck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var reading = Task.Run(async () =>
            {
                while (await child.StandardOutput.ReadLineAsync() is { } line)
                {
                    if (line.StartsWith("ACK ", StringComparison.Ordinal))
                    {
                        lock (acked)
                        {
                            acked.Add(line[4..]);
                        }

                        firstAck.TrySetResult();
                    }
                }
            });

            // Killed at a random moment once it is voting: on a loaded machine its first vote can take longer than the delay.
            await firstAck.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await Task.Delay(random.Next(20, 200));
            child.Kill();
            await child.WaitForExitAsync();
            await reading.WaitAsync(TimeSpan.FromSeconds(30));

            // The next round's voters are new people (a killed vote may or may not have been taken).
            var votes = (await store.GetAsync(escalation.Id, default))!.Votes;
            next = votes.Count == 0 ? next : votes.Max(v => int.Parse(v.User[1..], System.Globalization.CultureInfo.InvariantCulture)) + 1;
        }

        Assert.True(acked.Count > 0, "the child acknowledged no vote in any round");
        var stored = (await store.GetAsync(escalation.Id, default))!;
        var voters = stored.Votes.Select(v => v.User).ToHashSet(StringComparer.Ordinal);
        var lost = acked.Where(a => !voters.Contains(a)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged votes lost, e.g. {string.Join(", ", lost.Take(5))}");

        // Still takes votes after the kills.
        var updated = await store.UpdateAsync(escalation.Id, e => EscalationRules.AddVote(e, "u2999", "ops", ApprovalDecision.Approve, null, DateTimeOffset.UtcNow), default);
        Assert.Equal(stored.Votes.Count + 1, updated!.Value.After.Votes.Count);
    }
}
