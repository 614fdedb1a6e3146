using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Sec0.Generators.Parsing
{
    /// <summary>
    /// The "declaration surface" of a compilation: everything of its syntax trees that code in another
    /// file can observe when it binds (types, member signatures, attributes, usings, field/enum/parameter
    /// initializers, directives) plus its references and options. Member bodies are left out.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Soundness: how an invocation in tree T binds (and everything the call-site model holds) depends on
    /// T's own text, on the symbols other trees declare, on the references and on the options. A method,
    /// constructor, destructor, operator or accessor body (block or expression body) declares nothing
    /// visible outside itself: its locals, local functions and lambdas are scoped to it, and C# infers no
    /// member type from a body. So if T is the same tree object and the <see cref="SurfaceVersion"/> is
    /// equal, binding in T gives the same result and a model computed earlier can be reused.
    /// </para>
    /// <para>
    /// Where a body does leak, it is kept in the surface: bodies of members of types with a primary
    /// constructor (a captured parameter becomes a field, which changes e.g. whether a struct is
    /// unmanaged), accessor and property bodies that mention <c>field</c> (a synthesized backing field),
    /// top-level statements (kept whole), and all preprocessor directives of the tree (a <c>#nullable</c>
    /// inside a body applies to the declarations after it). Whether a body is present at all (<c>;</c>
    /// versus a body: partial, abstract, interface, auto-property) stays visible as a marker.
    /// </para>
    /// </remarks>
    internal static class DeclarationSurface
    {
        private static readonly ConditionalWeakTable<SyntaxTree, TreeSurface> s_byTree = new();

        /// <summary>The surface of one tree; computed once per tree object (unchanged trees are reused across compilations).</summary>
        public static TreeSurface Of(SyntaxTree tree) => s_byTree.GetValue(tree, static t => Compute(t));

        /// <summary>Tests count how often a tree's surface is computed.</summary>
        internal static int ComputeCount;

        private static TreeSurface Compute(SyntaxTree tree)
        {
            Interlocked.Increment(ref ComputeCount);
            var root = tree.GetRoot();
            var text = new StringBuilder();
            foreach (var item in root.DescendantNodesAndTokens(static n => !IsHiddenBody(n)))
            {
                if (item.IsToken)
                {
                    var token = item.AsToken();
                    text.Append('\u0002').Append(token.RawKind).Append(' ').Append(token.Text);
                }
                else
                {
                    // Node kinds keep the structure (and mark where a hidden body was).
                    text.Append('\u0001').Append(item.RawKind);
                }
            }

            if (root is CompilationUnitSyntax unit)
            {
                for (var directive = unit.GetFirstDirective(); directive is not null; directive = directive.GetNextDirective())
                {
                    text.Append('\u0003').Append(directive.ToString());
                }
            }

            byte[] digest;
            using (var sha = SHA256.Create())
            {
                digest = sha.ComputeHash(Encoding.UTF8.GetBytes(text.ToString()));
            }

            return new TreeSurface(
                BitConverter.ToUInt64(digest, 0),
                BitConverter.ToUInt64(digest, 8),
                BitConverter.ToUInt64(digest, 16),
                BitConverter.ToUInt64(digest, 24),
                tree.Options);
        }

        /// <summary>A member body whose content no other file can observe (see the remarks of the class).</summary>
        internal static bool IsHiddenBody(SyntaxNode node)
        {
            bool mayMentionField;
            switch (node)
            {
                case BlockSyntax { Parent: BaseMethodDeclarationSyntax }:
                case ArrowExpressionClauseSyntax { Parent: BaseMethodDeclarationSyntax }:
                    mayMentionField = false;
                    break;
                case BlockSyntax { Parent: AccessorDeclarationSyntax }:
                case ArrowExpressionClauseSyntax { Parent: AccessorDeclarationSyntax or BasePropertyDeclarationSyntax }:
                    mayMentionField = true;
                    break;
                default:
                    return false;
            }

            for (var current = node.Parent; current is not null; current = current.Parent)
            {
                if (current is TypeDeclarationSyntax { ParameterList: not null })
                {
                    return false;
                }
            }

            if (mayMentionField)
            {
                foreach (var token in node.DescendantTokens())
                {
                    if (token.ValueText == "field")
                    {
                        return false;
                    }
                }
            }

            return true;
        }
    }

    /// <summary>The SHA-256 of one tree's declaration surface, and the tree's parse options.</summary>
    internal sealed class TreeSurface : IEquatable<TreeSurface>
    {
        private readonly ulong _h0, _h1, _h2, _h3;

        public TreeSurface(ulong h0, ulong h1, ulong h2, ulong h3, ParseOptions options)
        {
            _h0 = h0;
            _h1 = h1;
            _h2 = h2;
            _h3 = h3;
            Options = options;
        }

        public ParseOptions Options { get; }

        public bool Equals(TreeSurface? other)
            => other is not null && (ReferenceEquals(this, other)
                || (_h0 == other._h0 && _h1 == other._h1 && _h2 == other._h2 && _h3 == other._h3 && (ReferenceEquals(Options, other.Options) || Options.Equals(other.Options))));

        public override bool Equals(object? obj) => Equals(obj as TreeSurface);

        public override int GetHashCode() => unchecked((int)_h0);
    }

    /// <summary>
    /// The semantic surface of a compilation: every tree's <see cref="TreeSurface"/> in order, the
    /// references (by metadata identity; a compilation reference by the surface of that compilation) and
    /// the assembly name and options. Equal versions bind an unchanged tree the same way.
    /// </summary>
    /// <remarks>
    /// Versions are interned (a few recent ones), so equal versions are usually the same object and a
    /// cache entry is checked by reference. Nothing here holds a compilation, tree or metadata.
    /// </remarks>
    internal sealed class SurfaceVersion : IEquatable<SurfaceVersion>
    {
        private const int InternedCapacity = 32;

        private static readonly ConditionalWeakTable<Compilation, SurfaceVersion> s_byCompilation = new();
        private static readonly List<SurfaceVersion> s_interned = new();

        private readonly string? _assemblyName;
        private readonly CompilationOptions _options;
        private readonly TreeSurface[] _trees;
        private readonly object[] _references;
        private readonly MetadataReferenceProperties[] _referenceProperties;
        private readonly int _hashCode;

        private SurfaceVersion(string? assemblyName, CompilationOptions options, TreeSurface[] trees, object[] references, MetadataReferenceProperties[] referenceProperties)
        {
            _assemblyName = assemblyName;
            _options = options;
            _trees = trees;
            _references = references;
            _referenceProperties = referenceProperties;
            var hash = StringComparer.Ordinal.GetHashCode(assemblyName ?? string.Empty);
            foreach (var tree in trees)
            {
                hash = unchecked((hash * 31) + tree.GetHashCode());
            }

            _hashCode = unchecked((hash * 31) + references.Length);
        }

        /// <summary>The (interned) version of a compilation; computed once per compilation object.</summary>
        public static SurfaceVersion For(Compilation compilation) => s_byCompilation.GetValue(compilation, static c => Intern(Compute(c)));

        private static SurfaceVersion Compute(Compilation compilation)
        {
            var trees = new List<TreeSurface>();
            foreach (var tree in compilation.SyntaxTrees)
            {
                trees.Add(DeclarationSurface.Of(tree));
            }

            var references = new List<object>();
            var properties = new List<MetadataReferenceProperties>();
            foreach (var reference in compilation.References)
            {
                references.Add(ReferenceIdentity(reference));
                properties.Add(reference.Properties);
            }

            // A script's previous submission is not part of the key: never equal to another version.
            if (compilation.ScriptCompilationInfo is not null)
            {
                references.Add(new object());
                properties.Add(default);
            }

            return new SurfaceVersion(compilation.AssemblyName, compilation.Options, trees.ToArray(), references.ToArray(), properties.ToArray());
        }

        private static object ReferenceIdentity(MetadataReference reference)
        {
            try
            {
                switch (reference)
                {
                    case CompilationReference compilationReference:
                        // Another project of the solution: equal when its surface is (body edits there don't count).
                        return For(compilationReference.Compilation);
                    case PortableExecutableReference portable:
                        // Identifies the loaded metadata itself, not the file path.
                        return portable.GetMetadataId();
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Unreadable metadata: fall through to an identity that equals nothing.
            }

            return new object();
        }

        private static SurfaceVersion Intern(SurfaceVersion version)
        {
            lock (s_interned)
            {
                for (var i = 0; i < s_interned.Count; i++)
                {
                    var existing = s_interned[i];
                    if (existing.Equals(version))
                    {
                        s_interned.RemoveAt(i);
                        s_interned.Insert(0, existing);
                        return existing;
                    }
                }

                s_interned.Insert(0, version);
                if (s_interned.Count > InternedCapacity)
                {
                    s_interned.RemoveAt(s_interned.Count - 1);
                }

                return version;
            }
        }

        public bool Equals(SurfaceVersion? other)
        {
            if (ReferenceEquals(this, other))
            {
                return true;
            }

            if (other is null
                || _hashCode != other._hashCode
                || _trees.Length != other._trees.Length
                || _references.Length != other._references.Length
                || !string.Equals(_assemblyName, other._assemblyName, StringComparison.Ordinal)
                || !(ReferenceEquals(_options, other._options) || _options.Equals(other._options)))
            {
                return false;
            }

            for (var i = 0; i < _trees.Length; i++)
            {
                if (!_trees[i].Equals(other._trees[i]))
                {
                    return false;
                }
            }

            for (var i = 0; i < _references.Length; i++)
            {
                // Metadata ids and interned versions compare by reference.
                if (!ReferenceEquals(_references[i], other._references[i]) || !_referenceProperties[i].Equals(other._referenceProperties[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public override bool Equals(object? obj) => Equals(obj as SurfaceVersion);

        public override int GetHashCode() => _hashCode;
    }
}

namespace Sec0.Generators.Parsing
{
    /// <summary>
    /// Models computed from a syntax node, reused while the node (so its tree) is the same object and the
    /// compilation's <see cref="SurfaceVersion"/> is equal. Keyed weakly by node; each slot holds an
    /// immutable entry that is replaced whole, so concurrent generator runs are safe.
    /// </summary>
    internal sealed class SurfaceCache<TNode, TModel>
        where TNode : SyntaxNode
        where TModel : class
    {
        private readonly ConditionalWeakTable<TNode, Slot> _slots = new();

        public bool TryGet(TNode node, SurfaceVersion version, out TModel? model)
        {
            if (_slots.TryGetValue(node, out var slot) && slot.Current is { } entry)
            {
                if (ReferenceEquals(entry.Version, version))
                {
                    model = entry.Model;
                    return true;
                }

                if (entry.Version.Equals(version))
                {
                    // An equal version that is not the interned object (evicted meanwhile): adopt it.
                    slot.Current = new Entry(version, entry.Model);
                    model = entry.Model;
                    return true;
                }
            }

            model = null;
            return false;
        }

        public void Store(TNode node, SurfaceVersion version, TModel? model)
            => _slots.GetOrCreateValue(node).Current = new Entry(version, model);

        private sealed class Slot
        {
            public volatile Entry? Current;
        }

        private sealed class Entry
        {
            public Entry(SurfaceVersion version, TModel? model)
            {
                Version = version;
                Model = model;
            }

            public SurfaceVersion Version { get; }

            public TModel? Model { get; }
        }
    }
}
