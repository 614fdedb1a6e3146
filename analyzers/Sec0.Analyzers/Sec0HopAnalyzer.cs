using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Sec0.Analyzers.Config;
using SharedHops = Sec0.Generators.Parsing.Hops;

namespace Sec0.Analyzers;

/// <summary>
/// Checks <c>[Sec0Hop]</c> methods and their calls against sec0.config.yaml (SEC0001-SEC0007) and against
/// what the generator can intercept (SEC0101, SEC0102), checks the hops' guards (SEC0103, SEC0104), and reports
/// the interception scorecard (SEC0000).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class Sec0HopAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.Scorecard,
        DiagnosticDescriptors.MissingHopEntry,
        DiagnosticDescriptors.StaleHopEntry,
        DiagnosticDescriptors.HopTypeMismatch,
        DiagnosticDescriptors.InvalidHopEntry,
        DiagnosticDescriptors.InvalidEnvironment,
        DiagnosticDescriptors.ConfigFileMissing,
        DiagnosticDescriptors.InvalidYaml,
        DiagnosticDescriptors.CallNotIntercepted,
        DiagnosticDescriptors.UnsupportedHopShape,
        DiagnosticDescriptors.MissingHopGuard,
        DiagnosticDescriptors.UnboundHopGuard);

    public override void Initialize(AnalysisContext context)
    {
        // Generated code: the generator's own interceptors call hops by design.
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(OnCompilationStart);
    }

    private static void OnCompilationStart(CompilationStartAnalysisContext context)
    {
        // Nothing to check in a project that does not reference the runtime.
        if (context.Compilation.GetTypeByMetadataName(SharedHops.HopAttributeMetadataName) is null)
        {
            return;
        }

        // The YAML is parsed here, once per compilation; every action below reads the same document.
        var configFile = ConfigFiles.Find(context.Options.AdditionalFiles);
        ConfigDocument? config = null;
        if (configFile?.GetText(context.CancellationToken) is { } text)
        {
            config = ConfigDocumentParser.Parse(configFile.Path, text, context.CancellationToken);
        }

        var analysis = new HopCompilationAnalysis(context.Compilation, config);
        context.RegisterSymbolAction(analysis.AnalyzeMethod, SymbolKind.Method);
        context.RegisterSyntaxNodeAction(analysis.AnalyzeFunctionWithAttributes, SyntaxKind.LocalFunctionStatement, SyntaxKind.ParenthesizedLambdaExpression);
        context.RegisterSyntaxNodeAction(analysis.AnalyzeHopBody, SyntaxKind.MethodDeclaration);
        context.RegisterOperationAction(analysis.AnalyzeInvocation, OperationKind.Invocation);
        context.RegisterOperationAction(analysis.AnalyzeMethodReference, OperationKind.MethodReference);
        if (configFile is not null && config is not null)
        {
            context.RegisterAdditionalFileAction(fileContext =>
            {
                if (ReferenceEquals(fileContext.AdditionalFile, configFile))
                {
                    analysis.ReportConfigProblems(fileContext.ReportDiagnostic);
                }
            });
        }

        context.RegisterCompilationEndAction(analysis.OnCompilationEnd);
    }
}
