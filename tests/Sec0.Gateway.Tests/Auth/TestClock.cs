namespace Sec0.Gateway.Tests.Auth;

/// <summary>A clock that stands still until a test moves it.</summary>
internal sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
