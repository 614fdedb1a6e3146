using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Sec0.Gateway.Reviewing;

/// <summary>
/// Builds the reviewer page's HTML. Everything that comes from a call, a person or a store goes through
/// <see cref="Text"/>, which encodes it; <see cref="Raw"/> takes only the page's own constant markup.
/// </summary>
internal sealed class ReviewerHtml
{
    // Every range allowed keeps names and notes readable in the source; <, >, &, quotes and the like are still encoded.
    private static readonly HtmlEncoder s_encoder = HtmlEncoder.Create(UnicodeRanges.All);
    private readonly StringBuilder _html = new(4096);

    public ReviewerHtml Raw(string markup)
    {
        _html.Append(markup);
        return this;
    }

    public ReviewerHtml Text(string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            s_encoder.Encode(new StringWriter(_html), value);
        }

        return this;
    }

    public ReviewerHtml Element(string tag, string? value, string? cssClass = null)
    {
        _html.Append('<').Append(tag);
        if (cssClass is not null)
        {
            _html.Append(" class=\"").Append(cssClass).Append('"');
        }

        _html.Append('>');
        Text(value);
        _html.Append("</").Append(tag).Append('>');
        return this;
    }

    public static string Encode(string value) => s_encoder.Encode(value);

    public override string ToString() => _html.ToString();
}
