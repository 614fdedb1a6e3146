using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Sec0.Generators;

/// <summary>
/// What a test can observe or change of one <see cref="HopGenerator"/> instance (passed to its internal
/// constructor), instead of static switches: tests that run in parallel each see only their own generator.
/// </summary>
internal sealed class GeneratorHooks
{
    /// <summary>No hooks: what the compiler's generator (the public constructor) runs with.</summary>
    public static GeneratorHooks None { get; } = new();

    /// <summary>Rethrow the exceptions the call-site parser otherwise swallows (it leaves broken code alone).</summary>
    public bool RethrowExceptions { get; init; }

    /// <summary>Called before a call-site candidate is bound (not when its cached model is reused).</summary>
    public Action<Compilation, InvocationExpressionSyntax>? BindingCallSite { get; init; }

    /// <summary>Called when the declaration surface of a syntax tree is computed (once per tree object while the cache is on).</summary>
    public Action<SyntaxTree>? ComputingSurface { get; init; }
}
