using System.Text;

namespace Sec0.Instrumentation.Tests.Support;

/// <summary>
/// Random mutations of a YAML file for the loaders' fuzz tests: byte flips, deletions, inserted
/// YAML-significant tokens, invalid UTF-8, replaced values, duplicated lines, deep nesting. Each test
/// brings its own vocabulary of tokens and values; the same seed gives the same mutations.
/// </summary>
internal sealed class YamlMutator(string[] tokens, string[] values, byte[][] invalidUtf8)
{
    private readonly string[] _tokens = tokens;
    private readonly string[] _values = values;
    private readonly byte[][] _invalidUtf8 = invalidUtf8;

    public byte[] Mutate(byte[] input, Random random)
    {
        var bytes = new List<byte>(input);
        var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count + 1);
        switch (random.Next(10))
        {
            case 0: // flip a byte
                if (bytes.Count > 0)
                {
                    bytes[Math.Min(at, bytes.Count - 1)] = (byte)random.Next(256);
                }

                break;
            case 1: // delete a span
                if (bytes.Count > 0)
                {
                    var start = Math.Min(at, bytes.Count - 1);
                    bytes.RemoveRange(start, Math.Min(1 + random.Next(20), bytes.Count - start));
                }

                break;
            case 2:
            case 3: // insert a YAML-significant token
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(_tokens[random.Next(_tokens.Length)]));
                break;
            case 4: // insert invalid UTF-8
                bytes.InsertRange(at, _invalidUtf8[random.Next(_invalidUtf8.Length)]);
                break;
            case 5: // truncate
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            case 6:
            case 7: // replace a value (text after ": " up to the end of the line) with an odd one
                return ReplaceLines(bytes, random, line =>
                {
                    var colon = line.IndexOf(": ", StringComparison.Ordinal);
                    return colon < 0 ? line : line[..(colon + 2)] + _values[random.Next(_values.Length)];
                });
            case 8: // duplicate a line
                return ReplaceLines(bytes, random, line => line + "\n" + line);
            default: // deep nesting
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(new string('[', 1 + random.Next(200))));
                break;
        }

        return [.. bytes];
    }

    /// <summary>Applies <paramref name="change"/> to one random line (bytes that are not UTF-8 are replaced).</summary>
    private static byte[] ReplaceLines(List<byte> bytes, Random random, Func<string, string> change)
    {
        var lines = Encoding.UTF8.GetString([.. bytes]).Split('\n');
        var index = random.Next(lines.Length);
        lines[index] = change(lines[index]);
        return Encoding.UTF8.GetBytes(string.Join('\n', lines));
    }
}
