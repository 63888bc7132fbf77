namespace DeepResearcher.Web.Caching;

/// <summary>
/// Counters of a <see cref="CachedSearchProvider"/> since it was created. <see cref="Misses"/> is the number of upstream calls;
/// <see cref="Coalesced"/> counts requests that waited on an identical in-flight call instead of making their own.
/// </summary>
public sealed record SearchCacheStatistics(
    long Hits,
    long Misses,
    long Coalesced,
    long Stores,
    long EmptyNotStored,
    long UpstreamFailures,
    long CacheErrors)
{
    public long Requests => Hits + Misses + Coalesced;

    /// <summary>Share of requests answered without an upstream call of their own (cache hits and coalesced waits).</summary>
    public double HitRate => Requests == 0 ? 0 : (double)(Hits + Coalesced) / Requests;
}
