using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Sec0.Gateway.Upstreams;

/// <summary>
/// An MCP server started as child processes and spoken to over stdio through the official SDK's
/// <see cref="StdioClientTransport"/>. <see cref="GatewayTarget.PoolSize"/> processes are started lazily, the
/// first time a call needs one; each serves one call at a time, so a pool of N runs at most N calls at once and
/// further calls wait (until their token fires) for a free process.
/// </summary>
/// <remarks>
/// A process already known to be gone (its session completed) is replaced before a call is sent. A call that
/// finds its process dying returns <see cref="UpstreamOutcome.Unreachable"/> and is not retried, because the
/// tool may have run before the process died; its slot starts a new process on next use. Disposal ends every
/// process (the SDK kills the process tree).
/// </remarks>
public sealed class McpStdioUpstream : IGatewayUpstream
{
    private readonly string _server;
    private readonly GatewayTarget _target;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly Channel<Slot> _slots;
    private readonly ConcurrentDictionary<McpClient, byte> _live = new();
    private readonly CancellationTokenSource _disposed = new();

    /// <summary>Creates the upstream; no process starts until the first call.</summary>
    /// <param name="server">The target's name (<c>gateway.targets.&lt;server&gt;</c>), used in messages.</param>
    /// <param name="target">A <see cref="GatewayTargetKind.McpStdio"/> target with a command.</param>
    /// <param name="loggerFactory">Logs of the SDK client, or none.</param>
    public McpStdioUpstream(string server, GatewayTarget target, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(target.Command);
        ArgumentOutOfRangeException.ThrowIfLessThan(target.PoolSize, 1);
        _server = server;
        _target = target;
        _loggerFactory = loggerFactory;
        _slots = Channel.CreateBounded<Slot>(target.PoolSize);
        for (var i = 0; i < target.PoolSize; i++)
        {
            _slots.Writer.TryWrite(new Slot());
        }
    }

    /// <inheritdoc/>
    public async ValueTask<UpstreamResult> CallToolAsync(UpstreamCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        if (!UpstreamFailures.TryGetArguments(call.Arguments, out var arguments))
        {
            return UpstreamFailures.Error(_server, "the tool arguments must be a JSON object");
        }

        Slot slot;
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token))
        {
            try
            {
                slot = await _slots.Reader.ReadAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ObjectDisposedException(nameof(McpStdioUpstream));
            }
        }

        try
        {
            if (slot.Client is { Completion.IsCompleted: true } dead)
            {
                slot.Client = null;
                await RetireAsync(dead).ConfigureAwait(false);
            }

            if (slot.Client is null)
            {
                try
                {
                    slot.Client = await StartAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception exception)
                {
                    // Not the exception text: it may quote the command line or the process's stderr.
                    return UpstreamFailures.Unreachable(_server, $"the MCP server process could not be started ({exception.GetType().Name})");
                }
            }

            var client = slot.Client;
            try
            {
                var result = await client.CallToolAsync(call.Tool, arguments, progress: null, McpHttpUpstream.RequestOptionsFor(call), cancellationToken)
                    .ConfigureAwait(false);
                return UpstreamResult.Ok(JsonSerializer.SerializeToUtf8Bytes(result, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CallToolResult))));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The SDK told the server (notifications/cancelled); the process stays in the pool.
                throw;
            }
            catch (Exception exception)
            {
                var mapped = UpstreamFailures.FromMcpException(_server, exception);
                if (mapped.Outcome == UpstreamOutcome.Unreachable || client.Completion.IsCompleted)
                {
                    slot.Client = null;
                    await RetireAsync(client).ConfigureAwait(false);
                    return mapped.Outcome == UpstreamOutcome.Unreachable
                        ? mapped
                        : UpstreamFailures.Unreachable(_server, "the MCP server process exited");
                }

                return mapped;
            }
        }
        finally
        {
            if (_disposed.IsCancellationRequested && slot.Client is { } orphan)
            {
                // Disposal ran while this call held the slot: end its process here.
                slot.Client = null;
                await RetireAsync(orphan).ConfigureAwait(false);
            }

            _slots.Writer.TryWrite(slot);
        }
    }

    /// <summary>Ends every child process; calls still running fail or are cancelled.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_live.Keys.Select(client => RetireAsync(client).AsTask())).ConfigureAwait(false);
    }

    private async ValueTask<McpClient> StartAsync(CancellationToken cancellationToken)
    {
        var options = new StdioClientTransportOptions
        {
            Name = $"sec0-gateway:{_server}",
            Command = _target.Command!,
            Arguments = [.. _target.Arguments],
            WorkingDirectory = _target.WorkingDirectory,
            EnvironmentVariables = _target.Environment.ToDictionary(e => e.Key, string? (e) => e.Value, StringComparer.Ordinal),
            ShutdownTimeout = TimeSpan.FromSeconds(2),
        };

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var client = await McpClient.CreateAsync(new StdioClientTransport(options, _loggerFactory), McpHttpUpstream.ClientOptions(), _loggerFactory, linked.Token)
            .ConfigureAwait(false);
        _live[client] = 0;
        if (_disposed.IsCancellationRequested)
        {
            // Disposal raced this start and may have missed the new process.
            await RetireAsync(client).ConfigureAwait(false);
            throw new ObjectDisposedException(nameof(McpStdioUpstream));
        }

        return client;
    }

    private async ValueTask RetireAsync(McpClient client)
    {
        if (!_live.TryRemove(client, out _))
        {
            return;
        }

        try
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The process may already be gone; the SDK has killed it either way.
        }
    }

    /// <summary>One process's place in the pool; the client is null until started or after its process died.</summary>
    private sealed class Slot
    {
        public McpClient? Client { get; set; }
    }
}
