// Compiled into the Sec0 analyzers too (linked), with HopDispatch.
using Microsoft.CodeAnalysis;

namespace Sec0.Generators.Parsing;

/// <summary>A hop a dispatched call may reach, and the type the interceptor tests the receiver against.</summary>
internal sealed class DispatchTarget
{
    public DispatchTarget(IMethodSymbol hop, AttributeData attribute, INamedTypeSymbol testType, int depth)
    {
        Hop = hop;
        Attribute = attribute;
        TestType = testType;
        TestTypeName = testType.ToDisplayString(Hops.TypeFormat);
        Depth = depth;
    }

    /// <summary>The method with its own <c>[Sec0Hop]</c>.</summary>
    public IMethodSymbol Hop { get; }

    public AttributeData Attribute { get; }

    /// <summary>The hop's containing type, over the interceptor's type parameters when it is generic.</summary>
    public INamedTypeSymbol TestType { get; }

    /// <summary><see cref="TestType"/> fully qualified, as generated code names it.</summary>
    public string TestTypeName { get; }

    /// <summary>How many base types the hop's type has: more derived types are tested first.</summary>
    public int Depth { get; }
}
