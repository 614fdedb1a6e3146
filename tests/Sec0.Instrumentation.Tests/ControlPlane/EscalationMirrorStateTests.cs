using Sec0.ControlPlane;
using Sec0.Instrumentation.Tests.Signing;

namespace Sec0.Instrumentation.Tests.ControlPlane;

/// <summary>The mirror's local → remote id map: saved across restarts, and a bad file costs a second report, never a crash.</summary>
public sealed class EscalationMirrorStateTests : IDisposable
{
    private readonly TempDirectory _dir = new("mirror-state");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Ids_survive_a_restart_and_removed_ones_stay_removed()
    {
        var path = _dir.Combine("escalations.json");
        var state = new EscalationMirrorState(path, null);
        state.Add("esc_b", "remote_b");
        state.Add("esc_a", "remote_a");
        state.Remove("esc_b");

        var reloaded = new EscalationMirrorState(path, null);
        Assert.Equal("remote_a", reloaded.RemoteIdOf("esc_a"));
        Assert.Null(reloaded.RemoteIdOf("esc_b"));
        Assert.Equal("{\n  \"esc_a\": \"remote_a\"\n}", File.ReadAllText(path).ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1, 2]")]
    [InlineData("")]
    public void A_bad_file_is_logged_and_read_as_empty(string content)
    {
        var path = _dir.Combine("escalations.json");
        File.WriteAllText(path, content);
        var log = new CollectingLogger();

        var state = new EscalationMirrorState(path, log);

        Assert.Empty(state.Entries());
        Assert.Contains(log.Entries, e => e.Message.Contains("pending escalations are reported to the control plane again", StringComparison.Ordinal));
    }
}
