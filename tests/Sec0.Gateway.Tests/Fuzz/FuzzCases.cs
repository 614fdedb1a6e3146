using System.Text;

namespace Sec0.Gateway.Tests.Fuzz;

/// <summary>
/// Makes fuzz requests from one seeded <see cref="Random"/>: the same seed gives the same requests. Each starts as a
/// valid call of the echo tool and gets one or two mutations of its body, path, headers or method.
/// </summary>
internal sealed class FuzzCases(int seed, long maxBodyBytes, int port)
{
    private readonly Random _random = new(seed);
    private readonly List<string> _usedKeys = [];

    private static readonly string[] s_hugeNumbers =
    [
        "1e400", "-1e400", "1E309", "123456789012345678901234567890123456789", "1e-400", "-0", "0.0000000000000000000000000001",
        "1.7976931348623157e308", "1.7976931348623159e308", "4.9e-324", "2.4e-324", "9007199254740993", "-9223372036854775809",
        "18446744073709551616", "1" + new string('0', 400), "0." + new string('0', 400) + "1", "1e99999999999", "1.5e+0010",
    ];

    private static readonly string[] s_traceparents =
    [
        "", "00", "garbage", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01",
        "00-00000000000000000000000000000000-b7ad6b7169203331-01", "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
        "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",
        "00-0af7651916cd43dd8448eb211c80319-b7ad6b7169203331-01", "00-zzf7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "00_0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331_01", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-zz",
        " 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01 ", new string('0', 5000),
    ];

    private static readonly string[] s_methods =
    [
        "GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "post", "Post", "FOO", "PROPFIND", "M-SEARCH", "POST2",
    ];

    private static readonly string[] s_rawMethods =
    [
        "CONNECT", "", "P@ST", "PO ST", "PO\u0001ST", "PÖST", "POST\t", new string('P', 600), "{}", "POST/",
    ];

    public FuzzRequest Next(int index)
    {
        while (true)
        {
            var request = new FuzzRequest { Index = index };
            request.Headers.Add(("x-idempotency-key", NewKey(index)));
            request.Body = Encoding.UTF8.GetBytes(ValidObject(3));

            var mutations = _random.Next(100) < 8 ? 2 : 1;
            var kinds = new List<string>();
            for (var i = 0; i < mutations; i++)
            {
                var roll = _random.Next(100);
                var kind = roll switch
                {
                    < 38 => MutateBody(request),
                    < 62 => MutatePath(request),
                    < 90 => MutateHeaders(request),
                    _ => MutateMethod(request),
                };
                kinds.Add(kind);
            }

            // A half-closed request may go unanswered (Kestrel takes the FIN as an abort), so it must surely reach the
            // gateway to be counted: it is never combined with a mutation the server itself might refuse.
            if (request.HalfClose && kinds.Count > 1)
            {
                continue;
            }

            return Finish(request, kinds);
        }
    }

    private FuzzRequest Finish(FuzzRequest request, List<string> kinds)
    {
        request.Kind = string.Join("+", kinds);
        request.ChunkSeed = _random.Next();
        if (request.Framing == FuzzFraming.ContentLength && request.DeclaredLength is null && !request.RequiresRaw && _random.Next(10) == 0)
        {
            request.Framing = FuzzFraming.Chunked;
        }

        return request;
    }

    private string NewKey(int index)
    {
        // Mostly fresh; now and then one used before (a replay, or 422 for other arguments).
        var key = _usedKeys.Count > 0 && _random.Next(25) == 0 ? _usedKeys[_random.Next(_usedKeys.Count)] : $"fuzz-{index}-{_random.Next():x}";
        _usedKeys.Add(key);
        return key;
    }

