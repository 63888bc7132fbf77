namespace DeepResearcher.Web.Caching;

/// <summary>
/// A shared key-value store with expiry for tool results: search answers (keys from <see cref="SearchCacheKey"/>) and fetched pages
/// (keys from <see cref="PageCacheKey"/>). Each write replaces its entry atomically. Backends: <see cref="SqliteToolCache"/> (one
/// machine, the default) and <see cref="PostgresToolCache"/> (several tool servers on several machines).
/// </summary>
public interface IToolCache
{
    /// <summary>The stored value, or <c>null</c> when the key is absent or its entry has expired.</summary>
    Task<string?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Stores (or replaces) the entry; it expires <paramref name="timeToLive"/> from now.</summary>
    Task SetAsync(string key, string value, TimeSpan timeToLive, CancellationToken cancellationToken);

    /// <summary>Deletes expired entries (reads already ignore them; this only reclaims space) and returns how many went.</summary>
    Task<int> RemoveExpiredAsync(CancellationToken cancellationToken);
}
