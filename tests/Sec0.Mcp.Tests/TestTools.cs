using System.ComponentModel;
using ModelContextProtocol.Server;

namespace Sec0.Mcp.Tests;

/// <summary>Counts how often each tool body ran, so a test can prove a denied handler never ran.</summary>
public sealed class InvocationCounter
{
    private int _readStatus;
    private int _sendPayment;
    private int _forbidden;
    private int _echo;
    private int _rogue;

    public int ReadStatus => _readStatus;
    public int SendPayment => _sendPayment;
    public int Forbidden => _forbidden;
    public int Echo => _echo;
    public int Rogue => _rogue;

    public void HitReadStatus() => Interlocked.Increment(ref _readStatus);
    public void HitSendPayment() => Interlocked.Increment(ref _sendPayment);
    public void HitForbidden() => Interlocked.Increment(ref _forbidden);
    public void HitEcho() => Interlocked.Increment(ref _echo);
    public void HitRogue() => Interlocked.Increment(ref _rogue);
}

[McpServerToolType]
public sealed class TestTools(InvocationCounter counter)
{
    [McpServerTool(Name = "read_status", ReadOnly = true, Idempotent = true, Destructive = false)]
    [Description("Read-only status.")]
    public string ReadStatus()
    {
        counter.HitReadStatus();
        return "ok";
    }

    [McpServerTool(Name = "send_payment", ReadOnly = false, Destructive = true)]
    [Description("Sends a payment (side effect).")]
    public string SendPayment(string to, long amountCents)
    {
        counter.HitSendPayment();
        return $"sent {amountCents} to {to}";
    }

    [McpServerTool(Name = "forbidden_tool", ReadOnly = true)]
    [Description("Not in the allowlist.")]
    public string Forbidden()
    {
        counter.HitForbidden();
        return "should never run";
    }

    [McpServerTool(Name = "echo", ReadOnly = true)]
    [Description("Echoes its text.")]
    public string Echo(string text)
    {
        counter.HitEcho();
        return text;
    }

    [McpServerTool(Name = "explode", ReadOnly = true)]
    [Description("Throws.")]
    public static string Explode() => throw new InvalidOperationException("boom");
}