    private string MutateBody(FuzzRequest r)
    {
        switch (_random.Next(18))
        {
            case 0:
                r.Body = Encoding.UTF8.GetBytes(ValidObject(_random.Next(1, 6)));
                r.Description = "valid random object";
                return "body.valid";
            case 1:
                r.Body = RandomBytes(_random.Next(0, 400));
                r.Description = "random bytes";
                return "body.random";
            case 2:
            {
                var json = Encoding.UTF8.GetBytes(ValidObject(_random.Next(2, 6)));
                r.Body = json[..Math.Max(1, _random.Next(json.Length))];
                r.Description = "truncated JSON";
                return "body.truncated";
            }

            case 3:
            {
                int[] depths = [62, 63, 64, 65, 66, 70, 200, 3000];
                var depth = depths[_random.Next(depths.Length)];
                var objects = _random.Next(2) == 0;
                var inner = objects
                    ? string.Concat(Enumerable.Repeat("{\"a\":", depth - 1)) + "1" + new string('}', depth - 1)
                    : new string('[', depth - 1) + new string(']', depth - 1);
                r.Body = Encoding.UTF8.GetBytes("{\"d\":" + inner + "}");
                r.Description = $"nesting depth {depth} ({(objects ? "objects" : "arrays")})";
                return "body.deep";
            }

            case 4:
            {
                var number = s_hugeNumbers[_random.Next(s_hugeNumbers.Length)];
                r.Body = Encoding.UTF8.GetBytes(_random.Next(2) == 0 ? $"{{\"n\":{number}}}" : $"{{\"a\":[1,{{\"n\":{number}}}]}}");
                r.Description = "number " + FuzzRequest.Printable(number, 40);
                return "body.number";
            }

            case 5:
            {
                string[] duplicates = ["{\"a\":1,\"a\":2}", "{\"a\":1,\"a\":1}", "{\"x\":{\"b\":1,\"b\":[]}}", "{\"a\":1,\"\\u0061\":2}", "{\"\":1,\"\":2}", "{\"a\":[{\"k\":1,\"k\":2}]}"];
                r.Body = Encoding.UTF8.GetBytes(duplicates[_random.Next(duplicates.Length)]);
                r.Description = "duplicate members";
                return "body.duplicate";
            }

            case 6:
            {
                byte[][] invalid = [[0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xF0, 0x9F, 0x98]];
                var bad = invalid[_random.Next(invalid.Length)];
                var inName = _random.Next(2) == 0;
                r.Body = [.. (inName ? "{\""u8 : "{\"s\":\""u8).ToArray(), .. bad, .. (inName ? "\":1}"u8 : "\"}"u8).ToArray()];
                r.Description = "invalid UTF-8 " + Convert.ToHexString(bad) + (inName ? " in a name" : " in a value");
                return "body.utf8";
            }

            case 7:
            {
                string[] surrogates = ["{\"s\":\"\\ud800\"}", "{\"\\udc00\":1}", "{\"s\":\"\\udbff\\u0041\"}", "{\"s\":\"\\ud83d\\ude00\"}", "{\"s\":\"\\u0000\"}"];
                r.Body = Encoding.UTF8.GetBytes(surrogates[_random.Next(surrogates.Length)]);
                r.Description = "escaped surrogates / NUL";
                return "body.surrogate";
            }

            case 8:
            {
                byte[][] boms = [[0xEF, 0xBB, 0xBF], [0xFE, 0xFF], [0xFF, 0xFE], [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF], [0x00, 0x00, 0xFE, 0xFF]];
                var bom = boms[_random.Next(boms.Length)];
                r.Body = _random.Next(4) == 0 ? bom : [.. bom, .. "{\"a\":1}"u8.ToArray()];
                r.Description = "BOM " + Convert.ToHexString(bom);
                return "body.bom";
            }

            case 9:
            {
                string[] nonObjects = ["[]", "\"x\"", "1", "true", "null", "[{}]", "{} {}", "{}x", "{},", "{}}", "NaN", "{\"a\":NaN}", "{\"a\":Infinity}", "{/*c*/}", "{\"a\":1,}", "{'a':1}", "{a:1}", "{\"a\":01}", "{\"a\":.5}", "{\"a\":\"\t\"}"];
                r.Body = Encoding.UTF8.GetBytes(nonObjects[_random.Next(nonObjects.Length)]);
                r.Description = "not a JSON object / not JSON";
                return "body.nonobject";
            }

            case 10:
            {
                string[] blanks = ["", " ", "\r\n\t ", "\u000b", "\u00a0", "\u0000", "\u3000"];
                r.Body = Encoding.UTF8.GetBytes(blanks[_random.Next(blanks.Length)]);
                r.Description = "empty / white space";
                return "body.empty";
            }

            case 11:
            case 12:
            {
                var size = (int)maxBodyBytes + _random.Next(-2, 3) + (_random.Next(3) == 0 ? _random.Next(1, 60_000) : 0);
                r.Body = Encoding.UTF8.GetBytes("{\"a\":\"" + new string('x', Math.Max(0, size - 8)) + "\"}");
                r.Framing = _random.Next(2) == 0 ? FuzzFraming.Chunked : FuzzFraming.ContentLength;

                // Raw: the gateway answers 413 before the body is all sent and the connection closes, and HttpClient,
                // still sending, then reports a send error instead of the answer (the raw client reads while it writes).
                r.RequiresRaw = true;
                r.Description = $"body of {r.Body.Length} bytes (limit {maxBodyBytes})";
                return "body.oversized";
            }

            case 13:
            {
                // Framing the server must refuse: every one half-closes, so a server waiting for more data sees the end.
                string[] chunked =
                [
                    "zz\r\n{}\r\n0\r\n\r\n", "2\r\n{}\r\n", "2\r\n{}", "5\r\n{}\r\n0\r\n\r\n", "FFFFFFFFFFFFFFFFFF\r\n{}\r\n", "-1\r\n{}\r\n0\r\n\r\n",
                    "2;ext=1\r\n{}\r\n0\r\n\r\n", "2\n{}\n0\n\n", "0002\r\n{}\r\n0\r\n\r\n", "2\r\n{}XX0\r\n\r\n", "2 \r\n{}\r\n0\r\n\r\n", "",
                ];
                r.Framing = FuzzFraming.Custom;
                r.RawHeaderLines.Add("Transfer-Encoding: chunked"u8.ToArray());
                r.Body = Encoding.ASCII.GetBytes(chunked[_random.Next(chunked.Length)]);
                r.HalfClose = true;
                r.RequiresRaw = true;
                r.Description = "chunked framing";
                return "body.chunkframing";
            }

            case 14:
            {
                string?[] types = [null, "text/plain", "application/json; charset=utf-16", "application/problem+json", "application/json;;;", "APPLICATION/JSON", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "json", "", " ", "application/json, text/plain", "*/*", "application/jsonx", "application/+json"];
                r.ContentType = types[_random.Next(types.Length)];
                r.Description = "content type " + (r.ContentType ?? "(none)");
                return "body.contenttype";
            }

            case 15:
            {
                // Less than declared, then the sending side closes: the server sees the body end early.
                var json = Encoding.UTF8.GetBytes(ValidObject(3));
                r.Body = json[..Math.Max(0, _random.Next(json.Length))];
                r.DeclaredLength = json.Length + _random.Next(1, 100);
                r.HalfClose = true;
                r.RequiresRaw = true;
                r.Description = "body shorter than its Content-Length, then FIN";
                return "body.short";
            }

            case 16:
            {
                // Longer than declared: the rest is a second (pipelined) request on a connection that closes.
                r.Body = Encoding.UTF8.GetBytes("{\"a\":1}garbage-after-the-body");
                r.DeclaredLength = 7;
                r.RequiresRaw = true;
                r.Description = "bytes after the declared body";
                return "body.long";
            }

            default:
            {
                var text = RandomString(_random.Next(0, 300));
                r.Body = Encoding.UTF8.GetBytes(_random.Next(2) == 0 ? text : "{\"t\":\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"}");
                r.Description = "random text";
                return "body.text";
            }
        }
    }

