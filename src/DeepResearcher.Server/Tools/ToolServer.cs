using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Observability;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Server.Observability;
using DeepResearcher.Web.Remote;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DeepResearcher.Server.Tools;

/// <summary>
/// The tool server: <c>POST /v1/tools/web_search</c>, <c>/v1/tools/browse_webpage</c> and <c>/v1/tools/batch</c>,
/// <c>GET /healthz</c> and <c>/metrics</c>. Every call has a deadline and every failure becomes a result, so a
/// caller never waits on a hung request; bad requests get a 400 that says what is wrong.
/// </summary>
public sealed class ToolServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ToolServer(WebApplication app, ToolServerMetrics metrics, Uri baseUrl)
    {
        _app = app;
        Metrics = metrics;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public ToolServerMetrics Metrics { get; }

    public static async Task<ToolServer> StartAsync(IToolbox toolbox, ToolServerOptions options, ILoggerProvider? logger, CancellationToken cancellationToken)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://{options.Host}:{options.Port}");
        // A backstop for bodies without a Content-Length; the endpoints refuse oversize bodies themselves with a clear 413.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes + 1);
        builder.Logging.ClearProviders();
        if (logger is not null)
        {
            builder.Logging.AddProvider(logger);
        }

        var metrics = new ToolServerMetrics();
        PrometheusEndpoint.AddMeters(builder, "deepresearcher-tools", [metrics.Meter, .. options.Meters]);
        WebApplication app = builder.Build();
        ILogger log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DeepResearcher.Tools");
        var endpoints = new Endpoints(toolbox, metrics, options, log);
        app.Use((context, next) => RequestFailures.GuardAsync(context, next, log));
        app.MapPost("/v1/tools/{name}", endpoints.CallAsync);
        app.MapPost("/v1/tools/batch", (Func<HttpContext, Task<IResult>>)endpoints.BatchAsync);
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" }));
        PrometheusEndpoint.Map(app);
        app.MapFallback(() => Results.Json(new { error = "no such endpoint; use POST /v1/tools/web_search, /v1/tools/browse_webpage or /v1/tools/batch, GET /healthz or /metrics" }, statusCode: (int)HttpStatusCode.NotFound));

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            await app.DisposeAsync();
            metrics.Dispose();
            throw new InvalidOperationException($"port {options.Port} on {options.Host} is already in use; pick another with --port (0 picks a free one)", ex);
        }

        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new ToolServer(app, metrics, new Uri(address.TrimEnd('/') + "/"));
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Metrics.Dispose();
    }

    private sealed class Endpoints(IToolbox toolbox, ToolServerMetrics metrics, ToolServerOptions options, ILogger logger)
    {
        /// <summary>Longest error text written to the log; a call's error can quote its (capped, but still long) queries.</summary>
        private const int MaxLoggedErrorChars = 600;

        private readonly TrajectoryCallGate _gate = new(options.MaxConcurrentCallsPerTrajectory);

        public async Task<IResult> CallAsync(string name, HttpContext context)
        {
            if (name != ResearchTools.WebSearchName && name != ResearchTools.BrowseWebpageName)
            {
                return Results.Json(new { error = $"unknown tool '{name}'; use web_search, browse_webpage or batch" }, statusCode: (int)HttpStatusCode.NotFound);
            }

            ToolRequestBody body = await ToolRequestBody.ReadAsync(context.Request, options.MaxBodyBytes, context.RequestAborted);
            if (body.Refusal is not null)
            {
                return body.Refusal;
            }

            if (body.Json is not JsonObject json)
            {
                return BadRequest($"the body must be a JSON object (got {Kind(body.Json)})");
            }

            (ToolCall Call, ToolContext Context) parsed;
            try
            {
                parsed = ToolWireFormat.CallFromJson(json, name);
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException)
            {
                return BadRequest(ex.Message);
            }

            if (ToolCallCaps.Check(parsed.Call, parsed.Context, options) is { } capped)
            {
                return BadRequest(capped);
            }

            if (!_gate.TryEnter([parsed.Context.TrajectoryId], out string? busy))
            {
                return TooMany(busy);
            }

            try
            {
                return Results.Json(await ExecuteAsync(parsed.Call, parsed.Context, context.RequestAborted));
            }
            finally
            {
                _gate.Exit([parsed.Context.TrajectoryId]);
            }
        }

        public async Task<IResult> BatchAsync(HttpContext context)
        {
            ToolRequestBody body = await ToolRequestBody.ReadAsync(context.Request, options.MaxBodyBytes, context.RequestAborted);
            if (body.Refusal is not null)
            {
                return body.Refusal;
            }

            if (body.Json?["calls"] is not JsonArray calls || body.Json is not JsonObject)
            {
                return BadRequest("the body must be {\"calls\": [ {\"name\", \"arguments\" or \"query\"/\"url_list\", \"trajectory_id\", \"question\"}, … ]}");
            }

            if (calls.Count > options.MaxBatchSize)
            {
                return BadRequest($"a batch holds at most {options.MaxBatchSize} calls (got {calls.Count}); split it, or raise --max-batch");
            }

            var parsed = new List<(ToolCall, ToolContext)>(calls.Count);
            for (int i = 0; i < calls.Count; i++)
            {
                try
                {
                    (ToolCall call, ToolContext callContext) = ToolWireFormat.CallFromJson(calls[i] as JsonObject ?? throw new FormatException($"not an object (got {Kind(calls[i])})"));
                    if (call.Name != ResearchTools.WebSearchName && call.Name != ResearchTools.BrowseWebpageName)
                    {
                        return BadRequest($"calls[{i}]: unknown tool '{call.Name}'; use web_search or browse_webpage");
                    }

                    if (ToolCallCaps.Check(call, callContext, options) is { } capped)
                    {
                        return BadRequest($"calls[{i}]: {capped}");
                    }

                    parsed.Add((call, callContext));
                }
                catch (Exception ex) when (ex is FormatException or InvalidOperationException)
                {
                    return BadRequest($"calls[{i}]: {ex.Message}");
                }
            }

            string[] trajectories = [.. parsed.Select(p => p.Item2.TrajectoryId)];
            if (!_gate.TryEnter(trajectories, out string? busy))
            {
                return TooMany(busy);
            }

            try
            {
                JsonObject[] results = await Task.WhenAll(parsed.Select(p => ExecuteAsync(p.Item1, p.Item2, context.RequestAborted)));
                return Results.Json(new JsonObject { ["results"] = new JsonArray([.. results]) });
            }
            finally
            {
                _gate.Exit(trajectories);
            }
        }

        private async Task<JsonObject> ExecuteAsync(ToolCall call, ToolContext context, CancellationToken aborted)
        {
            var clock = Stopwatch.StartNew();
            using Activity? span = ServerTracing.Source.StartActivity(ActivityKind.Internal, tags:
                [new(ResearchTracing.TrajectoryIdTag, context.TrajectoryId), new(ResearchTracing.ToolTag, call.Name)], name: "tool_server.call");
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
            deadline.CancelAfter(options.CallTimeout);
            ToolResult result;
            try
            {
                result = await toolbox.ExecuteAsync(call, context, deadline.Token);
            }
            catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
            {
                result = ToolResult.Failure($"{call.Name} timed out after {options.CallTimeout.TotalSeconds:0} s on the tool server");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                result = ToolResult.Failure($"{call.Name} failed on the tool server: {ex.GetType().Name}: {ex.Message}");
            }

            metrics.Record(call.Name, result.Error is null, result.Cache, clock.Elapsed.TotalSeconds);
            span?.SetTag(ResearchTracing.CacheTag, result.Cache.ToString().ToLowerInvariant());
            if (result.Error is not null)
            {
                span?.SetStatus(ActivityStatusCode.Error, result.Error);
            }

            if (result.Error is not null)
            {
                // Once per failed call, with its cause; successes are counted in /metrics, not logged one by one.
                logger.LogWarning("{Tool} failed for trajectory {Trajectory} after {Ms:F0} ms: {Error}", call.Name, context.TrajectoryId, clock.Elapsed.TotalMilliseconds, RequestFailures.Clip(result.Error, MaxLoggedErrorChars));
            }

            return ToolWireFormat.ResultToJson(result, clock.Elapsed.TotalMilliseconds);
        }

        private static string Kind(JsonNode? node) => node switch
        {
            null => "null",
            JsonArray => "an array",
            JsonObject => "an object",
            _ => node.GetValueKind().ToString().ToLowerInvariant(),
        };

        private static IResult BadRequest(string message) => Results.Json(new { error = message }, statusCode: (int)HttpStatusCode.BadRequest);

        private static IResult TooMany(string message) => Results.Json(new { error = message }, statusCode: (int)HttpStatusCode.TooManyRequests);
    }
}
