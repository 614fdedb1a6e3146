namespace Sec0.Instrumentation.Tests.Support;

/// <summary>Tests that initialize the process-wide Sec0App run one at a time.</summary>
[CollectionDefinition(nameof(Sec0AppCollection), DisableParallelization = true)]
public sealed class Sec0AppCollection;