    private string MutatePath(FuzzRequest r)
    {
        string[] parts = ["tools", "echo", "1.0.0"];
        switch (_random.Next(16))
        {
            case 0:
            {
                parts[_random.Next(3)] = PercentEncoded(RandomBytes(_random.Next(1, 20)));
                r.Target = $"/mcp/{parts[0]}/{parts[1]}@{parts[2]}";
                r.Description = "percent-encoded random bytes in a segment";
                return "path.encoded";
            }

            case 1:
            {
                string[] dots = ["/mcp/tools/../tools/echo@1.0.0", "/mcp/../mcp/tools/echo@1.0.0", "/mcp/tools/%2e%2e/echo@1.0.0", "/mcp/%2e%2e/tools/echo@1.0.0", "/mcp/tools/.%2e/echo@1.0.0", "/mcp/./tools/echo@1.0.0", "/mcp/tools/..@1.0.0", "/mcp/../../etc/passwd", "/../mcp/tools/echo@1.0.0", "/mcp/tools/echo@..", "/mcp/tools/echo@1.0.0/..", "/mcp/..%2ftools/echo@1.0.0"];
                r.Target = dots[_random.Next(dots.Length)];
                r.Description = "dot segments";
                return "path.dots";
            }

            case 2:
            {
                string[] slashes = ["/mcp/tools%2Fecho@1.0.0", "/mcp/tools/echo%2F@1.0.0", "/mcp%2ftools/echo@1.0.0", "/mcp/tools/echo@1.0.0%2f", "/mcp/tools%5Cecho@1.0.0", "/mcp/tools/echo%40@1.0.0", "/mcp/tools/echo%401.0.0"];
                r.Target = slashes[_random.Next(slashes.Length)];
                r.Description = "encoded separators";
                return "path.slash";
            }

            case 3:
            {
                string[] dots = ["/mcp/%2etools/echo@1.0.0", "/mcp/tools/%2eecho@1.0.0", "/mcp/tools/echo@%2e1.0.0", "/mcp/%2Etools/echo@1.0.0", "/mcp/.tools/echo@1.0.0", "/mcp/tools/.echo@1.0.0", "/mcp/tools/echo@.1"];
                r.Target = dots[_random.Next(dots.Length)];
                r.Description = "leading dots";
                return "path.dot";
            }

            case 4:
            {
                int[] lengths = [127, 128, 129, 1000, 4000, 9000];
                var length = lengths[_random.Next(lengths.Length)];
                parts[_random.Next(3)] = new string((char)('a' + _random.Next(26)), length);
                r.Target = $"/mcp/{parts[0]}/{parts[1]}@{parts[2]}";
                r.Description = $"segment of {length} characters";
                return "path.long";
            }

            case 5:
            {
                string[] ats = ["/mcp/tools/echo@@1.0.0", "/mcp/tools/echo@1@2", "/mcp/tools/@1.0.0", "/mcp/tools/echo@", "/mcp/tools/@", "/mcp/tools/@@@@", "/mcp/to@ols/echo@1.0.0", "/mcp/tools/" + new string('@', 300), "/mcp/tools/echo" + string.Concat(Enumerable.Repeat("@1", 100))];
                r.Target = ats[_random.Next(ats.Length)];
                r.Description = "many '@'";
                return "path.at";
            }

            case 6:
            {
                string[] empties = ["/mcp//echo@1.0.0", "/mcp/tools//echo@1.0.0", "//mcp/tools/echo@1.0.0", "/mcp/", "/mcp", "/", "/mcp///", "/mcp/tools/", "/mcp//@"];
                r.Target = empties[_random.Next(empties.Length)];
                r.Description = "empty segments";
                return "path.empty";
            }

            case 7:
            {
                r.Target = FuzzRequest.ValidTarget + new string('/', _random.Next(1, 4));
                r.Description = "trailing slashes";
                return "path.trailing";
            }

            case 8:
            {
                string[] queries = ["?a=1", "?", "?%zz", "?x=" + new string('q', 3000), "??", "?a=1&a=2", "?%00", "?a=%2F..%2F", "?/mcp/other/x@1"];
                r.Target = FuzzRequest.ValidTarget + queries[_random.Next(queries.Length)];
                r.Description = "query string";
                return "path.query";
            }

            case 9:
            {
                var random = new StringBuilder("/");
                var length = _random.Next(1, 80);
                for (var i = 0; i < length; i++)
                {
                    random.Append((char)_random.Next(0x21, 0x7f));
                }

                r.Target = _random.Next(2) == 0 ? random.ToString() : "/mcp/tools/" + random.ToString()[1..];
                r.RequiresRaw = true;
                r.Description = "random printable target";
                return "path.random";
            }

            case 10:
            {
                string[] cases = ["/MCP/tools/echo@1.0.0", "/Mcp/tools/echo@1.0.0", "/mcp/TOOLS/echo@1.0.0", "/mcp/tools/ECHO@1.0.0", "/mcp/tools/echo@1.0.0+build.5", "/mcp/tools/echo@v1", "/mcp/tools/echo@x"];
                r.Target = cases[_random.Next(cases.Length)];
                r.Description = "case and version variants";
                return "path.case";
            }

            case 11:
            {
                string[] forms = [$"http://127.0.0.1:{port}/mcp/tools/echo@1.0.0", "http://evil.example/mcp/tools/echo@1.0.0", "*", "mcp/tools/echo@1.0.0", $"127.0.0.1:{port}"];
                r.Target = forms[_random.Next(forms.Length)];
                r.RequiresRaw = true;
                r.Description = "absolute, asterisk, authority or relative form";
                return "path.form";
            }

            case 12:
            {
                string[] unicode = ["/mcp/tööls/echo@1.0.0", "/mcp/tools/echo@1.0.0€", "/mcp/tools/\u202eecho@1.0.0", "/mcp/tools/ec\u0000ho@1.0.0", "/mcp/tools/ec\tho@1.0.0", "/mcp/tools/ec\u007fho@1.0.0"];
                r.Target = FuzzRequest.Utf8AsLatin1(unicode[_random.Next(unicode.Length)]);
                r.RequiresRaw = true;
                r.Description = "raw non-ASCII or control bytes in the target";
                return "path.bytes";
            }

            case 13:
            {
                string[] backslashes = ["/mcp\\tools\\echo@1.0.0", "/mcp/tools\\echo@1.0.0", "\\mcp/tools/echo@1.0.0", "/mcp/tools/echo@1.0.0#frag", "/mcp/tools/echo@1.0.0#"];
                r.Target = backslashes[_random.Next(backslashes.Length)];
                r.RequiresRaw = true;
                r.Description = "backslashes and fragments";
                return "path.backslash";
            }

            case 14:
            {
                string[] encoded = ["/mcp/%74ools/echo@1.0.0", "/%6dcp/tools/echo@1.0.0", "/mcp/tools/echo%20@1.0.0", "/mcp/tools/echo@1.0.0%", "/mcp/tools/echo@1.0.0%2", "/mcp/tools/%E2%82%AC@1.0.0", "/mcp/tools/%C0%AE%C0%AE@1", "/mcp/tools/%25%32%65@1"];
                r.Target = encoded[_random.Next(encoded.Length)];
                r.Description = "percent-encodings of ordinary and broken bytes";
                return "path.percent";
            }

            default:
            {
                string[] others = ["/mcp/other/echo@1.0.0", "/mcp/tools/nosuch@1.0.0", "/mcp/tools/count@1.0.0", "/mcp/tools/fail@1.0.0", "/mcp/tools/meta@2.0.0", "/mcp/tools/echo@0.0.0-alpha"];
                r.Target = others[_random.Next(others.Length)];
                r.Description = "another server or tool";
                return "path.other";
            }
        }
    }

