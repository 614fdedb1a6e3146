using System.Text.Json;
using Sec0.Cli.Tests.Infrastructure;
using Sec0.Hops;

namespace Sec0.Cli.Tests;

public sealed class HopsCommandTests : IDisposable
{
    // Declared out of order on purpose: the command sorts by kind, then key.
    private const string ManifestSource = """
        [assembly: Sec0.Hops.Sec0HopManifestEntry("mcp_tool", "get_weather", "sha256:v1:cccc", "Tools/WeatherTools.cs", 5, 9, "string WeatherTools.GetWeather(string city)", Sec0.HopType.Unspecified)]
        [assembly: Sec0.Hops.Sec0HopManifestEntry("hop", "OrderAgent.Run", "sha256:v1:aaaa", "OrderAgent.cs", 10, 20, "Task<Receipt> OrderAgent.Run(Order order)", Sec0.HopType.Agent)]
        [assembly: Sec0.Hops.Sec0HopManifestEntry("hop", "Billing.Charge", "sha256:v1:bbbb", "Billing.cs", 30, 42, "Task Billing.Charge(decimal amount)", Sec0.HopType.Tool)]
        public static class Marker { }
        """;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_reader_returns_every_entry_without_loading_the_assembly()
    {
        string dll = TestAssemblyCompiler.CompileToFile(_temp.Path, "ManifestLibrary", ManifestSource);

        IReadOnlyList<HopManifestEntry> entries = HopManifestReader.Read(dll);

        Assert.Equal(3, entries.Count);
        Assert.Contains(new HopManifestEntry("hop", "OrderAgent.Run", "sha256:v1:aaaa", "OrderAgent.cs", 10, 20, "Task<Receipt> OrderAgent.Run(Order order)", HopType.Agent), entries);
        Assert.Contains(new HopManifestEntry("mcp_tool", "get_weather", "sha256:v1:cccc", "Tools/WeatherTools.cs", 5, 9, "string WeatherTools.GetWeather(string city)", HopType.Unspecified), entries);
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "ManifestLibrary");
    }

    [Fact]
    public void The_table_lists_entries_sorted_by_kind_then_key()
    {
        string dll = TestAssemblyCompiler.CompileToFile(_temp.Path, "ManifestLibrary", ManifestSource);

        CliRun run = CliRun.InProcess("hops", dll);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("", run.Error);
        string[] rows = run.Out.Split('\n');
        Assert.Contains(rows, r => r.Contains("KIND") && r.Contains("EXPECTED TYPE") && r.Contains("BODY HASH") && r.Contains("SIGNATURE"));
        int billing = Array.FindIndex(rows, r => r.Contains("Billing.Charge"));
        int order = Array.FindIndex(rows, r => r.Contains("OrderAgent.Run"));
        int weather = Array.FindIndex(rows, r => r.Contains("get_weather"));
        Assert.True(billing >= 0 && billing < order && order < weather, run.Out);
        Assert.Matches(@"hop\s.*OrderAgent\.Run\s.*agent\s.*sha256:v1:aaaa\s.*OrderAgent\.cs:10-20\s.*Task<Receipt> OrderAgent\.Run\(Order order\)", rows[order]);
        Assert.Matches(@"mcp_tool\s.*get_weather\s.*-\s.*Tools/WeatherTools\.cs:5-9", rows[weather]);
        Assert.DoesNotContain('\u001b', run.Out);
    }

    [Fact]
    public void Json_prints_the_sorted_entries_as_an_array()
    {
        string dll = TestAssemblyCompiler.CompileToFile(_temp.Path, "ManifestLibrary", ManifestSource);

        CliRun run = CliRun.InProcess("hops", dll, "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        using JsonDocument json = JsonDocument.Parse(run.Out);
        JsonElement[] entries = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal(["Billing.Charge", "OrderAgent.Run", "get_weather"], entries.Select(e => e.GetProperty("key").GetString()));
        JsonElement order = entries[1];
        Assert.Equal("hop", order.GetProperty("kind").GetString());
        Assert.Equal("agent", order.GetProperty("expectedType").GetString());
        Assert.Equal("sha256:v1:aaaa", order.GetProperty("bodyHash").GetString());
        Assert.Equal("OrderAgent.cs", order.GetProperty("filePath").GetString());
        Assert.Equal(10, order.GetProperty("startLine").GetInt32());
        Assert.Equal(20, order.GetProperty("endLine").GetInt32());
        Assert.Equal("Task<Receipt> OrderAgent.Run(Order order)", order.GetProperty("signature").GetString());
        Assert.Equal(JsonValueKind.Null, entries[2].GetProperty("expectedType").ValueKind);
    }

    [Fact]
    public void An_assembly_without_a_manifest_says_so_and_exits_0()
    {
        string dll = TestAssemblyCompiler.CompileToFile(_temp.Path, "PlainLibrary", "public static class Plain { }");

        CliRun run = CliRun.InProcess("hops", dll);
        CliRun json = CliRun.InProcess("hops", dll, "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal($"no Sec0 hop manifest in {dll}: was it built with the Sec0 package?\n", run.Out);
        Assert.Equal(ExitCodes.Success, json.ExitCode);
        Assert.Equal("[]", json.Out.Trim());
        Assert.Contains("no Sec0 hop manifest", json.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_an_assembly_is_a_usage_error()
    {
        string notAnAssembly = _temp.Combine("notes.dll");
        File.WriteAllText(notAnAssembly, "just some text, not a PE file");

        CliRun run = CliRun.InProcess("hops", notAnAssembly);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Equal("", run.Out);
        Assert.StartsWith($"[sec0] \"{notAnAssembly}\" is not a .NET assembly: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_a_usage_error()
    {
        CliRun run = CliRun.InProcess("hops", _temp.Combine("missing.dll"));

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Equal($"[sec0] No assembly at \"{_temp.Combine("missing.dll")}\".\n", run.Error);
    }
}
