using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
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
        builder.Logging.ClearProviders();
        if (logger is not null)
        {
            builder.Logging.AddProvider(logger);
        }

        WebApplication app = builder.Build();
        var metrics = new ToolServerMetrics();
        var endpoints = new Endpoints(toolbox, metrics, options, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DeepResearcher.Tools"));
        app.MapPost("/v1/tools/{name}", endpoints.CallAsync);
        app.MapPost("/v1/tools/batch", (Func<HttpContext, Task<IResult>>)endpoints.BatchAsync);
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" }));
        app.MapGet("/metrics", () => Results.Text(metrics.Render(), "text/plain; version=0.0.4"));

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            await app.DisposeAsync();
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
    }

    private sealed class Endpoints(IToolbox toolbox, ToolServerMetrics metrics, ToolServerOptions options, ILogger logger)
    {
        public async Task<IResult> CallAsync(string name, HttpContext context)
        {
            if (name != ResearchTools.WebSearchName && name != ResearchTools.BrowseWebpageName)
            {
                return Results.Json(new { error = $"unknown tool '{name}'; use web_search, browse_webpage or batch" }, statusCode: (int)HttpStatusCode.NotFound);
            }

            JsonObject? body = await ReadBodyAsync(context);
            if (body is null)
            {
                return BadRequest("the body must be a JSON object");
            }

            (ToolCall Call, ToolContext Context) parsed;
            try
            {
                parsed = ToolWireFormat.CallFromJson(body, name);
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException)
            {
                return BadRequest(ex.Message);
            }

            return Results.Json(await ExecuteAsync(parsed.Call, parsed.Context, context.RequestAborted));
        }

        public async Task<IResult> BatchAsync(HttpContext context)
        {
            JsonObject? body = await ReadBodyAsync(context);
            if (body?["calls"] is not JsonArray calls)
            {
                return BadRequest("the body must be {\"calls\": [ {\"name\", \"arguments\" or \"query\"/\"url_list\", \"trajectory_id\", \"question\"}, … ]}");
            }

            if (calls.Count > options.MaxBatchSize)
            {
                return BadRequest($"a batch holds at most {options.MaxBatchSize} calls (got {calls.Count})");
            }

            var parsed = new List<(ToolCall, ToolContext)>(calls.Count);
            for (int i = 0; i < calls.Count; i++)
            {
                try
                {
                    parsed.Add(ToolWireFormat.CallFromJson(calls[i] as JsonObject ?? throw new FormatException("not an object")));
                }
                catch (Exception ex) when (ex is FormatException or InvalidOperationException)
                {
                    return BadRequest($"calls[{i}]: {ex.Message}");
                }
            }

            JsonObject[] results = await Task.WhenAll(parsed.Select(p => ExecuteAsync(p.Item1, p.Item2, context.RequestAborted)));
            return Results.Json(new JsonObject { ["results"] = new JsonArray([.. results]) });
        }

        private async Task<JsonObject> ExecuteAsync(ToolCall call, ToolContext context, CancellationToken aborted)
        {
            var clock = Stopwatch.StartNew();
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
            if (result.Error is not null)
            {
                // Once per failed call, with its cause; successes are counted in /metrics, not logged one by one.
                logger.LogWarning("{Tool} failed for trajectory {Trajectory} after {Ms:F0} ms: {Error}", call.Name, context.TrajectoryId, clock.Elapsed.TotalMilliseconds, result.Error);
            }

            return ToolWireFormat.ResultToJson(result, clock.Elapsed.TotalMilliseconds);
        }

        private static async Task<JsonObject?> ReadBodyAsync(HttpContext context)
        {
            try
            {
                return await context.Request.ReadFromJsonAsync<JsonObject>(context.RequestAborted);
            }
            catch (System.Text.Json.JsonException)
            {
                return null;
            }
        }

        private static IResult BadRequest(string message) => Results.Json(new { error = message }, statusCode: (int)HttpStatusCode.BadRequest);
    }
}