    private string MutateHeaders(FuzzRequest r)
    {
        switch (_random.Next(17))
        {
            case 0:
                r.Headers.Add(("x-idempotency-key", _random.Next(2) == 0 ? r.Headers[0].Value : "other-key"));
                r.Description = "x-idempotency-key twice";
                return "header.dupkey";
            case 1:
            {
                int[] lengths = [511, 512, 513, 2000, 20_000, 40_000];
                var length = lengths[_random.Next(lengths.Length)];
                r.SetHeader("x-idempotency-key", new string('k', length));
                r.Description = $"x-idempotency-key of {length} characters";
                return "header.longkey";
            }

            case 2:
            {
                string[] keys = ["clé-é", "键", "key\u00ff", "emoji-😀"];
                var key = keys[_random.Next(keys.Length)];
                r.SetHeader("x-idempotency-key", _random.Next(2) == 0 ? FuzzRequest.Utf8AsLatin1(key) : key.Length == key.Count(c => c <= '\u00ff') ? key : FuzzRequest.Utf8AsLatin1(key));
                r.RequiresRaw = true;
                r.Description = "non-ASCII x-idempotency-key";
                return "header.unicodekey";
            }

            case 3:
            {
                string[] keys = ["a\u0001b", "a\tb", "a\u007fb", "\u0000", "a\u001fb", "a b", "\tkey\t"];
                r.SetHeader("x-idempotency-key", keys[_random.Next(keys.Length)]);
                r.Description = "control characters in x-idempotency-key";
                return "header.controlkey";
            }

            case 4:
            {
                string[] keys = ["", " ", "   ", "\t"];
                r.SetHeader("x-idempotency-key", keys[_random.Next(keys.Length)]);
                r.Description = "empty x-idempotency-key";
                return "header.emptykey";
            }

            case 5:
            {
                var value = _random.Next(4) == 0 ? RandomHeaderValue() : s_traceparents[_random.Next(s_traceparents.Length)];
                r.Headers.Add(("traceparent", value));
                if (_random.Next(4) == 0)
                {
                    r.Headers.Add(("traceparent", s_traceparents[_random.Next(s_traceparents.Length)]));
                }

                if (_random.Next(3) == 0)
                {
                    r.Headers.Add(("tracestate", RandomHeaderValue()));
                }

                r.Description = "traceparent";
                return "header.traceparent";
            }

            case 6:
            {
                string[] names = ["x-cause-trace", "x-cause-span"];
                string[] values = ["0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", "00000000000000000000000000000000", "0000000000000000", "0AF7651916CD43DD8448EB211C80319C", "xyz", "", "0af7651916cd43dd8448eb211c80319c0"];
                var name = names[_random.Next(2)];
                r.Headers.Add((name, _random.Next(4) == 0 ? RandomHeaderValue() : values[_random.Next(values.Length)]));
                if (_random.Next(4) == 0)
                {
                    r.Headers.Add((name, values[_random.Next(values.Length)]));
                }

                r.Description = name;
                return "header.cause";
            }

            case 7:
            {
                string[] states =
                [
                    B64("{\"version\":1,\"nodeId\":\"order-agent\",\"runId\":\"r1\"}"), B64("{\"run\":\"r\",\"node\":\"n\"}"), B64("{\"version\":2}"), B64("{\"nodeId\":5}"),
                    B64("{\"version\":\"1\"}"), B64("[1]"), B64("null"), B64("{\"nodeId\":\"a\u0001b\"}"), B64("{\"nodeId\":\"" + new string('n', 300) + "\"}"),
                    B64(string.Concat(Enumerable.Repeat("{\"a\":", 20)) + "1" + new string('}', 20)), B64("{\"nodeId\":\"\\ud800\"}"), B64("{\"version\":1e400}"),
                    "eyJ2ZXJzaW9uIjoxfQ==", "eyJ2ZXJzaW9uIjoxfQ", "%%%", "====", "", "a", new string('A', 9000), Convert.ToBase64String(RandomBytes(40)),
                    System.Buffers.Text.Base64Url.EncodeToString(RandomBytes(_random.Next(1, 60))),
                ];
                r.Headers.Add(("x-agent-state", states[_random.Next(states.Length)]));
                r.Description = "x-agent-state";
                return "header.agentstate";
            }

            case 8:
            {
                string[] names = ["x-node-id", "x-agent-ref", "x-agent-parent-ref"];
                string[] values = ["", "agent", new string('n', 257), new string('n', 600), "a\u0001b", FuzzRequest.Utf8AsLatin1("agént-ü"), "ag\u00e9nt", FuzzRequest.Utf8AsLatin1("代理"), " padded ", "a\tb"];
                r.Headers.Add((names[_random.Next(names.Length)], values[_random.Next(values.Length)]));
                r.Description = "agent headers";
                return "header.agent";
            }

            case 9:
            {
                string[] tenants = ["acme", "other", "", " acme", "acme ", new string('t', 300), "ac\u0001me", FuzzRequest.Utf8AsLatin1("äcme"), "ACME"];
                r.Headers.Add(("x-tenant", tenants[_random.Next(tenants.Length)]));
                if (_random.Next(4) == 0)
                {
                    r.Headers.Add(("x-tenant", "acme"));
                }

                r.Description = "x-tenant";
                return "header.tenant";
            }

            case 10:
            {
                string[] auths = ["Bearer", "Bearer ", "Bearer a.b", "Bearer a.b.c", "Basic dXNlcjpwYXNz", "bearer x", "Bearer  x", "Bearer " + new string('x', 9000), "Bearer eyJhbGciOiJub25lIn0.eyJ0ZW5hbnQiOiJhY21lIn0.", "Bearer \u00e9", ""];
                r.Headers.Add(("Authorization", auths[_random.Next(auths.Length)]));
                if (_random.Next(4) == 0)
                {
                    r.Headers.Add(("Authorization", "Bearer second"));
                }

                r.Description = "Authorization";
                return "header.authorization";
            }

            case 11:
            {
                string[] names = ["baggage", "tracestate", "x-agent-ref", "x-node-id", "mcp-session-id", "mcp-protocol-version", "accept", "x-forwarded-for", "forwarded"];
                r.Headers.Add((names[_random.Next(names.Length)], RandomHeaderValue()));
                r.Description = "forwarded and protocol headers with random values";
                return "header.forwarded";
            }

            case 12:
            {
                byte[][] lines =
                [
                    "x-idempotency-key : spaced"u8.ToArray(), "no-colon-here"u8.ToArray(), " folded: continuation"u8.ToArray(), "x-bad name: v"u8.ToArray(), "x-b\u0001d: v"u8.ToArray(),
                    ": empty-name"u8.ToArray(), "x-ok:no-space"u8.ToArray(), "X-IDEMPOTENCY-KEY: upper-dup"u8.ToArray(), "x-null: a\0b"u8.ToArray(), [(byte)'x', 0xC3, 0xA9, (byte)':', (byte)' ', (byte)'v'],
                ];
                r.RawHeaderLines.Add(lines[_random.Next(lines.Length)]);
                r.RequiresRaw = true;
                r.Description = "malformed header line";
                return "header.line";
            }

            case 13:
            {
                var count = _random.Next(2) == 0 ? 150 : 2000;
                for (var i = 0; i < count; i++)
                {
                    r.Headers.Add(($"x-h{i}", "v"));
                }

                r.RequiresRaw = count > 150;
                r.Description = $"{count} extra headers";
                return "header.many";
            }

            case 14:
            {
                switch (_random.Next(4))
                {
                    case 0:
                        r.SendHost = false;
                        r.Description = "no Host";
                        break;
                    case 1:
                        r.RawHeaderLines.Add("Host: 127.0.0.1"u8.ToArray());
                        r.Description = "two Host headers";
                        break;
                    case 2:
                        r.SendHost = false;
                        r.RawHeaderLines.Add("Host: evil.example:1"u8.ToArray());
                        r.Description = "another Host";
                        break;
                    default:
                        r.SendHost = false;
                        r.RawHeaderLines.Add("Host: a b"u8.ToArray());
                        r.Description = "invalid Host";
                        break;
                }

                r.RequiresRaw = true;
                return "header.host";
            }

            case 15:
            {
                string[][] framings =
                [
                    ["Content-Length: 2", "Transfer-Encoding: chunked"], ["Content-Length: 2", "Content-Length: 3"], ["Content-Length: -1"], ["Content-Length: abc"],
                    ["Content-Length: 2, 2"], ["Transfer-Encoding: gzip"], ["Transfer-Encoding: chunked, identity"], ["Content-Length: 99999999999999999999"],
                    ["Transfer-Encoding: identity", "Content-Length: 2"], ["Content-Length: +2"],
                ];
                foreach (var line in framings[_random.Next(framings.Length)])
                {
                    r.RawHeaderLines.Add(Encoding.ASCII.GetBytes(line));
                }

                // Not half-closed: the server may refuse these itself, and then its answer must arrive to be counted.
                r.Framing = FuzzFraming.Custom;
                r.Body = "{}"u8.ToArray();
                r.RequiresRaw = true;
                r.Description = "conflicting or broken framing headers";
                return "header.framing";
            }

            default:
                r.Headers.Add(("Expect", _random.Next(2) == 0 ? "100-continue" : "something-else"));
                r.RequiresRaw = true;
                r.Description = "Expect";
                return "header.expect";
        }
    }

