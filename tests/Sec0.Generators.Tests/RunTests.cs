using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Sec0.Generators.Tests.Infrastructure;
using Sec0.Hops;

namespace Sec0.Generators.Tests;

/// <summary>Records every Begin/End and every decision made by a hop's guard; denies the keys in <see cref="Deny"/>.</summary>
internal sealed class RecordingHost : HopHost
{
    public ConcurrentQueue<string> Log { get; } = new();

    public HashSet<string> Deny { get; } = new(StringComparer.Ordinal);

    internal override HopInvocation Begin(HopDescriptor descriptor)
    {
        if (Deny.Contains(descriptor.Key))
        {
            Log.Enqueue("deny:" + descriptor.Key);
            throw new Sec0PolicyDeniedException("test_denied", "decorator", "denied " + descriptor.Key);
        }

        Log.Enqueue("begin:" + descriptor.Key);
        return Create(this, descriptor, state: null, startTimestamp: 0, activity: null, parentActivity: null);
    }

    internal override void DecideUnintercepted(HopDescriptor descriptor)
    {
        if (Deny.Contains(descriptor.Key))
        {
            Log.Enqueue("guard-deny:" + descriptor.Key);
            throw new Sec0PolicyDeniedException("unintercepted_call", "decorator", "denied " + descriptor.Key);
        }

        Log.Enqueue("guard:" + descriptor.Key);
    }

    internal override void End(in HopInvocation invocation, Exception? error)
        => Log.Enqueue("end:" + invocation.Descriptor.Key + ":" + (error is null ? "ok" : error.GetType().Name));
}

/// <summary>
/// Compile, emit, load into a collectible context and run: every call goes through Begin/End exactly
/// once, denials stop the body, exceptions propagate unchanged, results equal the un-intercepted build.
/// </summary>
[Collection(nameof(RunTests))]
public sealed class RunTests : IDisposable
{
    private readonly RecordingHost _host = new();
    private readonly HopHost? _previous;

    public RunTests()
    {
        _previous = HopHost.Current;
        HopHost.Current = _host;
    }

    public void Dispose() => HopHost.Current = _previous;

    private const string ProbeSource = """
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using Sec0;

        namespace App;

        public static class Probe
        {
            public static int Runs;

            [Sec0Hop("probe.sync")] public static int Sync(int x) { Runs++; return x * 2; }
            [Sec0Hop("probe.async")] public static async Task<int> Async(int x) { Runs++; await Task.Yield(); return x * 3; }
            [Sec0Hop("probe.stream")] public static async IAsyncEnumerable<int> Stream() { Runs++; await Task.Yield(); yield return 1; yield return 2; }
            [Sec0Hop("probe.throw")] public static void Throw(Exception e) => throw e;
            [Sec0Hop("probe.throwAsync")] public static async Task ThrowAsync(Exception e) { await Task.Yield(); throw e; }
            [Sec0Hop("probe.throwSyncTask")] public static Task ThrowSyncTask(Exception e) => throw e;
            [Sec0Hop("probe.out")] public static bool TryDouble(int x, out int doubled, ref int calls) { calls++; doubled = x * 2; return true; }
        }

        public static class Entry
        {
            public static int CallSync(int x) => Probe.Sync(x);
            public static Task<int> CallAsync(int x) => Probe.Async(x);
            public static async Task<int> CallStream() { var n = 0; await foreach (var i in Probe.Stream()) n += i; return n; }
            public static void CallThrow(Exception e) => Probe.Throw(e);
            public static Task CallThrowAsync(Exception e) => Probe.ThrowAsync(e);
            public static Task CallThrowSyncTask(Exception e) => Probe.ThrowSyncTask(e);
            public static string CallOut() { var calls = 0; Probe.TryDouble(21, out var d, ref calls); Probe.TryDouble(d, out d, ref calls); return d + "/" + calls; }
            public static int Runs() => Probe.Runs;
        }
        """;

    private static async Task<object?> Settle(object? value)
    {
        if (value is Task task)
        {
            await task;
            return task.GetType().IsGenericType ? task.GetType().GetProperty("Result")!.GetValue(task) : null;
        }

        return value;
    }

    public static TheoryData<string> ShapeNames() => SnapshotTests.ShapeNames();

