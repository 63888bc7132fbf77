using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DeepResearcher.Core.Trajectories;

namespace DeepResearcher.Server.Tools;

/// <summary>
/// The tool server's instruments: calls by tool and outcome, by cache status, and their latency. <c>/metrics</c>
/// renders them through the OpenTelemetry Prometheus exporter; the instrument names are the exposition names
/// (docs/observability.md), so the exporter adds no suffix.
/// </summary>
public sealed class ToolServerMetrics : IDisposable
{
    public const string MeterName = "DeepResearcher.Server.Tools";

    private static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Meter _meter;
    private readonly Counter<long> _calls;
    private readonly Counter<long> _cache;
    private readonly Histogram<double> _latency;
    private readonly ConcurrentDictionary<(string Tool, string Outcome), long> _served = new();

    public ToolServerMetrics()
    {
        // Each server its own meter (the scope tells them apart), so servers in one process never count each other's calls.
        _meter = new Meter(new MeterOptions(MeterName) { Scope = this });
        _calls = _meter.CreateCounter<long>("deepresearcher_tool_calls_total", description: "Tool calls served, by tool and outcome (ok, or error for soft failures).");
        _cache = _meter.CreateCounter<long>("deepresearcher_tool_cache_total", description: "Tool calls by cache status.");
        _latency = _meter.CreateHistogram("deepresearcher_tool_latency_seconds", "s", "Tool call latency.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
    }

    /// <summary>The meter the instruments belong to (what the server's exporter listens to).</summary>
    public Meter Meter => _meter;

    public void Record(string tool, bool succeeded, CacheStatus cache, double seconds)
    {
        string outcome = succeeded ? "ok" : "error";
        var toolTag = new KeyValuePair<string, object?>("tool", tool);
        _calls.Add(1, toolTag, new KeyValuePair<string, object?>("outcome", outcome));
        _cache.Add(1, toolTag, new KeyValuePair<string, object?>("cache", cache.ToString().ToLowerInvariant()));
        _latency.Record(seconds, toolTag);
        _served.AddOrUpdate((tool, outcome), 1, (_, n) => n + 1);
    }

    /// <summary>Calls served so far with this outcome (what the counter holds, for callers and tests in-process).</summary>
    public long Calls(string tool, string outcome) => _served.GetValueOrDefault((tool, outcome));

    public void Dispose() => _meter.Dispose();
}
