using System.Net;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Observability;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Server.Observability;
using DeepResearcher.Web.Remote;
using DeepResearcher.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DeepResearcher.Server.Tools;

/// <summary>
/// The tool server: <c>POST /v1/tools/web_search</c>, <c>/v1/tools/browse_webpage</c> and <c>/v1/tools/batch</c>,
/// <c>GET /healthz</c> and <c>/metrics</c>, and with <see cref="ToolServerOptions.ServeMcp"/> the same tools over the Model
/// Context Protocol at <c>/mcp</c> (<see cref="McpToolService"/>). Every call has a deadline and every failure becomes a result, so a
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

    /// <summary>Where the MCP endpoint is, when <see cref="ToolServerOptions.ServeMcp"/> is on.</summary>
    public const string McpPath = "/mcp";

    public Uri BaseUrl { get; }

    /// <summary>The MCP endpoint (streamable HTTP), or null when the server does not serve MCP.</summary>
    public Uri? McpUrl { get; private init; }

    public ToolServerMetrics Metrics { get; }

    public static async Task<ToolServer> StartAsync(IToolbox toolbox, ToolServerOptions options, ILoggerProvider? logger, CancellationToken cancellationToken)
    {
        WebApplicationBuilder builder = WebHostStart.CreateBuilder(options.Host, options.Port, options.MaxBodyBytes, logger);

        // The MCP handlers need the runner, which needs the app's logger: they find it here once the app is built.
        McpToolService? mcp = null;
        if (options.ServeMcp)
        {
            builder.Services.AddMcpServer(server =>
                {
                    server.ServerInfo = McpToolService.Info;
                    server.ServerInstructions = McpToolService.Instructions;
                    server.Capabilities = McpToolService.Capabilities;
                })
                .WithHttpTransport()
                .WithListToolsHandler((request, ct) => mcp!.ListToolsAsync(request, ct))
                .WithCallToolHandler((request, ct) => mcp!.CallToolAsync(request, ct));
        }

        var metrics = new ToolServerMetrics();
        PrometheusEndpoint.AddMeters(builder, "deepresearcher-tools", [metrics.Meter, .. options.Meters]);
        WebApplication app = builder.Build();
        ILogger log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DeepResearcher.Tools");
        var runner = new ToolCallRunner(toolbox, metrics, options, log);
        var endpoints = new Endpoints(runner, options);
        app.Use((context, next) => RequestFailures.GuardAsync(context, next, log));
        if (options.ServeMcp)
        {
            mcp = new McpToolService(runner);
            app.MapMcp(McpPath);
        }

        app.MapPost("/v1/tools/{name}", endpoints.CallAsync);
        app.MapPost("/v1/tools/batch", (Func<HttpContext, Task<IResult>>)endpoints.BatchAsync);
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" }));
        PrometheusEndpoint.Map(app);
        string known = "POST /v1/tools/web_search, /v1/tools/browse_webpage or /v1/tools/batch, " + (options.ServeMcp ? $"MCP at {McpPath}, " : string.Empty) + "GET /healthz or /metrics";
        app.MapFallback(() => Results.Json(new { error = "no such endpoint; use " + known }, statusCode: (int)HttpStatusCode.NotFound));

        Uri baseUrl;
        try
        {
            baseUrl = await WebHostStart.StartAsync(app, options.Host, options.Port, cancellationToken);
        }
        catch (InvalidOperationException)
        {
            metrics.Dispose();
            throw;
        }

        return new ToolServer(app, metrics, baseUrl) { McpUrl = options.ServeMcp ? new Uri(baseUrl, McpPath.TrimStart('/')) : null };
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Metrics.Dispose();
    }

    private sealed class Endpoints(ToolCallRunner runner, ToolServerOptions options)
    {
        public async Task<IResult> CallAsync(string name, HttpContext context)
        {
            if (!ToolCallRunner.Serves(name))
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

            if (runner.Refusal(parsed.Call, parsed.Context) is { } capped)
            {
                return BadRequest(capped);
            }

            if (!runner.TryEnter([parsed.Context.TrajectoryId], out string? busy))
            {
                return TooMany(busy);
            }

            try
            {
                return Results.Json(await ExecuteAsync(parsed.Call, parsed.Context, context.RequestAborted));
            }
            finally
            {
                runner.Exit([parsed.Context.TrajectoryId]);
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
                    if (!ToolCallRunner.Serves(call.Name))
                    {
                        return BadRequest($"calls[{i}]: unknown tool '{call.Name}'; use web_search or browse_webpage");
                    }

                    if (runner.Refusal(call, callContext) is { } capped)
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
            if (!runner.TryEnter(trajectories, out string? busy))
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
                runner.Exit(trajectories);
            }
        }

        private async Task<JsonObject> ExecuteAsync(ToolCall call, ToolContext context, CancellationToken aborted)
        {
            (ToolResult result, double latencyMs) = await runner.ExecuteAsync(call, context, aborted);
            return ToolWireFormat.ResultToJson(result, latencyMs);
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
