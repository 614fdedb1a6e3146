namespace Sec0.Instrumentation.Tests.Support;

/// <summary>Tests that change the process's working directory or PATH run one at a time, with nothing else running.</summary>
[CollectionDefinition(nameof(ProcessEnvironmentCollection), DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection;
