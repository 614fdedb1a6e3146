using Sec0.Instrumentation.Tests.Support;
using Sec0.Policy;

namespace Sec0.Instrumentation.Tests.Policy;

public sealed class CircuitBreakerTests
{
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Opens_at_the_error_rate_once_min_samples_are_reached()
    {
        var breaker = new CircuitBreaker(new CircuitBreakerOptions { ErrorRatePct = 50, MinSamples = 4, CooldownMs = 1000 }, _time);

        breaker.Record(false, 1);
        breaker.Record(false, 1);
        breaker.Record(false, 1);
        Assert.False(breaker.IsOpen); // 3 samples < min_samples, although 100% failed

        breaker.Record(true, 1);
        Assert.True(breaker.IsOpen); // 3 of 4 failed: 75% >= 50%
        Assert.Equal(CircuitBreakerState.Open, breaker.State);
    }

    [Fact]
    public void Stays_closed_below_the_error_rate()
    {
        var breaker = new CircuitBreaker(new CircuitBreakerOptions { ErrorRatePct = 50, MinSamples = 4 }, _time);

        for (var i = 1; i <= 100; i++)
        {
            breaker.Record(i % 3 != 0, 1); // every third call fails: never 50% of the window
        }

        Assert.False(breaker.IsOpen);
    }

    [Fact]
    public void Opens_at_the_p95_latency()
    {
        var breaker = new CircuitBreaker(new CircuitBreakerOptions { P95LatencyMs = 500, MinSamples = 20 }, _time);

        for (var i = 0; i < 19; i++)
        {
            breaker.Record(true, TimeSpan.FromMilliseconds(10));
        }

        breaker.Record(true, TimeSpan.FromMilliseconds(900)); // 1 slow of 20: p95 is the 19th value, 10 ms
        Assert.False(breaker.IsOpen);

        breaker.Record(true, TimeSpan.FromMilliseconds(900)); // 2 slow of 21: the 20th value, 900 ms
        Assert.True(breaker.IsOpen);
    }

    [Fact]
    public void Old_samples_slide_out_of_the_window()
    {
        var breaker = new CircuitBreaker(new CircuitBreakerOptions { ErrorRatePct = 50, MinSamples = 10, WindowSize = 10 }, _time);

        for (var i = 0; i < 4; i++)
        {
            breaker.Record(false, 1);
        }

        for (var i = 0; i < 100; i++)
        {
            breaker.Record(true, 1);
        }

        Assert.Equal(10, breaker.SampleCount);
        for (var i = 0; i < 4; i++)
        {
            breaker.Record(false, 1);
        }

        Assert.False(breaker.IsOpen); // 4 of the last 10
        breaker.Record(false, 1);
        Assert.True(breaker.IsOpen); // 5 of the last 10
    }

    [Fact]
    public void Half_opens_after_the_cooldown_and_closes_on_a_successful_probe()
    {
        var breaker = Opened();

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.True(breaker.IsOpen);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(breaker.IsOpen);
        Assert.Equal(CircuitBreakerState.HalfOpen, breaker.State);

        breaker.Record(true, 1);
        Assert.Equal(CircuitBreakerState.Closed, breaker.State);
        Assert.Equal(1, breaker.SampleCount);
    }

    [Fact]
    public void A_failed_probe_opens_it_for_another_cooldown()
    {
        var breaker = Opened();
        _time.Advance(TimeSpan.FromSeconds(1));

        breaker.Record(false, 1);

        Assert.True(breaker.IsOpen);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.True(breaker.IsOpen);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(breaker.IsOpen);
    }

    [Fact]
    public void The_set_keeps_one_breaker_per_key_and_feeds_the_decision()
    {
        var policy = PolicyLoader.Parse(
            "tenant: demo\nenforcement: { circuit_breakers: { error_rate_pct: 50, min_samples: 2, cooldown_ms: 1000 } }",
            "p.yaml");
        var engine = DecisionEngine.Create(policy);
        var breakers = engine.CreateCircuitBreakers(_time)!;

        breakers.Record("A.Run", false, TimeSpan.FromMilliseconds(5));
        breakers.Record("A.Run", false, TimeSpan.FromMilliseconds(5));
        breakers.Record("B.Run", true, TimeSpan.FromMilliseconds(5));

        Assert.True(breakers.IsOpen("A.Run"));
        Assert.False(breakers.IsOpen("B.Run"));
        Assert.False(breakers.IsOpen("C.Run"));
        Assert.Same(breakers.Get("A.Run"), breakers.Get("A.Run"));
        var decision = engine.Decide(new DecisionContext { HopKey = "A.Run", CircuitOpen = breakers.IsOpen("A.Run") });
        Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
        Assert.Equal("circuit_open", decision.PrimaryReasonName);
        Assert.Null(DecisionEngine.Create(PolicyLoader.Parse(PolicySamples.Quickstart, "q.yaml")).CreateCircuitBreakers());
    }

    private CircuitBreaker Opened()
    {
        var breaker = new CircuitBreaker(new CircuitBreakerOptions { ErrorRatePct = 50, MinSamples = 2, CooldownMs = 1000 }, _time);
        breaker.Record(false, 1);
        breaker.Record(false, 1);
        Assert.True(breaker.IsOpen);
        return breaker;
    }
}
