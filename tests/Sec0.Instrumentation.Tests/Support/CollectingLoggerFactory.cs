using Microsoft.Extensions.Logging;
using Sec0.Instrumentation.Tests.Signing;

namespace Sec0.Instrumentation.Tests.Support;

/// <summary>An <see cref="ILoggerFactory"/> whose loggers all write into one <see cref="CollectingLogger"/>.</summary>
internal sealed class CollectingLoggerFactory : ILoggerFactory
{
    public CollectingLogger Logger { get; } = new();

    public ILogger CreateLogger(string categoryName) => Logger;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }
}
