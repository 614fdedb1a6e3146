using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Sec0.Generators.Parsing;

/// <summary>
/// The names of all hop methods a compilation can call: declared in its syntax trees (found
/// syntactically) or in referenced assemblies that reference the Sec0 runtime. The call-site
/// transform checks the invoked name against it before binding, so the invocations of a project
/// that are not hop calls (nearly all of them) cost no semantic work when the generator re-runs.
/// </summary>
/// <remarks>
/// Side caches keyed weakly by objects the compiler reuses between edits (unchanged syntax trees,
/// metadata assembly symbols); nothing here flows through the incremental pipeline.
/// </remarks>
internal sealed class HopNameIndex
{
    private static readonly ConditionalWeakTable<Compilation, HopNameIndex> s_byCompilation = new();
    private static readonly ConditionalWeakTable<SyntaxTree, TreeNames> s_byTree = new();
    private static readonly ConditionalWeakTable<IAssemblySymbol, string[]> s_byAssembly = new();

    /// <summary>Null when any name may be a hop (an alias of the attribute was seen).</summary>
    private readonly HashSet<string>? _names;

    private HopNameIndex(HashSet<string>? names) => _names = names;

    public static HopNameIndex For(Compilation compilation) => s_byCompilation.GetValue(compilation, static c => Build(c));

    public bool MayBeHop(string methodName) => _names is null || _names.Contains(methodName);

    private static HopNameIndex Build(Compilation compilation)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tree in compilation.SyntaxTrees)
        {
            var treeNames = s_byTree.GetValue(tree, static t => ScanTree(t));
            if (treeNames.AliasesAttribute)
            {
                return new HopNameIndex(null);
            }

            names.UnionWith(treeNames.Names);
        }

        foreach (var assembly in compilation.SourceModule.ReferencedAssemblySymbols)
        {
            names.UnionWith(s_byAssembly.GetValue(assembly, static a => ScanAssembly(a)));
        }

        return new HopNameIndex(names);
    }

    private sealed class TreeNames
    {
        public TreeNames(string[] names, bool aliasesAttribute)
        {
            Names = names;
            AliasesAttribute = aliasesAttribute;
        }

        public string[] Names { get; }

        public bool AliasesAttribute { get; }
    }

    private static TreeNames ScanTree(SyntaxTree tree)
    {
        var names = new List<string>();
        var aliases = false;

        // Declarations only: never descend into member bodies.
        foreach (var node in tree.GetRoot().DescendantNodes(static n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax))
        {
            switch (node)
            {
                case UsingDirectiveSyntax { Alias: not null } alias when IsHopAttributeName(alias.Name):
                    aliases = true;
                    break;
                case MethodDeclarationSyntax method when HasHopAttribute(method):
                    names.Add(method.Identifier.ValueText);
                    break;
            }
        }

        return new TreeNames(names.ToArray(), aliases);
    }

    private static bool HasHopAttribute(MethodDeclarationSyntax method)
    {
        foreach (var list in method.AttributeLists)
        {
            foreach (var attribute in list.Attributes)
            {
                if (IsHopAttributeName(attribute.Name))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>True when an attribute's written name is Sec0Hop (any qualification); shared with the analyzer.</summary>
    internal static bool IsHopAttributeName(NameSyntax? name)
    {
        var simple = name switch
        {
            QualifiedNameSyntax qualified => qualified.Right,
            AliasQualifiedNameSyntax aliased => aliased.Name,
            SimpleNameSyntax s => s,
            _ => null,
        };

        var text = simple?.Identifier.ValueText;
        return text is "Sec0Hop" or "Sec0HopAttribute";
    }

    /// <summary>
    /// The ordinary methods with <c>[Sec0Hop]</c> declared in a referenced assembly; none unless it was compiled
    /// against the Sec0 runtime (only such assemblies can declare hops). Shared with the analyzers.
    /// </summary>
    internal static IEnumerable<IMethodSymbol> HopMethodsOf(IAssemblySymbol assembly)
    {
        if (!ReferencesRuntime(assembly))
        {
            yield break;
        }

        var stack = new Stack<INamespaceOrTypeSymbol>();
        stack.Push(assembly.GlobalNamespace);
        while (stack.Count > 0)
        {
            foreach (var member in stack.Pop().GetMembers())
            {
                switch (member)
                {
                    case INamespaceOrTypeSymbol container:
                        stack.Push(container);
                        break;
                    case IMethodSymbol { MethodKind: MethodKind.Ordinary } method when Hops.FindHopAttribute(method) is not null:
                        yield return method;
                        break;
                }
            }
        }
    }

    private static bool ReferencesRuntime(IAssemblySymbol assembly)
    {
        foreach (var module in assembly.Modules)
        {
            foreach (var referenced in module.ReferencedAssemblies)
            {
                if (referenced.Name == "Sec0.Instrumentation")
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string[] ScanAssembly(IAssemblySymbol assembly)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var method in HopMethodsOf(assembly))
        {
            names.Add(method.Name);
        }

        var result = new string[names.Count];
        names.CopyTo(result);
        return result;
    }
}
