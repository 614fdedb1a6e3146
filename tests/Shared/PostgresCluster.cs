using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Sec0.Tests;

/// <summary>
/// A PostgreSQL cluster owned by whoever starts it (the tests, a benchmark): created with <c>initdb</c> in a temporary
/// folder, listening on a free port of 127.0.0.1 only, stopped and deleted at the end. Nobody needs a server set up
/// beforehand, only the server binaries (the Debian <c>postgresql</c> package; <c>.ci/run</c> installs it).
/// </summary>
internal sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sec0-pg-" + Guid.NewGuid().ToString("N")[..12]);
    private string _bin = "";
    private int _schemas;

    /// <summary>The port the cluster listens on (127.0.0.1).</summary>
    public int Port { get; private set; }

    /// <summary>A connection string to the cluster's <c>postgres</c> database as its superuser.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=true;Timeout=30;Command Timeout=60;Maximum Pool Size=100";

    private string DataDirectory => Path.Combine(_root, "data");

    private string SocketDirectory => Path.Combine(_root, "sock");

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>A schema name nobody else uses, so users of one cluster never see each other's rows.</summary>
    public string NewSchema() => "t" + Interlocked.Increment(ref _schemas) + "_" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Creates and starts a cluster.</summary>
    public static async Task<PostgresCluster> StartNewAsync()
    {
        var cluster = new PostgresCluster();
        try
        {
            await cluster.InitializeAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task InitializeAsync()
    {
        _bin = FindBinaries();
        Directory.CreateDirectory(DataDirectory);
        Directory.CreateDirectory(SocketDirectory);
        if (IsRoot)
        {
            // initdb refuses to run as root: the cluster belongs to the postgres user the Debian package creates.
            await RunAsync("chown", ["-R", "postgres:postgres", _root]);
        }

        await RunPostgresToolAsync("initdb", ["-D", DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
        Port = FreePort();
        await StartAsync();
    }

    /// <summary>Starts the cluster (again) on <see cref="Port"/> and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        // fsync off: the tests kill the server, never the machine (synchronous_commit stays on: a stopped server keeps every commit).
        var options = $"-p {Port} -k {SocketDirectory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400";
        await RunPostgresToolAsync("pg_ctl", ["-D", DataDirectory, "-o", options, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60", "start"]);
    }

    /// <summary>Stops the cluster at once (<c>-m immediate</c>): open connections break, as when a database host dies.</summary>
    public Task StopAsync() => RunPostgresToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "-t", "60", "stop"]);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started, or already stopped.
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string FindBinaries()
    {
        if (Environment.GetEnvironmentVariable("SEC0_TEST_PG_BIN") is { Length: > 0 } configured)
        {
            return configured;
        }

        // The Debian layout: /usr/lib/postgresql/<major>/bin; the newest major wins.
        var root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => (Dir: Path.Combine(d, "bin"), Major: int.TryParse(Path.GetFileName(d), out var m) ? m : 0))
                .Where(d => File.Exists(Path.Combine(d.Dir, "initdb")))
                .OrderByDescending(d => d.Major)
                .Select(d => d.Dir)
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            "PostgreSQL's server binaries were not found under /usr/lib/postgresql/<version>/bin. Install the Debian 'postgresql' package " +
            "(apt-get install postgresql; .ci/run does it) or set SEC0_TEST_PG_BIN to the folder holding initdb and pg_ctl.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task RunPostgresToolAsync(string tool, IReadOnlyList<string> arguments)
    {
        var path = Path.Combine(_bin, tool);
        return IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments]) : RunAsync(path, arguments);
    }

    private async Task RunAsync(string file, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(_root, "server.log");
            var serverLog = File.Exists(log) ? File.ReadAllText(log) : "";
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stdout}{await stderr}{serverLog}");
        }
    }
}
