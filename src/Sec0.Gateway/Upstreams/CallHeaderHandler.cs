namespace Sec0.Gateway.Upstreams;

/// <summary>
/// Adds the current call's headers to the MCP client's HTTP requests. The SDK sends a tool call's POST on the
/// caller's async flow, so an <see cref="AsyncLocal{T}"/> set around <c>CallToolAsync</c> reaches this
/// handler, while the session's own requests (initialize, the GET stream) carry none.
/// </summary>
internal sealed class CallHeaderHandler : DelegatingHandler
{
    private static readonly AsyncLocal<UpstreamCall?> Current = new();

    public CallHeaderHandler(HttpMessageHandler inner)
        : base(inner)
    {
    }

    /// <summary>The call whose headers requests sent from this async flow carry.</summary>
    public static UpstreamCall? CurrentCall
    {
        get => Current.Value;
        set => Current.Value = value;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Current.Value is { } call && request.Method == HttpMethod.Post)
        {
            UpstreamHeaders.Apply(request.Headers, call);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
