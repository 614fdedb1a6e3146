using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Sec0.Audit;
using Sec0.Gateway;
using Sec0.Gateway.Upstreams;
using Sec0.Policy;
using Sec0.Signing;

namespace Sec0.Benchmarks.Gateway;

/// <summary>
/// Everything the gateway benchmarks talk to, in this process on 127.0.0.1: the two tool servers
/// (<see cref="GatewayBenchUpstreams"/>), the bare forwards (<see cref="BareForwards"/>), and two Sec0 gateways in
/// front of the same servers, one writing its signed audit log in checkpoint mode and one signing every envelope
/// (Ed25519), each with its own log folder and key. Plus the loopback client: one <see cref="HttpClient"/> on a
/// <see cref="SocketsHttpHandler"/> that sends batches of concurrent requests, each with a fresh idempotency key
/// (a repeated key would be a replay, not a call).
/// </summary>
internal sealed class GatewayBenchRig : IAsyncDisposable
{
    /// <summary>The arguments every request sends (a small lookup).</summary>
    public static readonly byte[] Body = """{"customerId":"c-1042","fields":["name","tier","balance"],"limit":10}"""u8.ToArray();

    /// <summary>The gateways' policy: an allowlist of the two tools, enforced.</summary>
    private const string PolicyYaml = """
        tenant: bench
        tools:
          allowlist: [ "mcp://legacy/echo@1.0.0", "mcp://tools/echo@1.0.0" ]
        enforcement: { mode: enforce, deny_on: [tool_not_in_allowlist] }
        """;

    private static readonly MediaTypeHeaderValue JsonType = new("application/json") { CharSet = "utf-8" };

    private readonly BenchmarkTempDirectory _directory;
    private readonly string _keyPrefix = Guid.NewGuid().ToString("N")[..8] + "-";
    private long _keys;

