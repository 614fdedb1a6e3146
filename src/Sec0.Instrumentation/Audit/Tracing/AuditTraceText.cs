using System.Globalization;
using System.Text;

namespace Sec0.Audit.Tracing;

/// <summary>Text helpers of the trace renderers: log values made safe for a terminal, times and latencies.</summary>
internal static class AuditTraceText
{
    /// <summary>
    /// <paramref name="value"/> as plain visible text: control characters (C0, DEL, C1: ESC starts a terminal's
    /// escape sequences, CR and BS overwrite what was printed), bidirectional overrides and invisible formatting
    /// characters (which reorder or hide text), and lone surrogates are written as <c>\xHH</c> or <c>\uHHHH</c>;
    /// longer than <paramref name="maxChars"/>, it is cut with an ellipsis. Whoever names a tool controls the text.
    /// </summary>
    public static string Printable(string value, int maxChars)
    {
        var clean = true;
        foreach (var c in value)
        {
            if (NeedsEscape(c) || char.IsSurrogate(c))
            {
                clean = false;
                break;
            }
        }

        if (clean && value.Length <= maxChars)
        {
            return value;
        }

        var text = new StringBuilder(Math.Min(value.Length, maxChars) + 8);
        for (var i = 0; i < value.Length; i++)
        {
            if (text.Length >= maxChars)
            {
                text.Append('…');
                break;
            }

            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                text.Append(c).Append(value[++i]);
            }
            else if (c < 0x100 && NeedsEscape(c))
            {
                text.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else if (NeedsEscape(c) || char.IsSurrogate(c))
            {
                text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    private static bool NeedsEscape(char c) => c switch
    {
        < ' ' or '\x7f' => true,
        >= '\x80' and <= '\x9f' => true,
        '\u061c' or '\ufeff' => true,
        >= '\u200b' and <= '\u200f' => true,
        >= '\u2028' and <= '\u202e' => true,
        >= '\u2060' and <= '\u2069' => true,
        _ => false,
    };

    /// <summary>A time as <c>2026-12-07 02:10:21.699Z</c> (UTC).</summary>
    public static string Time(DateTimeOffset time)
        => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A latency as <c>247.2 ms</c>, <c>0 ms</c>.</summary>
    public static string Latency(double milliseconds)
        => string.Create(CultureInfo.InvariantCulture, $"{Math.Round(milliseconds, 1):0.#} ms");

    /// <summary><c>ts</c> as a time; null when it is missing or not a date and time.</summary>
    public static DateTimeOffset? ParseTime(string? text)
        => text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;
}
