using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using DeepResearcher.Core.Trajectories;

namespace DeepResearcher.Server.Tools;

/// <summary>Counters and latency histograms of the tool server, rendered in Prometheus' text format.</summary>
public sealed class ToolServerMetrics
{
    private static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly ConcurrentDictionary<(string Tool, string Outcome), long> _calls = new();
    private readonly ConcurrentDictionary<(string Tool, CacheStatus Cache), long> _cache = new();
    private readonly ConcurrentDictionary<string, Histogram> _latency = new(StringComparer.Ordinal);

    /// <summary>Extra metric text (provider budgets, cache backends) appended to the scrape.</summary>
    public List<Func<string>> Extras { get; } = [];

    public void Record(string tool, bool succeeded, CacheStatus cache, double seconds)
    {
        _calls.AddOrUpdate((tool, succeeded ? "ok" : "error"), 1, (_, n) => n + 1);
        _cache.AddOrUpdate((tool, cache), 1, (_, n) => n + 1);
        _latency.GetOrAdd(tool, _ => new Histogram()).Observe(seconds);
    }

    public long Calls(string tool, string outcome) => _calls.GetValueOrDefault((tool, outcome));

    public string Render()
    {
        var sb = new StringBuilder();
        sb.AppendLine("# HELP deepresearcher_tool_calls_total Tool calls served, by tool and outcome (ok, or error for soft failures).");
        sb.AppendLine("# TYPE deepresearcher_tool_calls_total counter");
        foreach (((string tool, string outcome), long count) in _calls.OrderBy(kv => kv.Key.Tool, StringComparer.Ordinal).ThenBy(kv => kv.Key.Outcome, StringComparer.Ordinal))
        {
            sb.Append(CultureInfo.InvariantCulture, $"deepresearcher_tool_calls_total{{tool=\"{tool}\",outcome=\"{outcome}\"}} {count}\n");
        }

        sb.AppendLine("# HELP deepresearcher_tool_cache_total Tool calls by cache status.");
        sb.AppendLine("# TYPE deepresearcher_tool_cache_total counter");
        foreach (((string tool, CacheStatus cache), long count) in _cache.OrderBy(kv => kv.Key.Tool, StringComparer.Ordinal).ThenBy(kv => kv.Key.Cache))
        {
            sb.Append(CultureInfo.InvariantCulture, $"deepresearcher_tool_cache_total{{tool=\"{tool}\",cache=\"{cache.ToString().ToLowerInvariant()}\"}} {count}\n");
        }

        sb.AppendLine("# HELP deepresearcher_tool_latency_seconds Tool call latency.");
        sb.AppendLine("# TYPE deepresearcher_tool_latency_seconds histogram");
        foreach ((string tool, Histogram histogram) in _latency.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            histogram.Render(sb, tool);
        }

        foreach (Func<string> extra in Extras)
        {
            sb.Append(extra());
        }

        return sb.ToString();
    }

    private sealed class Histogram
    {
        private readonly long[] _counts = new long[Buckets.Length + 1];
        private long _total;
        private double _sum;
        private readonly Lock _lock = new();

        public void Observe(double seconds)
        {
            lock (_lock)
            {
                int i = 0;
                while (i < Buckets.Length && seconds > Buckets[i])
                {
                    i++;
                }

                _counts[i]++;
                _total++;
                _sum += seconds;
            }
        }

        public void Render(StringBuilder sb, string tool)
        {
            lock (_lock)
            {
                long cumulative = 0;
                for (int i = 0; i < Buckets.Length; i++)
                {
                    cumulative += _counts[i];
                    sb.Append(CultureInfo.InvariantCulture, $"deepresearcher_tool_latency_seconds_bucket{{tool=\"{tool}\",le=\"{Buckets[i]}\"}} {cumulative}\n");
                }

                sb.Append(CultureInfo.InvariantCulture, $"deepresearcher_tool_latency_seconds_bucket{{tool=\"{tool}\",le=\"+Inf\"}} {_total}\n");
                sb.Append(CultureInfo.InvariantCulture, $"deepresearcher_tool_latency_seconds_sum{{tool=\"{tool}\"}} {_sum}\n");
                sb.Append(CultureInfo.InvariantCulture, $"deepresearcher_tool_latency_seconds_count{{tool=\"{tool}\"}} {_total}\n");
            }
        }
    }
}