    private GatewayBenchRig(BenchmarkTempDirectory directory, GatewayBenchUpstreams upstreams, BareForwards bare, GatewayUnderTest checkpoint, GatewayUnderTest perEnvelope)
    {
        _directory = directory;
        Upstreams = upstreams;
        Bare = bare;
        Checkpoint = checkpoint;
        PerEnvelope = perEnvelope;
        Client = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
        })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public GatewayBenchUpstreams Upstreams { get; }

    public BareForwards Bare { get; }

    public GatewayUnderTest Checkpoint { get; }

    public GatewayUnderTest PerEnvelope { get; }

    public HttpClient Client { get; }

    /// <summary>Requests that did not answer 200 (they also throw, so a benchmark with any stops).</summary>
    public long Failures;

    public static async Task<GatewayBenchRig> StartAsync()
    {
        var directory = new BenchmarkTempDirectory();
        var upstreams = await GatewayBenchUpstreams.StartAsync();
        var bare = await BareForwards.StartAsync(upstreams.LegacyUrl, upstreams.McpUrl);
        var checkpoint = await GatewayUnderTest.StartAsync(Path.Combine(directory.Path, "checkpoint"), AuditSigningMode.Checkpoint, upstreams);
        var perEnvelope = await GatewayUnderTest.StartAsync(Path.Combine(directory.Path, "per-envelope"), AuditSigningMode.PerEnvelope, upstreams);
        return new GatewayBenchRig(directory, upstreams, bare, checkpoint, perEnvelope);
    }

    /// <summary>The absolute URL of a variant's tool (<paramref name="upstream"/>: legacy or mcp).</summary>
    public Uri UrlOf(GatewayBenchVariant variant, string upstream)
    {
        var server = upstream == "mcp" ? "tools" : "legacy";
        return variant switch
        {
            GatewayBenchVariant.Bare => new Uri(Bare.Url, $"mcp/{server}/echo@1.0.0"),
            GatewayBenchVariant.Yarp => new Uri(Bare.Url, "yarp/legacy/echo@1.0.0"),
            GatewayBenchVariant.GatewayCheckpoint => new Uri(Checkpoint.Url, $"mcp/{server}/echo@1.0.0"),
            GatewayBenchVariant.GatewayPerEnvelope => new Uri(PerEnvelope.Url, $"mcp/{server}/echo@1.0.0"),
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };
    }

    /// <summary>Sends one request with a fresh idempotency key and reads the whole answer; throws unless it is a 200.</summary>
    public async Task SendAsync(Uri url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(Body) };
        request.Content.Headers.ContentType = JsonType;
        request.Headers.TryAddWithoutValidation("x-idempotency-key", _keyPrefix + Interlocked.Increment(ref _keys).ToString(CultureInfo.InvariantCulture));
        using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Interlocked.Increment(ref Failures);
            var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}: {text}");
        }
    }

    /// <summary>
    /// <paramref name="requests"/> requests to <paramref name="url"/>, <paramref name="concurrency"/> at a time (each
    /// worker sends its share one after the other). With <paramref name="latencies"/>, each request's time in
    /// microseconds is written at <c>latencies[offset + i]</c>.
    /// </summary>
    public async Task SendBatchAsync(Uri url, int requests, int concurrency, double[]? latencies = null, int offset = 0)
    {
        var workers = new Task[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            var worker = w;
            workers[w] = Task.Run(async () =>
            {
                for (var i = worker; i < requests; i += concurrency)
                {
                    var started = Stopwatch.GetTimestamp();
                    await SendAsync(url).ConfigureAwait(false);
                    if (latencies is not null)
                    {
                        latencies[offset + i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
                    }
                }
            });
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    /// <summary>A scratch folder inside the rig's, deleted with it.</summary>
    public string Folder(string name) => Path.Combine(_directory.Path, name);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Checkpoint.DisposeAsync();
        await PerEnvelope.DisposeAsync();
        await Bare.DisposeAsync();
        await Upstreams.DisposeAsync();
        _directory.Dispose();
    }

    /// <summary>One gateway with its own signed audit log.</summary>
    internal sealed class GatewayUnderTest : IAsyncDisposable
    {
        private readonly AuditSigner _signer;
        private readonly Sec0Gateway _gateway;

        private GatewayUnderTest(string directory, AuditSigner signer, AuditAppender appender, Sec0Gateway gateway)
        {
            AuditDirectory = directory;
            _signer = signer;
            Appender = appender;
            _gateway = gateway;
        }

        public string AuditDirectory { get; }

        public AuditAppender Appender { get; }

        public Uri Url => _gateway.Url;

        public static async Task<GatewayUnderTest> StartAsync(string directory, AuditSigningMode signing, GatewayBenchUpstreams upstreams, Action<Sec0GatewayOptions>? configure = null)
        {
            var signer = new Ed25519Signer(RandomNumberGenerator.GetBytes(32));
            var appender = AuditAppender.Open(new AuditAppenderOptions { Directory = directory, Signer = signer, SigningMode = signing });
            var options = new Sec0GatewayOptions
            {
                Tenant = "bench",
                Port = 0,
                Appender = appender,
                Policy = PolicyLoader.Parse(PolicyYaml, "policy.yaml"),
            };

            // Every request has a fresh key, so every record is new; a short TTL keeps the in-memory store at about a
            // minute of records instead of a whole run's (the default is 24 h).
            options.Dedupe.Ttl = TimeSpan.FromMinutes(1);
            options.Targets["legacy"] = new GatewayTarget { Kind = GatewayTargetKind.LegacyHttp, Url = upstreams.LegacyUrl };
            options.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstreams.McpUrl };
            configure?.Invoke(options);
            var gateway = await Sec0Gateway.StartAsync(options);
            return new GatewayUnderTest(directory, signer, appender, gateway);
        }

        /// <summary>Writes everything queued, then counts the gateway envelopes in the log.</summary>
        public async Task<long> EnvelopesAsync()
        {
            await Appender.FlushAsync();
            long count = 0;
            foreach (var file in Directory.GetFiles(AuditDirectory, "audit-*.ndjson"))
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream);
                while (reader.ReadLine() is { } line)
                {
                    if (line.Contains("\"node_type\":\"gateway\"", StringComparison.Ordinal))
                    {
                        count++;
                    }
                }
            }

            return count;
        }

        public async ValueTask DisposeAsync()
        {
            await _gateway.DisposeAsync();
            await Appender.DisposeAsync();
            _signer.Dispose();
        }
    }
}

/// <summary>What a request goes through.</summary>
internal enum GatewayBenchVariant
{
    /// <summary>The minimal ASP.NET Core forward (HttpClient, or the MCP SDK client).</summary>
    Bare,

    /// <summary>YARP's <c>MapForwarder</c> (legacy upstream only).</summary>
    Yarp,

    /// <summary>The Sec0 gateway, audit in checkpoint mode.</summary>
    GatewayCheckpoint,

    /// <summary>The Sec0 gateway, every envelope signed.</summary>
    GatewayPerEnvelope,
}
