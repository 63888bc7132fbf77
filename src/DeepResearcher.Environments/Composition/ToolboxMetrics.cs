using System.Diagnostics.Metrics;
using DeepResearcher.Web.Caching;
using DeepResearcher.Web.Resilience;

namespace DeepResearcher.Environments.Composition;

/// <summary>
/// What a composed toolbox holds, as observable instruments read at each collection: search-cache hits and coalesced
/// waits, and per provider the queries, billed requests, retries, failures by kind, budget left and estimated cost.
/// A host exports <see cref="Meter"/> (the tool server's <c>/metrics</c>); the names are the exposition names.
/// </summary>
public sealed class ToolboxMetrics : IDisposable
{
    public const string MeterName = "DeepResearcher.Environments.Toolbox";

    private readonly Lock _lock = new();
    private readonly List<CachedSearchProvider> _caches = [];
    private readonly List<ResilientSearchProvider> _providers = [];
    private readonly Meter _meter;

    public ToolboxMetrics()
    {
        _meter = new Meter(new MeterOptions(MeterName) { Scope = this });
        _meter.CreateObservableCounter("deepresearcher_search_cache_requests_total", ObserveCacheRequests, description: "Search requests seen by the cache, by outcome.");
        _meter.CreateObservableGauge("deepresearcher_search_cache_hit_rate", ObserveHitRates, description: "Share of cache requests answered from the cache.");
        _meter.CreateObservableCounter("deepresearcher_search_provider_total", ObserveProviderCounts, description: "Searches per provider: queries asked, requests sent (billed), successes, retries.");
        _meter.CreateObservableCounter("deepresearcher_search_provider_failures_total", ObserveFailures, description: "Failed searches per provider, by kind.");
        _meter.CreateObservableGauge("deepresearcher_search_provider_budget_left", ObserveBudgets, description: "Queries left of a provider's budget.");
        _meter.CreateObservableGauge("deepresearcher_search_provider_estimated_cost", ObserveCosts, description: "Estimated cost of a provider's billed requests so far.");
    }

    public Meter Meter => _meter;

    public void Add(CachedSearchProvider cache)
    {
        lock (_lock)
        {
            _caches.Add(cache);
        }
    }

    public void Add(ResilientSearchProvider provider)
    {
        lock (_lock)
        {
            _providers.Add(provider);
        }
    }

    /// <summary>The search caches' counters added up, or null when the toolbox caches no search.</summary>
    public SearchCacheStatistics? SearchCache()
    {
        SearchCacheStatistics? sum = null;
        foreach (CachedSearchProvider cache in Caches())
        {
            SearchCacheStatistics s = cache.Statistics;
            sum = sum is null ? s : new SearchCacheStatistics(
                sum.Hits + s.Hits, sum.Misses + s.Misses, sum.Coalesced + s.Coalesced, sum.Stores + s.Stores,
                sum.EmptyNotStored + s.EmptyNotStored, sum.UpstreamFailures + s.UpstreamFailures, sum.CacheErrors + s.CacheErrors);
        }

        return sum;
    }

    public void Dispose() => _meter.Dispose();

    private CachedSearchProvider[] Caches()
    {
        lock (_lock)
        {
            return [.. _caches];
        }
    }

    private SearchProviderMetrics[] Providers()
    {
        lock (_lock)
        {
            return [.. _providers.Select(p => p.Metrics)];
        }
    }

    private IEnumerable<Measurement<long>> ObserveCacheRequests()
    {
        foreach (CachedSearchProvider cache in Caches())
        {
            SearchCacheStatistics s = cache.Statistics;
            yield return new Measurement<long>(s.Hits, Tag("provider", cache.Name), Tag("outcome", "hit"));
            yield return new Measurement<long>(s.Misses, Tag("provider", cache.Name), Tag("outcome", "miss"));
            yield return new Measurement<long>(s.Coalesced, Tag("provider", cache.Name), Tag("outcome", "coalesced"));
        }
    }

    private IEnumerable<Measurement<double>> ObserveHitRates()
        => Caches().Select(cache => new Measurement<double>(cache.Statistics.HitRate, Tag("provider", cache.Name)));

    private IEnumerable<Measurement<long>> ObserveProviderCounts()
    {
        foreach (SearchProviderMetrics m in Providers())
        {
            yield return new Measurement<long>(m.Queries, Tag("provider", m.Provider), Tag("what", "queries"));
            yield return new Measurement<long>(m.UpstreamRequests, Tag("provider", m.Provider), Tag("what", "upstream_requests"));
            yield return new Measurement<long>(m.Successes, Tag("provider", m.Provider), Tag("what", "successes"));
            yield return new Measurement<long>(m.Retries, Tag("provider", m.Provider), Tag("what", "retries"));
        }
    }

    private IEnumerable<Measurement<long>> ObserveFailures()
        => Providers().SelectMany(m => m.FailuresByKind.Select(kv => new Measurement<long>(kv.Value, Tag("provider", m.Provider), Tag("kind", kv.Key.ToString().ToLowerInvariant()))));

    private IEnumerable<Measurement<long>> ObserveBudgets()
        => Providers().Where(m => m.BudgetLeft is not null).Select(m => new Measurement<long>(m.BudgetLeft!.Value, Tag("provider", m.Provider)));

    private IEnumerable<Measurement<double>> ObserveCosts()
        => Providers().Where(m => m.EstimatedCost is not null).Select(m => new Measurement<double>((double)m.EstimatedCost!.Value, Tag("provider", m.Provider)));

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);
}
