using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Sec0.Audit;
using Sec0.Signing;

namespace Sec0.Gateway.Tests.Gateway;

/// <summary>
/// A real gateway (Kestrel on 127.0.0.1, a free port) with its own signed audit log in a temp folder, and an HTTP
/// client to call it. Tests set the options; the harness supplies the log and the tenant.
/// </summary>
internal sealed class GatewayHarness : IAsyncDisposable
{
    public const string Tenant = "acme";

    private readonly TempDirectory _directory;
    private readonly AuditSigner _signer;

    private GatewayHarness(TempDirectory directory, AuditSigner signer, AuditAppender appender, Sec0Gateway gateway)
    {
        _directory = directory;
        _signer = signer;
        Appender = appender;
        Gateway = gateway;
        Http = new HttpClient { BaseAddress = gateway.Url, Timeout = TimeSpan.FromSeconds(60) };
    }

    public AuditAppender Appender { get; }

    public Sec0Gateway Gateway { get; }

    public HttpClient Http { get; }

    public string AuditDirectory => _directory.Combine("audit");

    public static async Task<GatewayHarness> StartAsync(Action<Sec0GatewayOptions> configure)
    {
        var directory = new TempDirectory("gateway");
        var signer = SigningKeyFile.Create(directory.Combine("keys", "ed25519.key"), SigningAlgorithm.Ed25519);
        var appender = AuditAppender.Open(new AuditAppenderOptions { Directory = directory.Combine("audit"), Signer = signer });
        var options = new Sec0GatewayOptions { Tenant = Tenant, Port = 0, Appender = appender };
        configure(options);
        try
        {
            var gateway = await Sec0Gateway.StartAsync(options);
            return new GatewayHarness(directory, signer, appender, gateway);
        }
        catch
        {
            await appender.DisposeAsync();
            signer.Dispose();
            directory.Dispose();
            throw;
        }
    }

    /// <summary>POSTs <paramref name="json"/> to <paramref name="path"/> with an idempotency key (a fresh one unless given; none when empty).</summary>
    public Task<HttpResponseMessage> PostAsync(string path, string json = "{}", string? idempotencyKey = null, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        idempotencyKey ??= Guid.NewGuid().ToString("N");
        if (idempotencyKey.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("x-idempotency-key", idempotencyKey);
        }

        configure?.Invoke(request);
        return Http.SendAsync(request);
    }

    /// <summary>Waits until everything queued so far is on disk, then returns the gateway's envelopes in log order.</summary>
    public async Task<IReadOnlyList<JsonElement>> EnvelopesAsync()
    {
        await Appender.FlushAsync();
        var envelopes = new List<JsonElement>();
        foreach (var file in Directory.GetFiles(AuditDirectory, "audit-*.ndjson").Order(StringComparer.Ordinal))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                if (line.Length > 0 && JsonDocument.Parse(line).RootElement.Clone() is { } element && element.TryGetProperty("node_type", out var type) && type.GetString() == "gateway")
                {
                    envelopes.Add(element);
                }
            }
        }

        return envelopes;
    }

    /// <summary>The one envelope whose trace and span ids are the response's <c>x-trace-id</c>/<c>x-span-id</c>.</summary>
    public async Task<JsonElement> EnvelopeOfAsync(HttpResponseMessage response)
    {
        var trace = Header(response, "x-trace-id");
        var span = Header(response, "x-span-id");
        var matches = (await EnvelopesAsync()).Where(e => e.GetProperty("trace_id").GetString() == trace && e.GetProperty("span_id").GetString() == span).ToList();
        Assert.Single(matches);
        return matches[0];
    }

    public AuditVerificationReport Verify()
    {
        using var verifier = _signer.CreateVerifier();
        return new AuditLogVerifier(verifier).Verify(AuditDirectory);
    }

    public static string? Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;

    /// <summary>Checks what every response carries: the gateway span's ids in <c>x-trace-id</c>, <c>x-span-id</c> and <c>traceparent</c>.</summary>
    public static void AssertTraceHeaders(HttpResponseMessage response)
    {
        var trace = Header(response, "x-trace-id");
        var span = Header(response, "x-span-id");
        Assert.Matches("^[0-9a-f]{32}$", trace);
        Assert.Matches("^[0-9a-f]{16}$", span);
        Assert.Matches($"^00-{trace}-{span}-0[01]$", Header(response, "traceparent"));
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync()).RootElement.Clone();
    }

    public static void SetBearer(HttpRequestMessage request, string token) => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Gateway.DisposeAsync();
        await Appender.DisposeAsync();
        _signer.Dispose();
        _directory.Dispose();
    }
}
