using System.Text.RegularExpressions;
using Npgsql;

namespace DeepResearcher.Web.Caching;

/// <summary>
/// <see cref="IToolCache"/> in PostgreSQL, so tool servers on several machines share one cache: one table (key, value, created_at,
/// expires_at as timestamptz), each write a single <c>INSERT … ON CONFLICT DO UPDATE</c>. Expiry uses this process's clock
/// (<see cref="TimeProvider"/>), not the database's, so keep the machines' clocks in sync (NTP) as for any shared TTL.
/// </summary>
public sealed partial class PostgresToolCache : IToolCache, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly string _table;
    private readonly string _where;

    private PostgresToolCache(NpgsqlDataSource dataSource, string table, TimeProvider time, string where)
    {
        _dataSource = dataSource;
        _table = table;
        _time = time;
        _where = where;
    }

    public string TableName => _table;

    /// <summary>
    /// Connects and creates the table if needed. <paramref name="tableName"/> (letters, digits and '_', starting with a letter or '_')
    /// lets separate deployments or tests share a database without sharing entries.
    /// </summary>
    public static async Task<PostgresToolCache> OpenAsync(
        string connectionString, string tableName = ToolCacheDefaults.TableName, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        if (!TableNamePattern().IsMatch(tableName))
        {
            throw new ArgumentException($"postgres cache: table name '{tableName}' must be 1-63 lower-case letters, digits or '_', starting with a letter or '_'", nameof(tableName));
        }

        NpgsqlConnectionStringBuilder settings;
        try
        {
            settings = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"postgres cache: the connection string is not valid ({ex.Message}); expected e.g. Host=127.0.0.1;Port=5432;Database=cache;Username=cache", nameof(connectionString), ex);
        }

        // Only the location goes into messages: the connection string may hold a password.
        string where = $"{settings.Host}:{settings.Port}/{settings.Database}";
        NpgsqlDataSource dataSource = NpgsqlDataSource.Create(settings);
        var cache = new PostgresToolCache(dataSource, tableName, timeProvider ?? TimeProvider.System, where);
        try
        {
            await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

            // Two servers starting together would both try CREATE TABLE; IF NOT EXISTS alone can still collide in the catalog.
            await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext($1))", connection, transaction))
            {
                command.Parameters.AddWithValue("deepresearcher.tool_cache." + tableName);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var command = new NpgsqlCommand(
                $"""
                CREATE TABLE IF NOT EXISTS {tableName} (
                    key        text        NOT NULL PRIMARY KEY,
                    value      text        NOT NULL,
                    created_at timestamptz NOT NULL,
                    expires_at timestamptz NOT NULL
                );
                CREATE INDEX IF NOT EXISTS {tableName}_expires_at ON {tableName} (expires_at);
                """, connection, transaction))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            await cache.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"postgres cache: cannot prepare table {tableName} at {where}: {ex.Message}", ex);
        }

        return cache;
    }

    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        await using NpgsqlCommand command = _dataSource.CreateCommand($"SELECT value FROM {_table} WHERE key = $1 AND expires_at > $2");
        command.Parameters.AddWithValue(key);
        command.Parameters.AddWithValue(_time.GetUtcNow());
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    public async Task SetAsync(string key, string value, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        ToolCacheDefaults.ValidateEntry(key, value, timeToLive);
        DateTimeOffset now = _time.GetUtcNow();
        await using NpgsqlCommand command = _dataSource.CreateCommand(
            $"""
            INSERT INTO {_table} (key, value, created_at, expires_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
            """);
        command.Parameters.AddWithValue(key);

        // PostgreSQL text cannot hold NUL; pages occasionally do.
        command.Parameters.AddWithValue(value.Contains('\0', StringComparison.Ordinal) ? value.Replace("\0", string.Empty, StringComparison.Ordinal) : value);
        command.Parameters.AddWithValue(now);
        command.Parameters.AddWithValue(now + timeToLive);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> RemoveExpiredAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlCommand command = _dataSource.CreateCommand($"DELETE FROM {_table} WHERE expires_at <= $1");
        command.Parameters.AddWithValue(_time.GetUtcNow());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();

    public override string ToString() => $"postgres cache {_table} at {_where}";

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex TableNamePattern();
}
