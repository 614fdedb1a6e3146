using Npgsql;

namespace Sec0.Gateway.Tests.Postgres;

/// <summary>
/// The test run's PostgreSQL cluster (<see cref="PostgresCluster"/>): tests never need a server set up by the person
/// running them. The tests that stop and start it (fault cases) share it through the "postgres" collection, one at a
/// time.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private PostgresCluster? _cluster;

    private PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("the cluster is not started");

    /// <summary>The port the cluster listens on (127.0.0.1).</summary>
    public int Port => Cluster.Port;

    /// <summary>A connection string to the cluster's <c>postgres</c> database as its superuser.</summary>
    public string ConnectionString => Cluster.ConnectionString;

    /// <summary>A schema name no other test uses, so tests sharing the cluster never see each other's rows.</summary>
    public string NewSchema() => Cluster.NewSchema();

    /// <summary>Starts the cluster again after <see cref="StopAsync"/>.</summary>
    public Task StartAsync() => Cluster.StartAsync();

    /// <summary>Stops the cluster at once: open connections break, as when a database host dies.</summary>
    public Task StopAsync() => Cluster.StopAsync();

    /// <summary>A data source for the tests' own queries.</summary>
    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(ConnectionString);

    public async Task InitializeAsync() => _cluster = await PostgresCluster.StartNewAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>The tests that use the test run's PostgreSQL cluster; they run one after the other, since some stop it.</summary>
[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
}
