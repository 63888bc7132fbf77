using Microsoft.Data.Sqlite;

namespace DeepResearcher.Web.Caching;

/// <summary>
/// <see cref="IToolCache"/> in an embedded SQLite file: one table (key, value, created_at, expires_at in Unix milliseconds) in WAL
/// mode, so readers never wait for the writer and several processes on one machine can share the file. Each write is a single
/// <c>INSERT … ON CONFLICT DO UPDATE</c>, atomic per entry; unlike the original's JSON file, nothing is rewritten wholesale.
/// </summary>
public sealed class SqliteToolCache : IToolCache, IDisposable
{
    private readonly string _connectionString;
    private readonly TimeProvider _time;

    private SqliteToolCache(string connectionString, TimeProvider time)
    {
        _connectionString = connectionString;
        _time = time;
    }

    public string DatabasePath { get; private init; } = string.Empty;

    /// <summary>Opens (creating if needed) the cache database at <paramref name="path"/>.</summary>
    public static async Task<SqliteToolCache> OpenAsync(string path, TimeProvider? timeProvider, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string fullPath = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        string connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,

            // Seconds a statement waits on another process's write lock before failing.
            DefaultTimeout = 30,
        }.ToString();
        var cache = new SqliteToolCache(connectionString, timeProvider ?? TimeProvider.System) { DatabasePath = fullPath };
        try
        {
            await using SqliteConnection connection = await cache.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using SqliteCommand command = connection.CreateCommand();
            command.CommandText = $"""
                PRAGMA journal_mode = WAL;
                CREATE TABLE IF NOT EXISTS {ToolCacheDefaults.TableName} (
                    key        TEXT    NOT NULL PRIMARY KEY,
                    value      TEXT    NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS {ToolCacheDefaults.TableName}_expires_at ON {ToolCacheDefaults.TableName} (expires_at);
                """;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            cache.Dispose();
            throw new InvalidOperationException($"sqlite cache: cannot open '{fullPath}' ({ex.Message}); check the path is writable and not another kind of file", ex);
        }

        return cache;
    }

    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = $"SELECT value FROM {ToolCacheDefaults.TableName} WHERE key = $key AND expires_at > $now";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$now", _time.GetUtcNow().ToUnixTimeMilliseconds());
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    public async Task SetAsync(string key, string value, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        ToolCacheDefaults.ValidateEntry(key, value, timeToLive);
        DateTimeOffset now = _time.GetUtcNow();
        await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO {ToolCacheDefaults.TableName} (key, value, created_at, expires_at) VALUES ($key, $value, $created, $expires)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at, expires_at = excluded.expires_at
            """;
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.Parameters.AddWithValue("$created", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$expires", now.Add(timeToLive).ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> RemoveExpiredAsync(CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = $"DELETE FROM {ToolCacheDefaults.TableName} WHERE expires_at <= $now";
        command.Parameters.AddWithValue("$now", _time.GetUtcNow().ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the pooled connections so the file can be moved or deleted.</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // In WAL mode NORMAL never corrupts the file; a crash can lose only the last commits, which for a cache
            // means a re-fetch. FULL would fsync every write and cap the tool server at a few hundred calls a second.
            await using SqliteCommand pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA synchronous = NORMAL";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
