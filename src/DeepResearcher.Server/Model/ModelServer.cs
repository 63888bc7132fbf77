using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DeepResearcher.Server.Observability;
using DeepResearcher.Serving;
using DeepResearcher.Serving.Generation;
using DeepResearcher.Serving.Wire;
using DeepResearcher.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DeepResearcher.Server.Model;

/// <summary>
/// The OpenAI-compatible model server: <c>GET /v1/models</c>, <c>POST /v1/chat/completions</c> and
/// <c>/v1/completions</c> (whole or as server-sent events), <c>GET /health</c> and <c>/metrics</c>. A thin host over
/// <see cref="CompletionService"/>: every refusal is OpenAI's error JSON with its status, and a client that goes away
/// cancels its generation.
/// </summary>
public sealed class ModelServer : IAsyncDisposable
{
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    private readonly WebApplication _app;

    private ModelServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>The server's root; the OpenAI base URL is this plus <c>v1/</c>.</summary>
    public Uri BaseUrl { get; }

    public static async Task<ModelServer> StartAsync(CompletionService service, ModelServerOptions options, ILoggerProvider? logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        WebApplicationBuilder builder = WebHostStart.CreateBuilder(options.Host, options.Port, service.Options.MaxBodyBytes, logger);

        PrometheusEndpoint.AddMeters(builder, "deepresearcher-model", [service.Metrics.Meter]);
        WebApplication app = builder.Build();
        ILogger log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DeepResearcher.Model");
        var endpoints = new Endpoints(service, log);
        app.Use((context, next) => endpoints.GuardAsync(context, next, options.ApiKey));
        app.MapGet("/v1/models", () => Results.Text(WireJson.Serialize(service.ListModels()), "application/json"));
        app.MapPost("/v1/chat/completions", endpoints.ChatAsync);
        app.MapPost("/v1/completions", endpoints.CompletionAsync);
        app.MapGet("/health", () => Results.Ok());
        PrometheusEndpoint.Map(app);
        app.MapFallback((HttpContext context) => Endpoints.WriteErrorAsync(context, new ServingException((int)HttpStatusCode.NotFound,
            $"no such endpoint {context.Request.Method} {context.Request.Path}; use GET /v1/models, POST /v1/chat/completions or /v1/completions, GET /health or /metrics", code: "unknown_url")));

        Uri baseUrl = await WebHostStart.StartAsync(app, options.Host, options.Port, cancellationToken);
        return new ModelServer(app, baseUrl);
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class Endpoints(CompletionService service, ILogger logger)
    {
        private static readonly HashSet<string> KnownRoutes = new(StringComparer.Ordinal) { "/v1/models", "/v1/chat/completions", "/v1/completions" };

        public async Task GuardAsync(HttpContext context, RequestDelegate next, string? apiKey)
        {
            string path = context.Request.Path.Value ?? string.Empty;
            try
            {
                if (apiKey is not null && path.StartsWith("/v1/", StringComparison.Ordinal) && !Authorized(context.Request, apiKey))
                {
                    throw new ServingException((int)HttpStatusCode.Unauthorized, "missing or wrong API key; send the key named by serve model's --api-key-env as 'Authorization: Bearer KEY'", code: "invalid_api_key");
                }

                await next(context);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away: its generation is cancelled and there is nobody to answer.
                return;
            }
            catch (Exception ex)
            {
                ServingException error = ex as ServingException ?? Unexpected(ex, context);
                if (context.Response.HasStarted)
                {
                    context.Abort();
                    return;
                }

                await WriteErrorAsync(context, error);
            }
            finally
            {
                // Known routes only: a label per arbitrary path would let any client grow the scrape without bound.
                if (path.StartsWith("/v1/", StringComparison.Ordinal))
                {
                    service.Metrics.Request(KnownRoutes.Contains(path) ? path : "other", context.Response.StatusCode);
                }
            }
        }

        public async Task ChatAsync(HttpContext context)
        {
            var body = await ModelRequestBody.ReadAsync(context.Request, service.Options.MaxBodyBytes, context.RequestAborted);
            await using ChatCompletionJob job = service.StartChat(body);
            if (job.Stream)
            {
                await StreamAsync(context, job.StreamAsync(context.RequestAborted));
                return;
            }

            await WriteJsonAsync(context, await job.CompleteAsync(context.RequestAborted));
        }

        public async Task CompletionAsync(HttpContext context)
        {
            var body = await ModelRequestBody.ReadAsync(context.Request, service.Options.MaxBodyBytes, context.RequestAborted);
            await using TextCompletionJob job = service.StartCompletion(body);
            if (job.Stream)
            {
                await StreamAsync(context, job.StreamAsync(context.RequestAborted));
                return;
            }

            await WriteJsonAsync(context, await job.CompleteAsync(context.RequestAborted));
        }

        public static async Task WriteErrorAsync(HttpContext context, ServingException error)
        {
            context.Response.Clear();
            context.Response.StatusCode = error.Status;
            if (error.RetryAfterSeconds is { } seconds)
            {
                context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            await WriteJsonAsync(context, error.ToEnvelope());
        }

        private async Task StreamAsync<T>(HttpContext context, IAsyncEnumerable<T> chunks)
        {
            HttpResponse response = context.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            await response.StartAsync(context.RequestAborted);
            try
            {
                await foreach (T chunk in chunks)
                {
                    await WriteEventAsync(response, JsonSerializer.SerializeToUtf8Bytes(chunk, WireJson.Options), context.RequestAborted);
                }
            }
            catch (ServingException error)
            {
                // The status is already sent: the error goes down the stream, as vLLM sends it.
                logger.LogError("stream of {Path} failed: {Message}", context.Request.Path.Value, error.Message);
                await WriteEventAsync(response, JsonSerializer.SerializeToUtf8Bytes(error.ToEnvelope(), WireJson.Options), context.RequestAborted);
            }

            await response.Body.WriteAsync(Done, context.RequestAborted);
            await response.Body.FlushAsync(context.RequestAborted);
        }

        private static async Task WriteEventAsync(HttpResponse response, byte[] json, CancellationToken cancellationToken)
        {
            await response.Body.WriteAsync("data: "u8.ToArray(), cancellationToken);
            await response.Body.WriteAsync(json, cancellationToken);
            await response.Body.WriteAsync("\n\n"u8.ToArray(), cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
        }

        private static async Task WriteJsonAsync<T>(HttpContext context, T value)
        {
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(value, WireJson.Options), context.RequestAborted);
        }

        private ServingException Unexpected(Exception ex, HttpContext context)
        {
            if (ex is BadHttpRequestException bad)
            {
                return new ServingException(bad.StatusCode, $"bad HTTP request: {ex.Message}");
            }

            logger.LogError(ex, "{Method} {Path} failed", context.Request.Method, context.Request.Path.Value);
            return new ServingException((int)HttpStatusCode.InternalServerError, $"the model server failed on this request ({ex.GetType().Name}: {ex.Message}); the failure is in its log");
        }

        private static bool Authorized(HttpRequest request, string apiKey)
        {
            string header = request.Headers.Authorization.ToString();
            const string Bearer = "Bearer ";
            if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
            byte[] given = Encoding.UTF8.GetBytes(header[Bearer.Length..].Trim());
            byte[] expected = Encoding.UTF8.GetBytes(apiKey);
            return CryptographicOperations.FixedTimeEquals(given, expected);
        }
    }
}
