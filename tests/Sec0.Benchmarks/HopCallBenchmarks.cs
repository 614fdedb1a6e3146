using System.Diagnostics;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Castle.DynamicProxy;
using Sec0.Audit;
using Sec0.Hops;

namespace Sec0.Benchmarks;

/// <summary>
/// Added cost of one intercepted synchronous hop call on the caller's thread, against the direct call,
/// the same audit written by hand (Activity + appender), and a Castle DynamicProxy interceptor doing that
/// same audit; and what <c>HopGuard.Enter()</c> adds: the same hop with the guard as its first statement,
/// called directly and through an interface (the interceptor tests the receiver's type), and called
/// through a delegate, which the interceptor cannot see, so the guard decides it. Each iteration makes a
/// fixed number of calls into an empty queue, and the writer drains it between iterations, so the figure
/// is the caller's cost, not the writer's throughput.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[InvocationCount(16)]
public class HopCallBenchmarks
{
    private const int Calls = 2048;
    private static readonly ActivitySource s_source = new("Sec0.Benchmarks.HandWritten");
    private static readonly HopDescriptor s_guardOnly = new("Guard.Only", HopType.Tool, string.Empty, "Guard.cs", 1, 1, "int Guard.Only()");
    private BenchmarkTempDirectory _dir = null!;
    private Sec0App _app = null!;
    private PriceCalculator _calculator = null!;
    private IPriceCalculator _proxy = null!;
    private IGuardedQuoter _quoter = null!;
    private Func<int, int> _delegate = null!;
    private int _sink;

    [GlobalSetup]
    public void Setup()
    {
        _dir = new BenchmarkTempDirectory();
        File.WriteAllText(System.IO.Path.Combine(_dir.Path, "sec0.config.yaml"), """
            app:
              tenant: demo
              environment: prod
              client: { name: bench, version: "1.0.0" }
              hops:
                PriceCalculator.Quote: { type: tool, nodeId: pricing, server: pricing, tool: quote }
                PriceCalculator.QuoteGuarded: { type: tool, nodeId: pricing, server: pricing, tool: quote-guarded }
            controlPlane:
              sec0Dir: ./.sec0
              localSignerPath: ./.sec0/keys/ed25519.key
            audit:
              flush: none
              signing: checkpoint
              channelCapacity: 65536
            """);
        _app = Sec0App.Initialize(System.IO.Path.Combine(_dir.Path, "sec0.config.yaml"), new Sec0AppOptions { CreateSigningKeyIfMissing = true });
        _calculator = new PriceCalculator();
        _quoter = _calculator;
        _delegate = _calculator.QuoteGuarded;
        _proxy = new ProxyGenerator().CreateInterfaceProxyWithTarget<IPriceCalculator>(new PlainCalculator(), new AuditInterceptor(_app.Appender));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _app.Dispose();
        _dir.Dispose();
    }

