using BenchmarkDotNet.Attributes;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Sec0.Benchmarks;

/// <summary>
/// The cost of one intercepted hop call with the OpenTelemetry SDK listening to Sec0 (spans sampled, spans not
/// sampled, both with the Sec0 metrics collected) against no listener at all, in one run. With no listener the hop
/// must cost what <see cref="HopCallBenchmarks"/> measures: the metrics check <c>Instrument.Enabled</c> and nothing more.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[InvocationCount(16)]
public class HopTracingBenchmarks
{
    private const int Calls = 2048;
    private BenchmarkTempDirectory _dir = null!;
    private Sec0App _app = null!;
    private PriceCalculator _calculator = null!;
    private TracerProvider? _tracer;
    private MeterProvider? _meter;
    private int _sink;

    /// <summary>Who listens: nobody, the OTel SDK sampling every span, or the SDK sampling none.</summary>
    public enum Listener
    {
        /// <summary>No ActivityListener and no MeterListener.</summary>
        None,

        /// <summary>AlwaysOnSampler: every hop span is recorded (and dropped by a no-op processor).</summary>
        Sampled,

        /// <summary>AlwaysOffSampler: the SDK listens but records no span.</summary>
        Unsampled,
    }

    /// <summary>The listener of this run.</summary>
    [Params(Listener.None, Listener.Sampled, Listener.Unsampled)]
    public Listener Mode { get; set; }

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
        if (Mode != Listener.None)
        {
            Sampler sampler = Mode == Listener.Sampled ? new AlwaysOnSampler() : new AlwaysOffSampler();
            _tracer = Sdk.CreateTracerProviderBuilder().AddSec0Instrumentation().SetSampler(sampler).Build();
            _meter = Sdk.CreateMeterProviderBuilder().AddSec0Instrumentation().Build();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tracer?.Dispose();
        _meter?.Dispose();
        _app.Dispose();
        _dir.Dispose();
    }

    // Drain the queue between iterations so calls never wait for the writer.
    [IterationSetup]
    public void Drain() => _app.FlushAsync().AsTask().GetAwaiter().GetResult();

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
}