    [Theory]
    [MemberData(nameof(ShapeNames))]
    public async Task Every_shape_runs_through_the_host_with_the_same_result(string name)
    {
        var shape = Shapes.All.Single(s => s.Name == name);
        var plain = GeneratorHarness.CreateCompilation(new[] { ("/proj/Hops.cs", shape.Hops), ("/proj/Calls.cs", shape.Calls) });
        object? expected;
        using (var direct = new LoadedAssembly(plain))
        {
            expected = await Settle(direct.Call("App.Calls", "Run"));
        }

        Assert.Empty(_host.Log);
        using var intercepted = LoadedAssembly.Load(("/proj/Hops.cs", shape.Hops), ("/proj/Calls.cs", shape.Calls));

        var actual = await Settle(intercepted.Call("App.Calls", "Run"));

        Assert.Equal(expected, actual);
        var log = _host.Log.ToList();
        Assert.NotEmpty(log);
        var begins = log.Where(l => l.StartsWith("begin:", StringComparison.Ordinal)).Select(l => l["begin:".Length..]).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var ends = log.Where(l => l.StartsWith("end:", StringComparison.Ordinal)).Select(l => l["end:".Length..]).ToList();
        Assert.All(ends, e => Assert.EndsWith(":ok", e, StringComparison.Ordinal));
        Assert.Equal(begins, ends.Select(e => e[..e.LastIndexOf(':')]).OrderBy(k => k, StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void Sync_call_begins_and_ends_once()
    {
        using var asm = LoadedAssembly.Load(("/proj/Probe.cs", ProbeSource));

        Assert.Equal(8, asm.Call("App.Entry", "CallSync", 4));

        Assert.Equal(new[] { "begin:probe.sync", "end:probe.sync:ok" }, _host.Log);
        Assert.Equal(1, asm.Call("App.Entry", "Runs"));
    }

    [Fact]
    public async Task Async_and_stream_calls_end_when_they_complete()
    {
        using var asm = LoadedAssembly.Load(("/proj/Probe.cs", ProbeSource));

        Assert.Equal(9, await (Task<int>)asm.Call("App.Entry", "CallAsync", 3)!);
        Assert.Equal(3, await (Task<int>)asm.Call("App.Entry", "CallStream")!);

        Assert.Equal(new[] { "begin:probe.async", "end:probe.async:ok", "begin:probe.stream", "end:probe.stream:ok" }, _host.Log);
    }

    [Fact]
    public async Task Denied_hops_never_run_their_body()
    {
        using var asm = LoadedAssembly.Load(("/proj/Probe.cs", ProbeSource));
        _host.Deny.UnionWith(new[] { "probe.sync", "probe.async", "probe.stream" });

        Assert.Throws<Sec0PolicyDeniedException>(() => asm.Call("App.Entry", "CallSync", 1));

        // Asynchronous shapes report the denial through the task, not by a synchronous throw.
        var task = (Task<int>)asm.Call("App.Entry", "CallAsync", 1)!;
        Assert.True(task.IsFaulted);
        await Assert.ThrowsAsync<Sec0PolicyDeniedException>(() => task);
        await Assert.ThrowsAsync<Sec0PolicyDeniedException>(() => (Task<int>)asm.Call("App.Entry", "CallStream")!);

        Assert.Equal(0, asm.Call("App.Entry", "Runs"));
        Assert.Equal(new[] { "deny:probe.sync", "deny:probe.async", "deny:probe.stream" }, _host.Log);
    }

    [Fact]
    public async Task Exceptions_propagate_unchanged_and_are_recorded()
    {
        using var asm = LoadedAssembly.Load(("/proj/Probe.cs", ProbeSource));
        var sync = new InvalidOperationException("sync");
        var async = new ArgumentException("async");
        var syncTask = new TimeoutException("sync task");

        Assert.Same(sync, Assert.Throws<InvalidOperationException>(() => asm.Call("App.Entry", "CallThrow", sync)));
        Assert.Same(async, await Assert.ThrowsAsync<ArgumentException>(() => (Task)asm.Call("App.Entry", "CallThrowAsync", async)!));

        // A Task-returning method that throws synchronously still throws synchronously.
        Assert.Same(syncTask, Assert.Throws<TimeoutException>(() => asm.Call("App.Entry", "CallThrowSyncTask", syncTask)));

        Assert.Equal(
            new[]
            {
                "begin:probe.throw", "end:probe.throw:InvalidOperationException",
                "begin:probe.throwAsync", "end:probe.throwAsync:ArgumentException",
                "begin:probe.throwSyncTask", "end:probe.throwSyncTask:TimeoutException",
            },
            _host.Log);
    }

    [Fact]
    public void Out_and_ref_parameters_still_work()
    {
        using var asm = LoadedAssembly.Load(("/proj/Probe.cs", ProbeSource));

        Assert.Equal("84/2", asm.Call("App.Entry", "CallOut"));
        Assert.Equal(new[] { "begin:probe.out", "end:probe.out:ok", "begin:probe.out", "end:probe.out:ok" }, _host.Log);
    }
}
