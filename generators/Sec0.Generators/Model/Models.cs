namespace Sec0.Generators.Model;

// Every model here is a record of strings, ints, bools and EquatableArray: no ISymbol, SyntaxNode,
// SemanticModel or Location, so the incremental pipeline can compare them by value and cache.

/// <summary>
/// A hop (kind "hop") or MCP tool (kind "mcp_tool"): what the descriptor field and the manifest entry
/// carry. <see cref="MethodId"/> is the documentation comment id of the method's definition.
/// </summary>
internal sealed record DescriptorModel(
    string Kind,
    string Key,
    int ExpectedType,
    string BodyHash,
    string FilePath,
    int StartLine,
    int EndLine,
    string Signature,
    string MethodId,
    string FieldName);

/// <summary>A parameter of the intercepted method, as the interceptor declares and forwards it.</summary>
/// <param name="Modifiers">Declaration modifiers before the type, e.g. <c>"scoped ref "</c>, <c>"this in "</c>, <c>"params "</c>.</param>
/// <param name="Type">Fully qualified type (<c>global::</c>), with nullable annotations.</param>
/// <param name="Name">The identifier, escaped when it is a keyword.</param>
/// <param name="ArgumentPrefix">How it is passed on: <c>""</c>, <c>"ref "</c>, <c>"out "</c>, <c>"in "</c>.</param>
/// <param name="IsOut">Whether it is an <c>out</c> parameter (left out of the escalation's arguments: it has no value yet).</param>
/// <param name="Hashing">How its value enters the arguments an escalation is bound to.</param>
internal sealed record ParameterModel(string Modifiers, string Type, string Name, string ArgumentPrefix, bool IsOut, ArgumentHashing Hashing);

/// <summary>How a parameter's value enters the canonical arguments of an escalated call (<c>Sec0.Hops.HopArguments</c>).</summary>
internal enum ArgumentHashing
{
    /// <summary>Serialised (System.Text.Json) and hashed.</summary>
    Value,

    /// <summary>Not an argument: <c>out</c> parameters (no value goes in) and <c>CancellationToken</c>s.</summary>
    Omitted,

    /// <summary>A value that cannot be captured (a <c>ref struct</c>, a pointer): hashed as a marker naming its type.</summary>
    NotHashed,
}

/// <summary>A type parameter of the interceptor and its <c>where</c> clause (empty when unconstrained).</summary>
internal sealed record TypeParameterModel(string Name, string Constraints);

/// <summary>The shape of what the hop method returns.</summary>
internal enum ReturnShape
{
    Void,
    Value,
    Task,
    TaskOfT,
    ValueTask,
    ValueTaskOfT,
    AsyncEnumerable,

    /// <summary><c>IEnumerable&lt;T&gt;</c>: when the result is an iterator, its body (and guard) runs at the first MoveNext.</summary>
    Enumerable,

    /// <summary><c>IEnumerator&lt;T&gt;</c>: as <see cref="Enumerable"/>.</summary>
    Enumerator,
}

/// <summary>
/// A hop a dispatched call may reach: the interceptor tests the receiver against <see cref="TestType"/> and,
/// on a match, decides the call with the hop's descriptor.
/// </summary>
/// <param name="TestType">Fully qualified type the receiver is tested against (<c>global::</c>).</param>
/// <param name="DescriptorField">The hop's field in <c>HopDescriptors</c>.</param>
/// <param name="HopKey">The hop key (for the comments of the generated file).</param>
internal sealed record DispatchModel(string TestType, string DescriptorField, string HopKey);

