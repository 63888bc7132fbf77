using DeepResearcher.Core.Observability;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DeepResearcher.Cli.Observability;

/// <summary>
/// <c>--otlp-endpoint</c>: the project's spans (every <c>DeepResearcher.*</c> source, and ASP.NET Core's request spans
/// of the servers this process hosts) and meters, exported over OTLP/HTTP protobuf to <c>/v1/traces</c> and
/// <c>/v1/metrics</c> under the endpoint. Export runs on the SDK's background batch; a collector that is down or
/// slow costs failed background posts, never the run: each post gives up after <see cref="ExportTimeoutMs"/>, and
/// shutdown waits at most <see cref="ShutdownTimeoutMs"/> for the last batch.
/// </summary>
internal sealed class OtlpExport : IDisposable
{
    public const int ExportTimeoutMs = 5000;
    public const int ShutdownTimeoutMs = 3000;

    private readonly TracerProvider _tracer;
    private readonly MeterProvider _meters;

    private OtlpExport(TracerProvider tracer, MeterProvider meters)
    {
        _tracer = tracer;
        _meters = meters;
    }

    /// <param name="endpoint">The collector's OTLP/HTTP base, e.g. <c>http://127.0.0.1:4318</c>.</param>
    /// <param name="serviceName">The <c>service.name</c> resource attribute (which command this is).</param>
    public static OtlpExport Start(Uri endpoint, string serviceName)
    {
        string sources = ResearchTracing.SourcePrefix + "*";
        TracerProvider tracer = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .AddSource(sources, "Microsoft.AspNetCore")
            .AddOtlpExporter(options => Configure(options, endpoint, "v1/traces"))
            .Build();
        MeterProvider meters = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .AddMeter(sources)
            .AddOtlpExporter((options, reader) =>
            {
                Configure(options, endpoint, "v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 10_000;
            })
            .Build();
        return new OtlpExport(tracer, meters);
    }

    public void Dispose()
    {
        _tracer.Shutdown(ShutdownTimeoutMs);
        _meters.Shutdown(ShutdownTimeoutMs);
        _tracer.Dispose();
        _meters.Dispose();
    }

    private static void Configure(OtlpExporterOptions options, Uri endpoint, string signal)
    {
        // Set in code, the endpoint is used as given (only the OTEL_EXPORTER_OTLP_ENDPOINT variable gets the signal's path appended).
        options.Endpoint = new Uri(endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/" + signal);
        options.Protocol = OtlpExportProtocol.HttpProtobuf;
        options.TimeoutMilliseconds = ExportTimeoutMs;
    }
}