    // Drain the queue between iterations so calls never wait for the writer.
    [IterationSetup]
    public void Drain() => _app.FlushAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls, Description = "direct call")]
    public int Direct()
    {
        var c = _calculator;
        for (var i = 0; i < Calls; i++)
        {
            _sink += c.QuoteDirect(i);
        }

        return _sink;
    }

    [Benchmark(OperationsPerInvoke = Calls, Description = "[Sec0Hop] interceptor")]
    public int Sec0Hop()
    {
        var c = _calculator;
        for (var i = 0; i < Calls; i++)
        {
            _sink += c.Quote(i);
        }

        return _sink;
    }

    [Benchmark(OperationsPerInvoke = Calls, Description = "[Sec0Hop] interceptor + HopGuard.Enter()")]
    public int Sec0HopGuarded()
    {
        var c = _calculator;
        for (var i = 0; i < Calls; i++)
        {
            _sink += c.QuoteGuarded(i);
        }

        return _sink;
    }

    [Benchmark(OperationsPerInvoke = Calls, Description = "[Sec0Hop] + guard, called through an interface")]
    public int Sec0HopGuardedViaInterface()
    {
        var q = _quoter;
        for (var i = 0; i < Calls; i++)
        {
            _sink += q.QuoteGuarded(i);
        }

        return _sink;
    }

    [Benchmark(OperationsPerInvoke = Calls, Description = "[Sec0Hop] + guard, delegate call decided by the guard")]
    public int Sec0HopGuardedViaDelegate()
    {
        var d = _delegate;
        for (var i = 0; i < Calls; i++)
        {
            _sink += d(i);
        }

        return _sink;
    }

    // The guard's own work on an intercepted call, without the decision and envelope around it: the
    // interceptor's arm and disarm of the thread-static mark and the guard consuming it.
    [Benchmark(OperationsPerInvoke = Calls, Description = "arm + HopGuard.Enter() + disarm alone")]
    public int GuardAlone()
    {
        var descriptor = s_guardOnly;
        for (var i = 0; i < Calls; i++)
        {
            var previous = HopGuard.Arm(descriptor);
            try
            {
                HopGuard.Enter(descriptor);
                _sink += i;
            }
            finally
            {
                HopGuard.Restore(previous);
            }
        }

        return _sink;
    }

    [Benchmark(OperationsPerInvoke = Calls, Description = "hand-written Activity + appender")]
    public int HandWritten()
    {
        var c = _calculator;
        var appender = _app.Appender;
        for (var i = 0; i < Calls; i++)
        {
            using var activity = s_source.StartActivity("PriceCalculator.Quote");
            var start = Stopwatch.GetTimestamp();
            var envelope = SameAudit(activity);
            _sink += c.QuoteDirect(i);
            envelope.LatencyMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            envelope.Status = "ok";
            appender.Enqueue(envelope);
        }

        return _sink;
    }

    [Benchmark(OperationsPerInvoke = Calls, Description = "Castle DynamicProxy + same audit")]
    public int CastleProxy()
    {
        var p = _proxy;
        for (var i = 0; i < Calls; i++)
        {
            _sink += p.Quote(i);
        }

        return _sink;
    }

    // The envelope the hop writes, built by hand: the same fields, ids and policy record.
    private static AuditEnvelope SameAudit(Activity? activity) => new()
    {
        Timestamp = DateTimeOffset.UtcNow,
        TraceId = (activity?.TraceId ?? ActivityTraceId.CreateRandom()).ToHexString(),
        SpanId = (activity?.SpanId ?? ActivitySpanId.CreateRandom()).ToHexString(),
        Tenant = "demo",
        Environment = "prod",
        ClientName = "bench",
        ClientVersion = "1.0.0",
        NodeType = "tool",
        NodeId = "pricing",
        Server = "pricing",
        Tool = "quote",
        ToolRef = "tool://pricing/quote",
        HopHash = "sha256:v1:9f2c4e1a77b0d3c5e8a1f6b2c9d4e7a0b3c6d9e2f5a8b1c4d7e0f3a6b9c2d5e8",
        AgentRef = "run/pricing",
        Policy = AuditPolicyRecord.Allow,
    };

    /// <summary>The interface a proxy needs (the hop needs none).</summary>
    public interface IPriceCalculator
    {
        /// <summary>Quotes a price.</summary>
        int Quote(int items);
    }

    private sealed class PlainCalculator : IPriceCalculator
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public int Quote(int items) => (items * 7) + 3;
    }

    private sealed class AuditInterceptor(AuditAppender appender) : IInterceptor
    {
        public void Intercept(IInvocation invocation)
        {
            using var activity = s_source.StartActivity(invocation.Method.Name);
            var start = Stopwatch.GetTimestamp();
            var envelope = SameAudit(activity);
            invocation.Proceed();
            envelope.LatencyMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            envelope.Status = "ok";
            appender.Enqueue(envelope);
        }
    }
}

/// <summary>The interface the DI pattern calls the guarded hop through.</summary>
public interface IGuardedQuoter
{
    /// <summary>Quotes a price.</summary>
    int QuoteGuarded(int items);
}

/// <summary>The hop under test.</summary>
public class PriceCalculator : IGuardedQuoter
{
    /// <summary>A trivial hop: the measured cost is all interception and audit.</summary>
    [Sec0Hop]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public int Quote(int items) => (items * 7) + 3;

    /// <summary>The same hop with <c>HopGuard.Enter()</c> as its first statement.</summary>
    [Sec0Hop]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public int QuoteGuarded(int items)
    {
        HopGuard.Enter();
        return (items * 7) + 3;
    }

    /// <summary>The same body without the attribute.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public int QuoteDirect(int items) => (items * 7) + 3;
}
