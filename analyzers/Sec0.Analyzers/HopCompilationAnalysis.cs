using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sec0.Analyzers.Config;
using Sec0.Analyzers.Hops;
using Sec0.Config;
using Sec0.Generators.Parsing;
using SharedHops = Sec0.Generators.Parsing.Hops;

namespace Sec0.Analyzers;

/// <summary>The state and actions of <see cref="Sec0HopAnalyzer"/> for one compilation.</summary>
internal sealed class HopCompilationAnalysis
{
    /// <summary>Implicit calls (collection initializer <c>Add</c>, <c>foreach</c>, deconstruction) have no call syntax.</summary>
    public const string ImplicitCallReason = "the call is implicit (a collection initializer, foreach, deconstruction or similar) and has no call site to intercept";

    public const string CalleeShapeReason = "the callee is not written as a name or member access (for example a parenthesized method group)";

    private readonly Compilation _compilation;
    private readonly ConfigDocument? _config;
    private readonly ConcurrentBag<HopDeclaration> _hops = new();
    private int _callSites;
    private int _interceptedCallSites;

    public HopCompilationAnalysis(Compilation compilation, ConfigDocument? config)
    {
        _compilation = compilation;
        _config = config;
    }

    /// <summary>A method with <c>[Sec0Hop]</c>: SEC0102 for a shape the generator leaves alone, SEC0001, SEC0003.</summary>
    public void AnalyzeMethod(SymbolAnalysisContext context)
    {
        var method = (IMethodSymbol)context.Symbol;

        // A partial method is analyzed once, through its defining part (attributes are merged).
        if (method.PartialDefinitionPart is not null)
        {
            return;
        }

        var attribute = SharedHops.FindHopAttribute(method);
        if (attribute is null)
        {
            return;
        }

        var attributeLocation = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? method.Locations[0];
        var key = method.MethodKind == MethodKind.Ordinary ? SharedHops.Key(attribute, method) : method.Name;
        var reason = InterceptionRules.DeclarationSkipReason(method, _compilation);
        if (reason is not null && !InterceptionRules.HasErrors(method))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnsupportedHopShape, attributeLocation, key, reason));
        }

        // The generator takes only ordinary methods as hops (HopParser): nothing else has a config entry.
        if (method.MethodKind != MethodKind.Ordinary)
        {
            return;
        }

        var nameLocation = method.Locations[0];
        _hops.Add(new HopDeclaration(key, nameLocation));
        if (_config is null || !_config.IsValidYaml)
        {
            return;
        }

        var expected = (HopType)SharedHops.ExpectedType(attribute);
        var entry = _config.FindHop(key);
        if (entry is null)
        {
            var type = expected == HopType.Unspecified ? HopType.Agent : expected;
            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(DiagnosticProperties.HopKey, key)
                .Add(DiagnosticProperties.HopType, HopRequirements.GetYamlName(type));
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingHopEntry, nameLocation, properties, key, _config.Path));
        }
        else if (expected != HopType.Unspecified && entry.Type is { } configured && configured != expected)
        {
            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(DiagnosticProperties.HopKey, key)
                .Add(DiagnosticProperties.ConfiguredHopType, configured.ToString());
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.HopTypeMismatch,
                attributeLocation,
                properties,
                key,
                HopRequirements.GetYamlName(configured),
                HopRequirements.GetYamlName(expected)));
        }
    }

    /// <summary>Local functions and lambdas with attributes: symbol actions do not see them.</summary>
    public void AnalyzeFunctionWithAttributes(SyntaxNodeAnalysisContext context)
    {
        var attributeLists = context.Node switch
        {
            LocalFunctionStatementSyntax localFunction => localFunction.AttributeLists,
            ParenthesizedLambdaExpressionSyntax lambda => lambda.AttributeLists,
            _ => default,
        };

        // Syntactic prefilter before any binding.
        if (!attributeLists.Any(list => list.Attributes.Any(attribute => HopNameIndex.IsHopAttributeName(attribute.Name))))
        {
            return;
        }

        var symbol = context.Node is LocalFunctionStatementSyntax
            ? context.SemanticModel.GetDeclaredSymbol(context.Node, context.CancellationToken) as IMethodSymbol
            : context.SemanticModel.GetSymbolInfo(context.Node, context.CancellationToken).Symbol as IMethodSymbol;
        if (symbol is null || SharedHops.FindHopAttribute(symbol) is not { } attribute)
        {
            return;
        }

        var reason = InterceptionRules.DeclarationSkipReason(symbol, _compilation);
        if (reason is not null)
        {
            var location = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? context.Node.GetLocation();
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnsupportedHopShape, location, symbol.Name.Length == 0 ? "lambda" : symbol.Name, reason));
        }
    }

    /// <summary>
    /// A call: counted for the scorecard; SEC0101 when the generator will not intercept it; SEC0104 for a
    /// <c>HopGuard.Enter()</c> the generator cannot bind.
    /// </summary>
    public void AnalyzeInvocation(OperationAnalysisContext context)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var called = invocation.TargetMethod;
        if (HopGuardCalls.IsGuardMethod(called))
        {
            AnalyzeGuardCall(context, invocation);
            return;
        }

        // Fast exit: nearly no invocation calls a method with a hop's name.
        if (!HopNameIndex.For(_compilation).MayBeHop(called.Name))
        {
            return;
        }

        var definition = (called.ReducedFrom ?? called).OriginalDefinition;
        var hopMethod = HopIdentity.Find(definition, out var attribute);
        var dispatch = HopDispatch.Targets(definition, _compilation);
        if (hopMethod is null && dispatch.IsEmpty)
        {
            return;
        }

        // The compiler reports calls that do not bind; they count for nothing.
        if (InterceptionRules.HasErrors(definition) || InterceptionRules.HasErrors(called))
        {
            return;
        }

        Interlocked.Increment(ref _callSites);
        var syntax = invocation.Syntax as InvocationExpressionSyntax;
        string? reason;
        var reportReason = true;
        if (syntax is null || invocation.IsImplicit)
        {
            reason = ImplicitCallReason;
        }
        else if (InterceptionRules.IsBaseCall(syntax))
        {
            reason = InterceptionRules.BaseCallReason;
        }
        else if (!InterceptionRules.IsCandidateCallee(syntax))
        {
            reason = CalleeShapeReason;
        }
        else if (InterceptionRules.DeclarationSkipReason(definition, _compilation) is { } declarationReason)
        {
            // SEC0102 already reports a hop of this compilation at its attribute; repeat it only for hops
            // declared elsewhere (or when the call binds to an override or a dispatched method that is itself
            // not interceptable).
            reason = declarationReason;
            reportReason = !(SymbolEqualityComparer.Default.Equals(definition, hopMethod)
                && SymbolEqualityComparer.Default.Equals(hopMethod!.ContainingAssembly, _compilation.Assembly));
        }
        else if (InterceptionRules.IsInExpressionTree(syntax, invocation.SemanticModel!, context.CancellationToken))
        {
            reason = InterceptionRules.ExpressionTreeReason;
        }
        else if (InterceptionRules.BoxesReceiver(definition, invocation.Instance?.Type))
        {
            reason = InterceptionRules.BoxedReceiverReason;
        }
        else
        {
            Interlocked.Increment(ref _interceptedCallSites);
            return;
        }

        if (reportReason)
        {
            var key = HopDispatch.CallKey(hopMethod, attribute, dispatch);
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.CallNotIntercepted, CallLocation(invocation), key, reason));
        }
    }

    /// <summary>A method group or delegate conversion of a hop (or of a method hops override or implement): never intercepted (SEC0101).</summary>
    public void AnalyzeMethodReference(OperationAnalysisContext context)
    {
        var reference = (IMethodReferenceOperation)context.Operation;
        if (!HopNameIndex.For(_compilation).MayBeHop(reference.Method.Name))
        {
            return;
        }

        var definition = (reference.Method.ReducedFrom ?? reference.Method).OriginalDefinition;
        var hopMethod = HopIdentity.Find(definition, out var attribute);
        var dispatch = HopDispatch.Targets(definition, _compilation);
        if (hopMethod is null && dispatch.IsEmpty)
        {
            return;
        }

        Interlocked.Increment(ref _callSites);
        var key = HopDispatch.CallKey(hopMethod, attribute, dispatch);
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.CallNotIntercepted, reference.Syntax.GetLocation(), key, InterceptionRules.MethodGroupReason));
    }

    /// <summary>
    /// SEC0103: the body of a method that stands for a hop (its own <c>[Sec0Hop]</c>, or one it overrides or
    /// implements) does not start with <c>HopGuard.Enter()</c>. Hops the generator leaves alone (SEC0102) are
    /// not asked for one.
    /// </summary>
    public void AnalyzeHopBody(SyntaxNodeAnalysisContext context)
    {
        var declaration = (MethodDeclarationSyntax)context.Node;

        // Only a method with a body and a hop's name (an override or implementation keeps the name) can be a hop body.
        if ((declaration.Body is null && declaration.ExpressionBody is null)
            || !HopNameIndex.For(_compilation).MayBeHop(declaration.Identifier.ValueText)
            || StartsWithGuard(declaration, context.SemanticModel, context.CancellationToken)
            || context.SemanticModel.GetDeclaredSymbol(declaration, context.CancellationToken) is not { } method
            || HopGuardCalls.GuardedHop(method, out var attribute) is not { } hop
            || InterceptionRules.DeclarationSkipReason(hop, _compilation) is not null
            || InterceptionRules.HasErrors(method))
        {
            return;
        }

        var key = SharedHops.Key(attribute!, hop);
        var properties = ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.HopKey, key);
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingHopGuard, declaration.Identifier.GetLocation(), properties, key));
    }

    private static bool StartsWithGuard(MethodDeclarationSyntax declaration, SemanticModel semanticModel, CancellationToken cancellationToken)
        => declaration.Body is { Statements.Count: > 0 } body
            && HopGuardCalls.LooksLikeGuard(body.Statements[0])
            && semanticModel.GetSymbolInfo(((ExpressionStatementSyntax)body.Statements[0]).Expression, cancellationToken).Symbol is IMethodSymbol called
            && HopGuardCalls.IsGuardMethod(called);

    /// <summary>SEC0104: a <c>HopGuard.Enter()</c> the generator does not bind, which always throws.</summary>
    private void AnalyzeGuardCall(OperationAnalysisContext context, IInvocationOperation invocation)
    {
        string? reason = null;
        if (invocation.Syntax is not InvocationExpressionSyntax syntax || !InterceptionRules.IsCandidateCallee(syntax))
        {
            reason = "it is not written as a plain call (HopGuard.Enter();)";
        }
        else if (HopGuardCalls.EnclosingMethod(syntax) is not { } declaration)
        {
            reason = "it is not in the body of a method (a lambda, local function, accessor or other member runs at another time than the hop's call)";
        }
        else if (invocation.SemanticModel!.GetDeclaredSymbol(declaration, context.CancellationToken) is not { } method
            || HopGuardCalls.GuardedHop(method, out _) is null)
        {
            reason = "the method is not a [Sec0Hop] method and neither overrides nor implements one (or it is an explicit interface implementation with its own [Sec0Hop], which is not a hop)";
        }

        if (reason is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnboundHopGuard, invocation.Syntax.GetLocation(), reason));
        }
    }

    /// <summary>SEC0004, SEC0005, SEC0007: found while parsing, reported at the YAML's own positions.</summary>
    public void ReportConfigProblems(Action<Diagnostic> report)
    {
        if (_config is null)
        {
            return;
        }

        foreach (var problem in _config.Problems)
        {
            report(Diagnostic.Create(problem.Descriptor, _config.CreateLocation(problem.Span, problem.LineSpan), problem.Message));
        }
    }

    /// <summary>What needs every hop of the compilation: SEC0006, SEC0002, and the SEC0000 scorecard.</summary>
    public void OnCompilationEnd(CompilationAnalysisContext context)
    {
        var hops = _hops.ToArray();
        if (_config is null)
        {
            if (hops.Length > 0)
            {
                // "The first hop": first by file, then by position, so the build output is stable.
                var first = hops
                    .OrderBy(hop => hop.Location.SourceTree?.FilePath ?? string.Empty, StringComparer.Ordinal)
                    .ThenBy(hop => hop.Location.SourceSpan.Start)
                    .First();
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ConfigFileMissing, first.Location));
            }
        }
        else if (_config.IsValidYaml)
        {
            var keys = new HashSet<string>(hops.Select(hop => hop.Key), StringComparer.Ordinal);
            foreach (var entry in _config.Hops)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                if (!keys.Contains(entry.Key) && !ReferencedHopKeys.Contains(_compilation, entry.Key))
                {
                    var properties = ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.HopKey, entry.Key);
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.StaleHopEntry, _config.CreateLocation(entry.KeySpan, entry.KeyLineSpan), properties, entry.Key));
                }
            }
        }

        if (hops.Length > 0 || _callSites > 0)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.Scorecard, Location.None, Volatile.Read(ref _interceptedCallSites), Volatile.Read(ref _callSites)));
        }
    }

    /// <summary>The invoked name, where the generator's interceptable location points.</summary>
    private static Location CallLocation(IInvocationOperation invocation) => invocation.Syntax switch
    {
        InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax memberAccess } => memberAccess.Name.GetLocation(),
        InvocationExpressionSyntax { Expression: MemberBindingExpressionSyntax memberBinding } => memberBinding.Name.GetLocation(),
        InvocationExpressionSyntax { Expression: SimpleNameSyntax name } => name.GetLocation(),
        _ => invocation.Syntax.GetLocation(),
    };
}
