using System.Globalization;
using System.Text;
using DeepResearcher.Web.Caching;
using DeepResearcher.Web.Resilience;

namespace DeepResearcher.Environments.Composition;

/// <summary>
/// Prometheus text for what a composed toolbox holds: search-cache hits and coalesced waits, and per provider the
/// queries, billed requests, retries, failures by kind, budget left and estimated cost.
/// </summary>
public sealed class ToolboxMetrics
{
    private readonly List<CachedSearchProvider> _caches = [];
    private readonly List<ResilientSearchProvider> _providers = [];

    public void Add(CachedSearchProvider cache) => _caches.Add(cache);

    public void Add(ResilientSearchProvider provider) => _providers.Add(provider);

    /// <summary>The search caches' counters added up, or null when the toolbox caches no search.</summary>
    public SearchCacheStatistics? SearchCache()
    {
        SearchCacheStatistics? sum = null;
        foreach (CachedSearchProvider cache in _caches)
        {
            SearchCacheStatistics s = cache.Statistics;
            sum = sum is null ? s : new SearchCacheStatistics(
                sum.Hits + s.Hits, sum.Misses + s.Misses, sum.Coalesced + s.Coalesced, sum.Stores + s.Stores,
                sum.EmptyNotStored + s.EmptyNotStored, sum.UpstreamFailures + s.UpstreamFailures, sum.CacheErrors + s.CacheErrors);
        }

        return sum;
    }

    public string Render()
    {
        var sb = new StringBuilder();
        if (_caches.Count > 0)
        {
            sb.AppendLine("# HELP deepresearcher_search_cache_requests_total Search requests seen by the cache, by outcome.");
            sb.AppendLine("# TYPE deepresearcher_search_cache_requests_total counter");
            foreach (CachedSearchProvider cache in _caches)
            {
                SearchCacheStatistics s = cache.Statistics;
                Line(sb, "deepresearcher_search_cache_requests_total", $"provider=\"{cache.Name}\",outcome=\"hit\"", s.Hits);
                Line(sb, "deepresearcher_search_cache_requests_total", $"provider=\"{cache.Name}\",outcome=\"miss\"", s.Misses);
                Line(sb, "deepresearcher_search_cache_requests_total", $"provider=\"{cache.Name}\",outcome=\"coalesced\"", s.Coalesced);
            }

            sb.AppendLine("# TYPE deepresearcher_search_cache_hit_rate gauge");
            foreach (CachedSearchProvider cache in _caches)
            {
                Line(sb, "deepresearcher_search_cache_hit_rate", $"provider=\"{cache.Name}\"", cache.Statistics.HitRate);
            }
        }

        if (_providers.Count > 0)
        {
            sb.AppendLine("# HELP deepresearcher_search_provider_total Searches per provider: queries asked, requests sent (billed), successes, retries.");
            sb.AppendLine("# TYPE deepresearcher_search_provider_total counter");
            foreach (ResilientSearchProvider provider in _providers)
            {
                SearchProviderMetrics m = provider.Metrics;
                Line(sb, "deepresearcher_search_provider_total", $"provider=\"{m.Provider}\",what=\"queries\"", m.Queries);
                Line(sb, "deepresearcher_search_provider_total", $"provider=\"{m.Provider}\",what=\"upstream_requests\"", m.UpstreamRequests);
                Line(sb, "deepresearcher_search_provider_total", $"provider=\"{m.Provider}\",what=\"successes\"", m.Successes);
                Line(sb, "deepresearcher_search_provider_total", $"provider=\"{m.Provider}\",what=\"retries\"", m.Retries);
                foreach ((var kind, long count) in m.FailuresByKind)
                {
                    Line(sb, "deepresearcher_search_provider_failures_total", $"provider=\"{m.Provider}\",kind=\"{kind.ToString().ToLowerInvariant()}\"", count);
                }

                if (m.BudgetLeft is long left)
                {
                    Line(sb, "deepresearcher_search_provider_budget_left", $"provider=\"{m.Provider}\"", left);
                }

                if (m.EstimatedCost is decimal cost)
                {
                    Line(sb, "deepresearcher_search_provider_estimated_cost", $"provider=\"{m.Provider}\"", (double)cost);
                }
            }
        }

        return sb.ToString();
    }

    private static void Line(StringBuilder sb, string name, string labels, double value)
        => sb.Append(name).Append('{').Append(labels).Append("} ").Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
}
