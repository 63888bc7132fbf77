using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace DeepResearcher.Server.Observability;

/// <summary>
/// <c>GET /metrics</c> of a server: the OpenTelemetry Prometheus exporter over exactly the meters given. Instruments of
/// other meters with the same name (another server in the same process, a test's) are dropped by a view, since
/// OpenTelemetry selects meters by name only.
/// </summary>
internal static class PrometheusEndpoint
{
    public const string Path = "/metrics";

    public static void AddMeters(WebApplicationBuilder builder, string serviceName, IReadOnlyList<Meter> meters)
    {
        string[] names = [.. meters.Select(m => m.Name).Distinct(StringComparer.Ordinal)];
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics => metrics
                .AddMeter(names)
                .AddView(instrument => meters.Contains(instrument.Meter) ? null : MetricStreamConfiguration.Drop)
                // No response cache: a scrape right after a call shows that call.
                .AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0));
    }

    public static void Map(WebApplication app) => app.MapPrometheusScrapingEndpoint(Path);
}
