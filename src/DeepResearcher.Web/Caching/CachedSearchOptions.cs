namespace DeepResearcher.Web.Caching;

public sealed class CachedSearchOptions
{
    /// <summary>How long a stored answer is served (default 7 days, <see cref="ToolCacheDefaults.TimeToLive"/>).</summary>
    public TimeSpan TimeToLive { get; init; } = ToolCacheDefaults.TimeToLive;

    /// <summary>
    /// The provider part of the key; default the wrapped provider's name. Set it when wrapping a failover chain whose make-up may
    /// change, so answers stay shared across configurations.
    /// </summary>
    public string? KeyNamespace { get; init; }

    /// <summary>Told about cache read/write failures, which never fail a search (the answer is fetched or returned uncached).</summary>
    public Action<Exception>? CacheErrorObserved { get; init; }
}