/// <summary>Everything the emitter needs to declare an interceptor for a hop method and call it.</summary>
/// <param name="MethodId">Documentation comment id of the definition: the identity interceptors are merged by.</param>
/// <param name="Name">The method name, escaped.</param>
/// <param name="ContainingType">Fully qualified containing type, with its type parameters by name.</param>
/// <param name="Kind">Instance, Static or Extension.</param>
/// <param name="ReceiverModifiers">For instance methods: <c>"this "</c>, <c>"this ref "</c> or <c>"this in "</c>.</param>
/// <param name="ReturnType">Fully qualified return type (<c>void</c> for void).</param>
/// <param name="Shape">How the method returns: synchronously, a task, a value task or an async enumerable.</param>
/// <param name="ElementType">T of Task&lt;T&gt;, ValueTask&lt;T&gt;, IAsyncEnumerable&lt;T&gt;; empty otherwise.</param>
/// <param name="Parameters">The method's parameters, in order.</param>
/// <param name="TypeParameters">Containing types' type parameters (outermost first), then the method's.</param>
/// <param name="MethodTypeArguments">The method's own type parameter names, for the forwarded call.</param>
/// <param name="DescriptorField">The descriptor of the hop the called method stands for; empty when it stands for none and only <paramref name="Dispatch"/> can match.</param>
/// <param name="Dispatch">Hops in more derived types the call may reach at run time, tested in this order before <paramref name="DescriptorField"/>.</param>
internal sealed record TargetModel(
    string MethodId,
    string Name,
    string ContainingType,
    TargetKind Kind,
    string ReceiverModifiers,
    string ReturnType,
    ReturnShape Shape,
    string ElementType,
    EquatableArray<ParameterModel> Parameters,
    EquatableArray<TypeParameterModel> TypeParameters,
    EquatableArray<string> MethodTypeArguments,
    string DescriptorField,
    EquatableArray<DispatchModel> Dispatch);

internal enum TargetKind
{
    Static,
    Instance,
    Extension,

    /// <summary>A <c>HopGuard.Enter()</c> in a hop's body, bound to that hop's descriptor.</summary>
    Guard,
}

/// <summary>
/// One call of a hop method (or of a method a hop overrides or implements), or one <c>HopGuard.Enter()</c>
/// in a hop's body. <see cref="SkipReason"/> is set when the call is left un-intercepted
/// (the analyzers report it); then <see cref="Target"/> may be null.
/// </summary>
/// <param name="FilePath">The calling source file (generated files are grouped by it).</param>
/// <param name="Position">Character position of the call in the file (sort key).</param>
/// <param name="Line">1-based line of the call.</param>
/// <param name="Column">1-based column of the call.</param>
/// <param name="HopKey">The hop key of the called method.</param>
/// <param name="LocationVersion">InterceptableLocation.Version.</param>
/// <param name="LocationData">InterceptableLocation.Data.</param>
/// <param name="DisplayLocation">InterceptableLocation.GetDisplayLocation().</param>
/// <param name="AttributeSyntax">InterceptableLocation.GetInterceptsLocationAttributeSyntax().</param>
/// <param name="Target">The called method as the interceptor declares and forwards it; null when the call is skipped.</param>
/// <param name="ExternalHops">The descriptors of the hops declared in referenced assemblies that the call may reach (empty for hops of this compilation).</param>
/// <param name="SkipReason">Why no interceptor is emitted for the call (reported as a diagnostic); null when one is.</param>
internal sealed record CallSiteModel(
    string FilePath,
    int Position,
    int Line,
    int Column,
    string HopKey,
    int LocationVersion,
    string LocationData,
    string DisplayLocation,
    string AttributeSyntax,
    TargetModel? Target,
    EquatableArray<DescriptorModel> ExternalHops,
    string? SkipReason);

/// <summary>The call sites of one calling file: the input of one generated interceptor file.</summary>
internal sealed record CallSiteFileModel(string FilePath, string HintName, EquatableArray<CallSiteModel> CallSites);

/// <summary>
/// The input of one generated descriptor file: the descriptors (a part of the partial class
/// <c>Sec0.Generated.HopDescriptors</c>) and the manifest entries of the hops and MCP tools declared in
/// <see cref="FilePath"/>, or (<see cref="FilePath"/> empty) the descriptors of hops declared in
/// referenced assemblies. Both arrays are sorted.
/// </summary>
internal sealed record DescriptorFileModel(
    string FilePath,
    string HintName,
    EquatableArray<DescriptorModel> Descriptors,
    EquatableArray<DescriptorModel> ManifestEntries);