    private string MutateMethod(FuzzRequest r)
    {
        if (_random.Next(3) == 0)
        {
            r.Method = s_rawMethods[_random.Next(s_rawMethods.Length)];
            r.RequiresRaw = true;
        }
        else
        {
            r.Method = s_methods[_random.Next(s_methods.Length)];
            if (r.Method is "TRACE" or "FOO" or "PROPFIND" or "M-SEARCH" or "POST2" or "post" or "Post")
            {
                r.RequiresRaw = true;
            }
        }

        if (_random.Next(3) == 0)
        {
            r.Framing = FuzzFraming.None;
        }

        r.Description = "method " + FuzzRequest.Printable(r.Method, 20);
        return "method";
    }

    private string ValidObject(int depth)
    {
        var builder = new StringBuilder("{");
        var members = _random.Next(0, 5);
        for (var i = 0; i < members; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            builder.Append(Quote($"m{i}{RandomString(_random.Next(0, 4))}")).Append(':');
            AppendValue(builder, depth - 1);
        }

        return builder.Append('}').ToString();
    }

    private void AppendValue(StringBuilder builder, int depth)
    {
        switch (_random.Next(depth > 0 ? 8 : 6))
        {
            case 0:
                builder.Append(Quote(RandomString(_random.Next(0, 30))));
                break;
            case 1:
                builder.Append(_random.Next(-1000, 1000));
                break;
            case 2:
                builder.Append((_random.NextDouble() * 1e6).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                break;
            case 3:
                builder.Append(_random.Next(2) == 0 ? "true" : "false");
                break;
            case 4:
                builder.Append("null");
                break;
            case 5:
                builder.Append(Quote(RandomString(_random.Next(0, 5))));
                break;
            case 6:
                builder.Append(ValidObject(depth));
                break;
            default:
                builder.Append('[');
                var items = _random.Next(0, 4);
                for (var i = 0; i < items; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',');
                    }

                    AppendValue(builder, depth - 1);
                }

                builder.Append(']');
                break;
        }
    }

    private string RandomString(int length)
    {
        const string pool = "abcXYZ019 _-./\\\"'<>&\t\n\u00e9\u00fc\u4e2d\u20ac\u2028\u0000\u001f\u007f";
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            if (_random.Next(40) == 0)
            {
                builder.Append("\ud83d\ude00");
            }
            else
            {
                builder.Append(pool[_random.Next(pool.Length)]);
            }
        }

        return builder.ToString();
    }

    private string RandomHeaderValue()
    {
        var builder = new StringBuilder();
        var length = _random.Next(0, 120);
        for (var i = 0; i < length; i++)
        {
            // Visible ASCII mostly, with tabs, Latin-1 bytes (UTF-8 halves) and the odd control character.
            var roll = _random.Next(100);
            builder.Append(roll switch
            {
                < 85 => (char)_random.Next(0x20, 0x7f),
                < 90 => '\t',
                < 97 => (char)_random.Next(0x80, 0x100),
                _ => (char)_random.Next(0x01, 0x09),
            });
        }

        return builder.ToString();
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private static string PercentEncoded(byte[] bytes) => string.Concat(bytes.Select(b => "%" + b.ToString("X2")));

    private static string B64(string json) => System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
