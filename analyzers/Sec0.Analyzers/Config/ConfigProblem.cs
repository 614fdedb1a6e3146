using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Sec0.Analyzers.Config;

/// <summary>A rule the config file breaks by itself (SEC0004, SEC0005, SEC0007), with where it is.</summary>
internal sealed class ConfigProblem
{
    public ConfigProblem(DiagnosticDescriptor descriptor, string message, TextSpan span, LinePositionSpan lineSpan)
    {
        Descriptor = descriptor;
        Message = message;
        Span = span;
        LineSpan = lineSpan;
    }

    public DiagnosticDescriptor Descriptor { get; }

    /// <summary>The runtime loader's text for the same problem.</summary>
    public string Message { get; }

    public TextSpan Span { get; }

    public LinePositionSpan LineSpan { get; }
}
