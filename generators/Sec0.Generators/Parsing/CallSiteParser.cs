using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Sec0.Generators.Caching;
using Sec0.Generators.Model;

namespace Sec0.Generators.Parsing;

/// <summary>Finds calls of hop methods and models what an interceptor for them needs.</summary>
internal static class CallSiteParser
{
    /// <summary>
    /// The syntactic filter, run on every node of every changed tree: an invocation whose callee is a
    /// simple name, a generic name, a member access (not <c>base.</c>) or a conditional member binding.
    /// Hop names are not knowable syntactically (they may come from referenced assemblies), so the
    /// semantic transform fails fast instead.
    /// </summary>
    public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken)
    {
        // The rule is shared with the analyzers (SEC0101), which report the calls it rejects.
        return node is InvocationExpressionSyntax invocation && InterceptionRules.IsCandidateCallee(invocation);
    }

    // Roslyn re-runs this transform for every candidate of every tree whenever the compilation changes
    // (any keystroke anywhere). A model is reused instead when the invocation is the same node object
    // (so its tree is unchanged) and the compilation's declaration surface is unchanged: then binding
    // gives the same result (the soundness argument is on DeclarationSurface). That includes the hops a
    // dispatched call may reach and the hop a guard's method stands for: attributes, base types, interface
    // lists and member signatures are all declarations. The interceptable location data (a checksum of the
    // calling file and a position) depends on the tree alone. Sec0GeneratorCache=false turns reuse off.
    private static readonly SurfaceCache<InvocationExpressionSyntax, CallSiteModel> s_models = new();

    public static CallSiteModel? Parse(GeneratorSyntaxContext context, GeneratorHooks hooks, CancellationToken cancellationToken)
    {
        try
        {
            var invocation = (InvocationExpressionSyntax)context.Node;
            var compilation = context.SemanticModel.Compilation;
            if (!GeneratorCacheSwitch.IsOn(invocation.SyntaxTree.Options))
            {
                hooks.BindingCallSite?.Invoke(compilation, invocation);
                return ParseCore(context, cancellationToken);
            }

            var version = SurfaceVersion.For(compilation, hooks);
            if (s_models.TryGet(invocation, version, out var cached))
            {
                return cached;
            }

            hooks.BindingCallSite?.Invoke(compilation, invocation);
            var model = ParseCore(context, cancellationToken);
            s_models.Store(invocation, version, model);
            return model;
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !hooks.RethrowExceptions)
        {
            // Broken or half-typed code: leave the call alone.
            return null;
        }
    }

    private static CallSiteModel? ParseCore(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        var invocation = (InvocationExpressionSyntax)context.Node;
        var semanticModel = context.SemanticModel;
        var compilation = semanticModel.Compilation;
        var name = InvokedName(invocation);
        if (HopGuardCalls.MayBeGuard(invocation, name))
        {
            return ParseGuard(invocation, semanticModel, cancellationToken);
        }

        // Fast exits: most invocations are not hop calls. A name no hop has needs no binding (an override or
        // implementation has the name of the method it overrides or implements).
        if (!HopNameIndex.For(compilation).MayBeHop(name))
        {
            return null;
        }

        if (semanticModel.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol called)
        {
            return null;
        }

        // The called method (its shape is what the interceptor mirrors); the hop it stands for (its own
        // attribute, an overridden method's or an implemented interface member's); and the hops in more
        // derived types the call may reach through dispatch.
        var definition = (called.ReducedFrom ?? called).OriginalDefinition;
        var hopMethod = HopIdentity.Find(definition, out var attribute);
        var dispatch = HopDispatch.Targets(definition, compilation);
        if (hopMethod is null && dispatch.IsEmpty)
        {
            return null;
        }

        var site = CallSite.Locate(invocation, semanticModel, cancellationToken);
        var key = HopDispatch.CallKey(hopMethod, attribute, dispatch);
        if (!site.IsInterceptable)
        {
            return site.Model(key, null, EquatableArray<DescriptorModel>.Empty, "the call has no interceptable location");
        }

        var skip = SkipReason(definition, called, invocation, semanticModel, cancellationToken);
        if (skip is not null)
        {
            return site.Model(key, null, EquatableArray<DescriptorModel>.Empty, skip);
        }

        List<DescriptorModel>? externals = null;
        var field = hopMethod is null ? string.Empty : DescriptorFieldOf(hopMethod, attribute!, compilation, ref externals);
        var dispatchModels = EquatableArray<DispatchModel>.Empty;
        if (!dispatch.IsEmpty)
        {
            var reachable = new List<DispatchModel>(dispatch.Length);
            foreach (var reached in dispatch)
            {
                var reachedField = DescriptorFieldOf(reached.Hop, reached.Attribute, compilation, ref externals);
                reachable.Add(new DispatchModel(reached.TestTypeName, reachedField, Hops.Key(reached.Attribute, reached.Hop)));
            }

            dispatchModels = new EquatableArray<DispatchModel>(reachable);
        }

        var target = BuildTarget(definition, Naming.MethodId(definition), field, dispatchModels, out var targetSkip);
        return target is null
            ? site.Model(key, null, EquatableArray<DescriptorModel>.Empty, targetSkip)
            : site.Model(key, target, Externals(externals), null);
    }

    /// <summary>A <c>HopGuard.Enter()</c> in the body of a hop: bound to that hop's descriptor.</summary>
    private static CallSiteModel? ParseGuard(InvocationExpressionSyntax invocation, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (semanticModel.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol called
            || !HopGuardCalls.IsGuardMethod(called)
            || HopGuardCalls.EnclosingMethod(invocation) is not { } declaration
            || semanticModel.GetDeclaredSymbol(declaration, cancellationToken) is not { } method
            || HopGuardCalls.GuardedHop(method, out var attribute) is not { } hopMethod)
        {
            // Not a guard, or a guard outside a hop: left alone, it throws when it runs (SEC0104).
            return null;
        }

        var key = Hops.Key(attribute!, hopMethod);
        var site = CallSite.Locate(invocation, semanticModel, cancellationToken);
        if (!site.IsInterceptable)
        {
            return site.Model(key, null, EquatableArray<DescriptorModel>.Empty, "the call has no interceptable location");
        }

        List<DescriptorModel>? externals = null;
        var field = DescriptorFieldOf(hopMethod, attribute!, semanticModel.Compilation, ref externals);
        var target = new TargetModel(
            "guard:" + field,
            HopGuardCalls.MethodName,
            "global::Sec0.HopGuard",
            TargetKind.Guard,
            string.Empty,
            "void",
            ReturnShape.Void,
            string.Empty,
            EquatableArray<ParameterModel>.Empty,
            EquatableArray<TypeParameterModel>.Empty,
            EquatableArray<string>.Empty,
            field,
            EquatableArray<DispatchModel>.Empty);
        return site.Model(key, target, Externals(externals), null);
    }

    /// <summary>The descriptor field of <paramref name="hop"/>; a hop of a referenced assembly adds its descriptor to <paramref name="externals"/>.</summary>
    private static string DescriptorFieldOf(IMethodSymbol hop, AttributeData attribute, Compilation compilation, ref List<DescriptorModel>? externals)
    {
        var key = Hops.Key(attribute, hop);
        var hopId = Naming.MethodId(hop);
        var field = Naming.DescriptorField(key, hopId);
        if (!SymbolEqualityComparer.Default.Equals(hop.ContainingAssembly, compilation.Assembly))
        {
            (externals ??= new List<DescriptorModel>()).Add(ExternalDescriptor(hop, key, Hops.ExpectedType(attribute), hopId, field));
        }

        return field;
    }

    private static EquatableArray<DescriptorModel> Externals(List<DescriptorModel>? externals)
        => externals is null ? EquatableArray<DescriptorModel>.Empty : new EquatableArray<DescriptorModel>(externals);

    /// <summary>The static type of the explicit receiver (<c>x</c> in <c>x.M()</c> and <c>x?.M()</c>); null for a simple name.</summary>
    private static ITypeSymbol? ReceiverType(InvocationExpressionSyntax invocation, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        var receiver = invocation.Expression switch
        {
            MemberAccessExpressionSyntax memberAccess => memberAccess.Expression,
            MemberBindingExpressionSyntax => invocation.FirstAncestorOrSelf<ConditionalAccessExpressionSyntax>()?.Expression,
            _ => null,
        };
        return receiver is null ? null : semanticModel.GetTypeInfo(receiver, cancellationToken).Type;
    }

    private static string InvokedName(InvocationExpressionSyntax invocation) => invocation.Expression switch
    {
        MemberAccessExpressionSyntax memberAccess => memberAccess.Name.Identifier.ValueText,
        MemberBindingExpressionSyntax memberBinding => memberBinding.Name.Identifier.ValueText,
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        _ => string.Empty,
    };

    private static string? SkipReason(IMethodSymbol definition, IMethodSymbol called, InvocationExpressionSyntax invocation, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        // The rules live in InterceptionRules, shared with the analyzers (SEC0101/SEC0102).
        var declarationReason = InterceptionRules.DeclarationSkipReason(definition, semanticModel.Compilation);
        if (declarationReason is not null)
        {
            return declarationReason;
        }

        if (InterceptionRules.HasErrors(definition) || InterceptionRules.HasErrors(called))
        {
            return InterceptionRules.BindingErrorReason;
        }

        if (InterceptionRules.IsInExpressionTree(invocation, semanticModel, cancellationToken))
        {
            return InterceptionRules.ExpressionTreeReason;
        }

        if (InterceptionRules.BoxesReceiver(definition, ReceiverType(invocation, semanticModel, cancellationToken)))
        {
            return InterceptionRules.BoxedReceiverReason;
        }

        return null;
    }

    /// <summary>The descriptor of a hop declared in a referenced assembly, from that assembly's manifest.</summary>
    private static DescriptorModel ExternalDescriptor(IMethodSymbol definition, string key, int expectedType, string methodId, string field)
    {
        var signature = Hops.Signature(definition);
        foreach (var attribute in definition.ContainingAssembly.GetAttributes())
        {
            if (!Hops.IsManifestAttribute(attribute.AttributeClass) || attribute.ConstructorArguments.Length != 8)
            {
                continue;
            }

            var args = attribute.ConstructorArguments;
            if (args[0].Value as string == "hop" && args[1].Value as string == key && args[6].Value as string == signature)
            {
                return new DescriptorModel(
                    "hop",
                    key,
                    args[7].Value is int type ? type : expectedType,
                    args[2].Value as string ?? string.Empty,
                    args[3].Value as string ?? string.Empty,
                    args[4].Value is int start ? start : 0,
                    args[5].Value is int end ? end : 0,
                    signature,
                    methodId,
                    field);
            }
        }

        // Built without the generator: no body hash known at compile time.
        return new DescriptorModel("hop", key, expectedType, string.Empty, string.Empty, 0, 0, signature, methodId, field);
    }

    private static TargetModel? BuildTarget(IMethodSymbol definition, string methodId, string field, EquatableArray<DispatchModel> dispatch, out string? skipReason)
    {
        skipReason = null;
        var containingType = definition.ContainingType;

        // Type parameters: containing types outermost first, then the method's (the interceptor arity rule).
        var typeParameterSymbols = new List<ITypeParameterSymbol>();
        var chain = new List<INamedTypeSymbol>();
        for (var type = containingType; type is not null; type = type.ContainingType)
        {
            chain.Insert(0, type);
        }

        foreach (var type in chain)
        {
            typeParameterSymbols.AddRange(type.TypeParameters);
        }

        typeParameterSymbols.AddRange(definition.TypeParameters);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var typeParameters = new List<TypeParameterModel>();
        foreach (var typeParameter in typeParameterSymbols)
        {
            if (InterceptionRules.AnyError(typeParameter.ConstraintTypes))
            {
                skipReason = "a type parameter constraint does not bind";
                return null;
            }

            if (!names.Add(typeParameter.Name))
            {
                skipReason = "type parameters of the hop and its containing types share a name";
                return null;
            }

            typeParameters.Add(new TypeParameterModel(Naming.Escape(typeParameter.Name), Constraints(typeParameter)));
        }

        var parameters = new List<ParameterModel>();
        foreach (var parameter in definition.Parameters)
        {
            if (parameter.RefKind == RefKind.None && parameter.Type.IsRefLikeType && parameter.ScopedKind == ScopedKind.None && InterceptionRules.HasUnscopedRef(parameter))
            {
                skipReason = "[UnscopedRef] parameters are not intercepted";
                return null;
            }

            var modifiers = new StringBuilder();
            if (definition.IsExtensionMethod && parameter.Ordinal == 0)
            {
                modifiers.Append("this ");
            }

            if (parameter.IsParams)
            {
                modifiers.Append("params ");
            }

            if (parameter.ScopedKind != ScopedKind.None && parameter.RefKind != RefKind.Out)
            {
                modifiers.Append("scoped ");
            }

            var (declaration, argument) = parameter.RefKind switch
            {
                RefKind.Ref => ("ref ", "ref "),
                RefKind.Out => ("out ", "out "),
                RefKind.In => ("in ", "in "),
                RefKind.RefReadOnlyParameter => ("ref readonly ", "in "),
                _ => (string.Empty, string.Empty),
            };
            modifiers.Append(declaration);
            parameters.Add(new ParameterModel(
                modifiers.ToString(),
                parameter.Type.ToDisplayString(Hops.TypeFormat),
                Naming.Escape(parameter.Name.Length == 0 ? "arg" + parameter.Ordinal : parameter.Name),
                argument,
                parameter.RefKind == RefKind.Out,
                Hashing(parameter)));
        }

        TargetKind kind;
        var receiver = string.Empty;
        if (definition.IsExtensionMethod)
        {
            kind = TargetKind.Extension;
        }
        else if (definition.IsStatic)
        {
            kind = TargetKind.Static;
        }
        else
        {
            kind = TargetKind.Instance;
            receiver = containingType.IsValueType ? (definition.IsReadOnly || containingType.IsReadOnly ? "this in " : "this ref ") : "this ";
        }

        var (shape, element) = Shape(definition);
        var methodTypeArguments = new List<string>();
        foreach (var typeParameter in definition.TypeParameters)
        {
            methodTypeArguments.Add(Naming.Escape(typeParameter.Name));
        }

        return new TargetModel(
            methodId,
            Naming.Escape(definition.Name),
            containingType.ToDisplayString(Hops.TypeFormat),
            kind,
            receiver,
            definition.ReturnsVoid ? "void" : definition.ReturnType.ToDisplayString(Hops.TypeFormat),
            shape,
            element,
            new EquatableArray<ParameterModel>(parameters),
            new EquatableArray<TypeParameterModel>(typeParameters),
            new EquatableArray<string>(methodTypeArguments),
            field,
            dispatch);
    }

    /// <summary>How the parameter's value is bound by an escalation: only what the interceptor can pass to a generic method is serialised.</summary>
    private static ArgumentHashing Hashing(IParameterSymbol parameter)
    {
        var type = parameter.Type;
        if (parameter.RefKind == RefKind.Out
            || (type is INamedTypeSymbol { Name: "CancellationToken", ContainingNamespace: { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } }))
        {
            return ArgumentHashing.Omitted;
        }

        return type.IsRefLikeType
            || type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer
            || type is ITypeParameterSymbol { AllowsRefLikeType: true }
            ? ArgumentHashing.NotHashed
            : ArgumentHashing.Value;
    }

    private static (ReturnShape Shape, string Element) Shape(IMethodSymbol method)
    {
        if (method.ReturnsVoid)
        {
            return (ReturnShape.Void, string.Empty);
        }

        if (method.ReturnType is INamedTypeSymbol named)
        {
            var ns = named.ContainingNamespace?.ToDisplayString();
            var element = named.TypeArguments.Length == 1 ? named.TypeArguments[0].ToDisplayString(Hops.TypeFormat) : string.Empty;
            if (ns == "System.Threading.Tasks" && named.ContainingType is null)
            {
                switch (named.Name, named.Arity)
                {
                    case ("Task", 0): return (ReturnShape.Task, string.Empty);
                    case ("Task", 1): return (ReturnShape.TaskOfT, element);
                    case ("ValueTask", 0): return (ReturnShape.ValueTask, string.Empty);
                    case ("ValueTask", 1): return (ReturnShape.ValueTaskOfT, element);
                }
            }
            else if (ns == "System.Collections.Generic" && named.ContainingType is null && named.Arity == 1)
            {
                switch (named.Name)
                {
                    case "IAsyncEnumerable": return (ReturnShape.AsyncEnumerable, element);
                    case "IEnumerable": return (ReturnShape.Enumerable, element);
                    case "IEnumerator": return (ReturnShape.Enumerator, element);
                }
            }
        }

        return (ReturnShape.Value, string.Empty);
    }

    private static string Constraints(ITypeParameterSymbol typeParameter)
    {
        var parts = new List<string>();
        if (typeParameter.HasUnmanagedTypeConstraint)
        {
            parts.Add("unmanaged");
        }
        else if (typeParameter.HasValueTypeConstraint)
        {
            parts.Add("struct");
        }
        else if (typeParameter.HasReferenceTypeConstraint)
        {
            parts.Add(typeParameter.ReferenceTypeConstraintNullableAnnotation == NullableAnnotation.Annotated ? "class?" : "class");
        }
        else if (typeParameter.HasNotNullConstraint)
        {
            parts.Add("notnull");
        }

        foreach (var constraintType in typeParameter.ConstraintTypes)
        {
            parts.Add(constraintType.ToDisplayString(Hops.TypeFormat));
        }

        if (typeParameter.HasConstructorConstraint && !typeParameter.HasValueTypeConstraint && !typeParameter.HasUnmanagedTypeConstraint)
        {
            parts.Add("new()");
        }

        if (typeParameter.AllowsRefLikeType)
        {
            parts.Add("allows ref struct");
        }

        return parts.Count == 0 ? string.Empty : "where " + Naming.Escape(typeParameter.Name) + " : " + string.Join(", ", parts);
    }
}
