using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Sec0.Analyzers.Tests.Infrastructure;

/// <summary>
/// Runs a code fix the way the IDE does: an <see cref="AdhocWorkspace"/> project with the C# file and
/// sec0.config.yaml as an additional document, the analyzer's diagnostics, the provider's registered
/// action, and its operations applied to the workspace.
/// </summary>
internal sealed class CodeFixHarness : IDisposable
{
    public const string SourcePath = "/proj/Hops.cs";

    private readonly AdhocWorkspace _workspace = new();
    private readonly ProjectId _projectId = ProjectId.CreateNewId();
    private readonly DocumentId _sourceId;
    private readonly DocumentId _configId;

    public CodeFixHarness(string source, string yaml)
    {
        _sourceId = DocumentId.CreateNewId(_projectId);
        _configId = DocumentId.CreateNewId(_projectId);
        var solution = _workspace.CurrentSolution
            .AddProject(ProjectInfo.Create(
                _projectId,
                VersionStamp.Create(),
                "App",
                "App",
                LanguageNames.CSharp,
                compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
                parseOptions: AnalyzerHarness.ParseOptions,
                metadataReferences: AnalyzerHarness.References))
            .AddDocument(_sourceId, "Hops.cs", SourceText.From(source), filePath: SourcePath)
            .AddAdditionalDocument(_configId, "sec0.config.yaml", SourceText.From(yaml), filePath: AnalyzerHarness.ConfigPath);
        Assert.True(_workspace.TryApplyChanges(solution));
    }

    private Project Project => _workspace.CurrentSolution.GetProject(_projectId)!;

    public async Task<string> ConfigTextAsync() => (await Project.GetAdditionalDocument(_configId)!.GetTextAsync()).ToString();

    public async Task<string> SourceTextAsync() => (await Project.GetDocument(_sourceId)!.GetTextAsync()).ToString();

    /// <summary>The analyzer's diagnostics for the workspace's current state.</summary>
    public async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync()
    {
        var project = Project;
        var compilation = (await project.GetCompilationAsync())!;
        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new Sec0HopAnalyzer()), project.AnalyzerOptions);
        return await withAnalyzers.GetAnalyzerDiagnosticsAsync();
    }

    /// <summary>Finds the one diagnostic <paramref name="id"/>, registers the provider's fixes for it, applies the single action.</summary>
    public async Task<string> ApplyFixAsync(CodeFixProvider provider, string id)
    {
        var diagnostic = Assert.Single(await DiagnosticsAsync(), d => d.Id == id);
        Assert.Contains(id, provider.FixableDiagnosticIds);

        TextDocument document = diagnostic.Location.IsInSource
            ? Project.GetDocument(diagnostic.Location.SourceTree)!
            : Project.GetAdditionalDocument(_configId)!;
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await provider.RegisterCodeFixesAsync(context);

        var registered = Assert.Single(actions);
        foreach (var operation in await registered.GetOperationsAsync(CancellationToken.None))
        {
            operation.Apply(_workspace, CancellationToken.None);
        }

        return registered.Title;
    }

    /// <summary>Registers the provider's fixes for diagnostic <paramref name="id"/> and returns how many were offered.</summary>
    public async Task<int> CountFixesAsync(CodeFixProvider provider, string id)
    {
        var diagnostic = Assert.Single(await DiagnosticsAsync(), d => d.Id == id);
        TextDocument document = diagnostic.Location.IsInSource
            ? Project.GetDocument(diagnostic.Location.SourceTree)!
            : Project.GetAdditionalDocument(_configId)!;
        var count = 0;
        await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (_, _) => count++, CancellationToken.None));
        return count;
    }

    public void Dispose() => _workspace.Dispose();
}
