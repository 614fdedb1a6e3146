using System.Diagnostics;
using Sec0.Gateway.Upstreams;
using static Sec0.Gateway.Tests.Upstreams.UpstreamTestKit;

namespace Sec0.Gateway.Tests.Upstreams;

/// <summary>
/// <see cref="McpStdioUpstream"/> starting the built samples/McpServer (<c>dotnet Sec0.Samples.McpServer.dll</c>)
/// as child processes, each test in its own working folder so its processes can be told apart.
/// </summary>
public sealed class McpStdioUpstreamTests
{
    private const string TransferArguments = """{"from":"a","to":"b","amountCents":100}""";

    private static GatewayTarget Target(TempDirectory directory, int poolSize = 1)
    {
        // The sample creates its signing key when missing; pool members started together would race for it.
        var keyPath = directory.Combine(".sec0", "keys", "ed25519.key");
        if (!File.Exists(keyPath))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(keyPath)!);
            File.WriteAllText(keyPath, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        return new()
        {
            Kind = GatewayTargetKind.McpStdio,
            Command = "dotnet",
            Arguments = [SamplePath],
            WorkingDirectory = directory.Path,
            PoolSize = poolSize,
        };
    }

    /// <summary>
    /// A pool of samples: each process in a folder of its own below <paramref name="directory"/>, because the
    /// sample's audit log admits one writer per folder (a second sample in the same folder exits).
    /// </summary>
    private static GatewayTarget PoolTarget(TempDirectory directory, int poolSize) => new()
    {
        Kind = GatewayTargetKind.McpStdio,
        Command = "/bin/sh",
        Arguments = ["-c", "d=$(mktemp -d -p .) && cd \"$d\" && exec dotnet \"$0\"", SamplePath],
        WorkingDirectory = directory.Path,
        PoolSize = poolSize,
    };

    [Fact]
    public async Task Calls_reach_the_sample_with_arguments_and_the_idempotency_key_in_meta()
    {
        Assert.True(File.Exists(SamplePath), $"Build samples/McpServer first: {SamplePath}");
        using var directory = new TempDirectory("gateway-stdio");
        await using var upstream = new McpStdioUpstream("srv", Target(directory));

        var time = ToolResult(await upstream.CallToolAsync(Call("get_time"), Bound()));
        // The sample's policy denies a side-effecting call without _meta["x-idempotency-key"]: this one passes.
        var transfer = ToolResult(await upstream.CallToolAsync(Call("transfer_funds", TransferArguments, key: "idem-1"), Bound()));

        Assert.False(IsError(time));
        Assert.False(IsError(transfer), Text(transfer));
        Assert.Equal("transferred 100 cents from a to b", Text(transfer));
    }

    [Fact]
    public async Task Tool_the_samples_policy_denies_is_ok_with_is_error()
    {
        using var directory = new TempDirectory("gateway-stdio");
        await using var upstream = new McpStdioUpstream("srv", Target(directory));

        // The sample's Sec0 policy answers first (tool_not_in_allowlist), for an unknown tool as for delete_everything.
        var denied = ToolResult(await upstream.CallToolAsync(Call("delete_everything"), Bound()));
        var unknown = ToolResult(await upstream.CallToolAsync(Call("no_such_tool"), Bound()));

        Assert.True(IsError(denied));
        Assert.True(IsError(unknown));
    }

    [Fact]
    public async Task Twenty_concurrent_calls_through_a_pool_of_two_all_succeed_on_two_processes()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Uses /bin/sh and /proc.
        }

        using var directory = new TempDirectory("gateway-stdio");
        await using var upstream = new McpStdioUpstream("srv", PoolTarget(directory, poolSize: 2));

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            upstream.CallToolAsync(Call("transfer_funds", TransferArguments, key: $"idem-{i}"), Bound()).AsTask()));

        Assert.All(results, r => Assert.False(IsError(ToolResult(r))));
        Assert.Equal(2, ChildProcesses.In(directory.Path).Count);
    }

    [Fact]
    public async Task Killed_process_is_replaced_and_the_next_call_recovers()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Finds the child through /proc.
        }

        using var directory = new TempDirectory("gateway-stdio");
        await using var upstream = new McpStdioUpstream("srv", Target(directory));
        ToolResult(await upstream.CallToolAsync(Call("get_time"), Bound()));
        var first = Assert.Single(ChildProcesses.In(directory.Path));

        using (var process = Process.GetProcessById(first))
        {
            process.Kill();
            await process.WaitForExitAsync(Bound(10));
        }

        // The SDK sees the closed stdout at once; give it a moment so the pool knows before the call.
        await Task.Delay(500);
        var next = await upstream.CallToolAsync(Call("get_time"), Bound());
        var afterwards = await upstream.CallToolAsync(Call("get_time"), Bound());

        Assert.False(IsError(ToolResult(next)));
        Assert.False(IsError(ToolResult(afterwards)));
        var second = Assert.Single(ChildProcesses.In(directory.Path));
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Call_on_a_process_that_dies_is_unreachable_not_retried_and_the_slot_recovers()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var directory = new TempDirectory("gateway-stdio");
        await using var upstream = new McpStdioUpstream("srv", Target(directory));
        ToolResult(await upstream.CallToolAsync(Call("get_time"), Bound()));
        var pid = Assert.Single(ChildProcesses.In(directory.Path));

        // Kill it while the call is being made, with no time for the pool to notice first.
        using (var process = Process.GetProcessById(pid))
        {
            process.Kill();
        }

        var dying = await upstream.CallToolAsync(Call("get_time"), Bound());
        var recovered = await upstream.CallToolAsync(Call("get_time"), Bound());

        Assert.Contains(dying.Outcome, new[] { UpstreamOutcome.Ok, UpstreamOutcome.Unreachable });
        Assert.False(IsError(ToolResult(recovered)));
    }

    [Fact]
    public async Task Dispose_leaves_no_child_process()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var directory = new TempDirectory("gateway-stdio");
        var upstream = new McpStdioUpstream("srv", PoolTarget(directory, poolSize: 3));
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => upstream.CallToolAsync(Call("get_time"), Bound()).AsTask()));
        var pids = ChildProcesses.In(directory.Path);
        Assert.NotEmpty(pids);

        await upstream.DisposeAsync();

        Assert.All(pids, pid => Assert.False(ChildProcesses.IsAlive(pid), $"child {pid} still runs"));
        Assert.Empty(ChildProcesses.In(directory.Path));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => upstream.CallToolAsync(Call("get_time"), Bound()).AsTask());
    }

    [Fact]
    public async Task Command_that_cannot_start_is_unreachable()
    {
        using var directory = new TempDirectory("gateway-stdio");
        var target = Target(directory) with { Command = Path.Combine(directory.Path, "no-such-program") };
        await using var upstream = new McpStdioUpstream("srv", target);

        var result = await upstream.CallToolAsync(Call("get_time"), Bound());

        Assert.Equal(UpstreamOutcome.Unreachable, result.Outcome);
    }

    [Fact]
    public async Task Call_with_a_cancelled_token_throws_at_once_and_the_pool_still_serves()
    {
        using var directory = new TempDirectory("gateway-stdio");
        await using var upstream = new McpStdioUpstream("srv", Target(directory));
        ToolResult(await upstream.CallToolAsync(Call("get_time"), Bound()));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upstream.CallToolAsync(Call("get_time"), cancelled.Token).AsTask());

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        ToolResult(await upstream.CallToolAsync(Call("get_time"), Bound()));
    }
}
