using System;
using System.Globalization;
using System.Text;

namespace Sec0.Generators.Emitting;

/// <summary>
/// Writes C# source line by line with the indentation kept for the caller (four spaces a level), in the
/// manner of dotnet/runtime's generator SourceWriter. Lines end in <c>\n</c> on every platform, and an
/// empty line (<see cref="WriteLine()"/>) carries no indentation, so the output is the same byte for byte everywhere.
/// </summary>
/// <remarks>
/// Text passed to <see cref="Write(string)"/> is appended as it is: a line break inside it starts no
/// indented line. Line breaks are written with <see cref="WriteLine()"/>.
/// </remarks>
internal sealed class SourceWriter
{
    private const int SpacesPerLevel = 4;

    private readonly StringBuilder _builder;
    private bool _atLineStart = true;

    public SourceWriter(int capacity = 1024) => _builder = new StringBuilder(capacity);

    /// <summary>The current indentation level (levels of four spaces).</summary>
    public int Indentation { get; private set; }

    /// <summary>Indents the lines that follow one level deeper.</summary>
    public void Indent() => Indentation++;

    /// <summary>Indents the lines that follow one level less.</summary>
    public void Unindent()
    {
        if (Indentation == 0)
        {
            throw new InvalidOperationException("The indentation is already zero.");
        }

        Indentation--;
    }

    /// <summary>Appends text to the current line, indenting the line first if nothing is on it yet.</summary>
    public SourceWriter Write(string text)
    {
        StartLine();
        _builder.Append(text);
        return this;
    }

    /// <summary>Appends a character to the current line, indenting the line first if nothing is on it yet.</summary>
    public SourceWriter Write(char value)
    {
        StartLine();
        _builder.Append(value);
        return this;
    }

    /// <summary>Appends a number (invariant culture) to the current line.</summary>
    public SourceWriter Write(int value) => Write(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Appends text and ends the line.</summary>
    public void WriteLine(string text)
    {
        Write(text);
        WriteLine();
    }

    /// <summary>Ends the current line; at the start of a line, writes an empty line (without indentation).</summary>
    public void WriteLine()
    {
        _builder.Append('\n');
        _atLineStart = true;
    }

    /// <summary>Writes <c>{</c> on its own line and indents the lines that follow.</summary>
    public void OpenBlock()
    {
        WriteLine("{");
        Indent();
    }

    /// <summary>Un-indents and writes <c>}</c> on its own line.</summary>
    public void CloseBlock()
    {
        Unindent();
        WriteLine("}");
    }

    /// <summary>The source written so far.</summary>
    public override string ToString() => _builder.ToString();

    private void StartLine()
    {
        if (_atLineStart)
        {
            _builder.Append(' ', Indentation * SpacesPerLevel);
            _atLineStart = false;
        }
    }
}
