using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Sec0.Generators.Model;

namespace Sec0.Generators.Parsing;

/// <summary>Where a call is and how an <c>[InterceptsLocation]</c> names it; makes the call's model.</summary>
internal readonly struct CallSite
{
    private readonly string _filePath;
    private readonly int _position;
    private readonly int _line;
    private readonly int _column;
    private readonly int _version;
    private readonly string _data;
    private readonly string _display;
    private readonly string _attributeSyntax;

    private CallSite(string filePath, int position, int line, int column, int version, string data, string display, string attributeSyntax, bool isInterceptable)
    {
        _filePath = filePath;
        _position = position;
        _line = line;
        _column = column;
        _version = version;
        _data = data;
        _display = display;
        _attributeSyntax = attributeSyntax;
        IsInterceptable = isInterceptable;
    }

    /// <summary>False when the compiler gives the call no interceptable location.</summary>
    public bool IsInterceptable { get; }

    public static CallSite Locate(InvocationExpressionSyntax invocation, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        var tree = invocation.SyntaxTree;
        var nameSpan = NameSpan(invocation);
        var linePosition = tree.GetLineSpan(nameSpan, cancellationToken).StartLinePosition;

#pragma warning disable RSEXPERIMENTAL002 // GetInterceptableLocation is the supported API for InterceptsLocation data.
        var location = semanticModel.GetInterceptableLocation(invocation, cancellationToken);
        return new CallSite(
            tree.FilePath,
            nameSpan.Start,
            linePosition.Line + 1,
            linePosition.Character + 1,
            location?.Version ?? 0,
            location?.Data ?? string.Empty,
            location?.GetDisplayLocation() ?? string.Empty,
            location?.GetInterceptsLocationAttributeSyntax() ?? string.Empty,
            location is not null);
#pragma warning restore RSEXPERIMENTAL002
    }

    public CallSiteModel Model(string hopKey, TargetModel? target, EquatableArray<DescriptorModel> externalHops, string? skipReason)
        => new(_filePath, _position, _line, _column, hopKey, _version, _data, _display, _attributeSyntax, target, externalHops, skipReason);

    /// <summary>The simple name the interceptable location points at (for sorting and display).</summary>
    private static TextSpan NameSpan(InvocationExpressionSyntax invocation) => invocation.Expression switch
    {
        MemberAccessExpressionSyntax memberAccess => memberAccess.Name.Span,
        MemberBindingExpressionSyntax memberBinding => memberBinding.Name.Span,
        _ => invocation.Expression.Span,
    };
}
