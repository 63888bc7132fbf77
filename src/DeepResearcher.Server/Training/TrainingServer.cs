using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DeepResearcher.Tinker.Service;
using DeepResearcher.Tinker.Wire;
using DeepResearcher.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DeepResearcher.Server.Training;

/// <summary>
/// The Tinker-compatible training server (<c>deepresearcher serve training</c>): the Tinker API's REST routes over
/// <see cref="TinkerService"/>, JSON in and out (the JSON path of the SDK and SkyRL tx; forward_backward's protobuf
/// body is refused with a 415 naming the fix). Refusals are FastAPI's <c>{"detail": ...}</c> with their status; a POST
/// with <c>X-Idempotency-Key</c> seen before gets the response it got then, so a client's retry applies nothing twice.
/// </summary>
public sealed class TrainingServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TrainingServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>The server's root; the SDK's base URL (TINKER_BASE_URL).</summary>
    public Uri BaseUrl { get; }

    public static async Task<TrainingServer> StartAsync(TinkerService service, TrainingServerOptions options, ILoggerProvider? logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        WebApplicationBuilder builder = WebHostStart.CreateBuilder(options.Host, options.Port, service.Options.MaxBodyBytes, logger);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        WebApplication app = builder.Build();
        ILogger log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DeepResearcher.Training");
        var routes = new Routes(service, log);
        app.Use((context, next) => routes.GuardAsync(context, next, options.ApiKey));
        app.MapGet("/api/v1/healthz", (HttpContext c) => Routes.WriteJsonAsync(c, TinkerService.Health()));
        app.MapGet("/api/v1/get_server_capabilities", (HttpContext c) => Routes.WriteJsonAsync(c, service.Capabilities()));
        app.MapPost("/api/v1/client/config", (HttpContext c) => Routes.WriteJsonAsync(c, new Dictionary<string, object> { ["pjwt_auth_enabled"] = false, ["parallel_fwdbwd_chunks"] = false }));
        app.MapPost("/api/v1/create_session", (HttpContext c) => routes.IdempotentAsync<CreateSessionRequest, CreateSessionResponse>(c, service.CreateSessionAsync));
        app.MapPost("/api/v1/session_heartbeat", (HttpContext c) => routes.PlainAsync<SessionHeartbeatRequest, SessionHeartbeatResponse>(c, service.HeartbeatAsync));
        app.MapPost("/api/v1/create_sampling_session", (HttpContext c) => routes.IdempotentAsync<CreateSamplingSessionRequest, CreateSamplingSessionResponse>(c, service.CreateSamplingSessionAsync));
        app.MapPost("/api/v1/create_model", (HttpContext c) => routes.IdempotentAsync<CreateModelRequest, UntypedApiFuture>(c, service.CreateModelAsync));
        app.MapPost("/api/v1/forward", (HttpContext c) => routes.IdempotentAsync<ForwardRequest, UntypedApiFuture>(c, service.ForwardAsync));
        app.MapPost("/api/v1/forward_backward", (HttpContext c) => routes.IdempotentAsync<ForwardBackwardRequest, UntypedApiFuture>(c, service.ForwardBackwardAsync));
        app.MapPost("/api/v1/optim_step", (HttpContext c) => routes.IdempotentAsync<OptimStepRequest, UntypedApiFuture>(c, service.OptimStepAsync));
        app.MapPost("/api/v1/save_weights", (HttpContext c) => routes.IdempotentAsync<SaveWeightsRequest, UntypedApiFuture>(c, service.SaveWeightsAsync));
        app.MapPost("/api/v1/load_weights", (HttpContext c) => routes.IdempotentAsync<LoadWeightsRequest, UntypedApiFuture>(c, service.LoadWeightsAsync));
        app.MapPost("/api/v1/save_weights_for_sampler", (HttpContext c) => routes.IdempotentAsync<SaveWeightsForSamplerRequest, UntypedApiFuture>(c, service.SaveWeightsForSamplerAsync));
        app.MapPost("/api/v1/asample", (HttpContext c) => routes.IdempotentAsync<SampleRequest, UntypedApiFuture>(c, service.SampleAsync));
        app.MapPost("/api/v1/retrieve_future", routes.RetrieveAsync);
        app.MapGet("/api/v1/training_runs/{modelId}/checkpoints", (HttpContext c, string modelId) => routes.ListCheckpointsAsync(c, modelId));
        app.MapGet("/api/v1/models/{modelId}/checkpoints", (HttpContext c, string modelId) => routes.ListCheckpointsAsync(c, modelId));
        app.MapGet("/api/v1/training_runs/{modelId}/checkpoints/{**rest}", (HttpContext c, string modelId, string rest) => routes.CheckpointFileAsync(c, modelId, rest));
        app.MapFallback((HttpContext context) => Routes.WriteErrorAsync(context, 404,
            $"no such endpoint {context.Request.Method} {context.Request.Path}; the Tinker API's routes are under /api/v1/ (docs/tinker.md lists them)"));

        Uri baseUrl = await WebHostStart.StartAsync(app, options.Host, options.Port, cancellationToken);
        return new TrainingServer(app, baseUrl);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private int _disposed;

    private sealed class Routes(TinkerService service, ILogger logger)
    {
        private const string IdempotencyHeader = "X-Idempotency-Key";

        public async Task GuardAsync(HttpContext context, RequestDelegate next, string? apiKey)
        {
            string path = context.Request.Path.Value ?? string.Empty;
            try
            {
                if (apiKey is not null && path.StartsWith("/api/v1/", StringComparison.Ordinal) && path != "/api/v1/healthz" && !Authorized(context.Request, apiKey))
                {
                    throw new TinkerServiceException((int)HttpStatusCode.Unauthorized, "missing or wrong API key; send the key named by serve training's --api-key-env as X-API-Key (the SDK reads it from TINKER_API_KEY)");
                }

                await next(context);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                (int status, string detail) = ex switch
                {
                    TinkerServiceException refusal => (refusal.Status, refusal.Message),
                    JsonException json => (422, $"the body is not the JSON this route takes: {json.Message}"),
                    BadHttpRequestException bad => (bad.StatusCode, $"bad HTTP request: {bad.Message}"),
                    _ => (500, Unexpected(ex, context)),
                };
                if (context.Response.HasStarted)
                {
                    context.Abort();
                    return;
                }

                await WriteErrorAsync(context, status, detail);
            }
        }

        public async Task IdempotentAsync<TRequest, TResponse>(HttpContext context, Func<TRequest, CancellationToken, Task<TResponse>> handle)
        {
            string route = context.Request.Path.Value ?? string.Empty;
            string? key = context.Request.Headers[IdempotencyHeader].FirstOrDefault();
            if (key is { Length: > 0 and <= 256 } && await service.Store.GetIdempotentResponseAsync(key, context.RequestAborted) is { } seen)
            {
                if (seen.Route != route)
                {
                    throw new TinkerServiceException(422, $"{IdempotencyHeader} '{key}' was already used for {seen.Route}; use a new key for each request");
                }

                await WriteRawJsonAsync(context, seen.ResponseJson);
                return;
            }

            TRequest request = await ReadAsync<TRequest>(context);
            TResponse response = await handle(request, context.RequestAborted);
            string json = TinkerJson.Serialize(response);
            if (key is { Length: > 0 and <= 256 })
            {
                await service.Store.PutIdempotentResponseAsync(key, route, json, CancellationToken.None);
            }

            await WriteRawJsonAsync(context, json);
        }

        public async Task PlainAsync<TRequest, TResponse>(HttpContext context, Func<TRequest, CancellationToken, Task<TResponse>> handle)
            => await WriteJsonAsync(context, await handle(await ReadAsync<TRequest>(context), context.RequestAborted));

        public async Task RetrieveAsync(HttpContext context)
            => await WriteRawJsonAsync(context, await service.RetrieveAsync(await ReadAsync<FutureRetrieveRequest>(context), context.RequestAborted));

        public async Task ListCheckpointsAsync(HttpContext context, string modelId)
            => await WriteJsonAsync(context, await service.ListCheckpointsAsync(modelId, context.RequestAborted));

        /// <summary>
        /// <c>.../checkpoints/ID/archive</c> answers 302 to <c>.../ID/download</c> with an Expires header (the SDK's
        /// contract); <c>.../download</c> streams the .tar.gz. ID is <c>sampler_weights/NAME</c>, <c>weights/NAME</c> or NAME.
        /// </summary>
        public async Task CheckpointFileAsync(HttpContext context, string modelId, string rest)
        {
            bool archive = rest.EndsWith("/archive", StringComparison.Ordinal), download = rest.EndsWith("/download", StringComparison.Ordinal);
            if (!archive && !download)
            {
                throw new TinkerServiceException(404, $"no such endpoint GET {context.Request.Path}; use .../checkpoints/ID/archive");
            }

            string checkpointId = rest[..rest.LastIndexOf('/')];
            StoredCheckpoint checkpoint = await service.FindCheckpointAsync(modelId, checkpointId, context.RequestAborted);
            if (archive)
            {
                context.Response.StatusCode = (int)HttpStatusCode.Found;
                context.Response.Headers.Location = $"/api/v1/training_runs/{modelId}/checkpoints/{checkpointId}/download";
                context.Response.Headers.Expires = DateTimeOffset.UtcNow.AddMinutes(120).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
                return;
            }

            context.Response.ContentType = "application/octet-stream";
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{modelId}_{checkpoint.Name}.tar.gz\"";
            await TinkerService.WriteArchiveAsync(checkpoint, context.Response.Body, context.RequestAborted);
        }

        public static async Task WriteJsonAsync<T>(HttpContext context, T value)
            => await WriteRawJsonAsync(context, TinkerJson.Serialize(value));

        public static async Task WriteErrorAsync(HttpContext context, int status, string detail)
        {
            context.Response.Clear();
            context.Response.StatusCode = status;
            if (status == (int)HttpStatusCode.Conflict)
            {
                // A reused seq_id stays a conflict however often it is sent: the SDK, which retries a bare 409, is told not to.
                context.Response.Headers["x-should-retry"] = "false";
            }

            await WriteJsonAsync(context, new ErrorDetail { Detail = detail });
        }

        private static async Task WriteRawJsonAsync(HttpContext context, string json)
        {
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(json), context.RequestAborted);
        }

        private async Task<T> ReadAsync<T>(HttpContext context)
        {
            HttpRequest request = context.Request;
            long max = service.Options.MaxBodyBytes;
            if (request.ContentLength > max)
            {
                throw new TinkerServiceException((int)HttpStatusCode.RequestEntityTooLarge, $"the body has {request.ContentLength} bytes, more than this server's {max}; send fewer datums per request (or raise --max-body-bytes)");
            }

            if (request.ContentType?.Contains("protobuf", StringComparison.OrdinalIgnoreCase) == true)
            {
                throw new TinkerServiceException((int)HttpStatusCode.UnsupportedMediaType, "this server reads JSON bodies only; the SDK's protobuf forward_backward is not served (use an SDK before 0.25, DeepResearcher's TinkerBackend, or SkyRL tx)");
            }

            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > max)
                {
                    throw new TinkerServiceException((int)HttpStatusCode.RequestEntityTooLarge, $"the body is over this server's {max} bytes; send fewer datums per request (or raise --max-body-bytes)");
                }

                buffer.Write(chunk, 0, read);
            }

            if (buffer.Length == 0)
            {
                throw new TinkerServiceException(422, "the body is empty; this route takes a JSON object");
            }

            return JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), TinkerJson.Options)
                ?? throw new TinkerServiceException(422, "the body is null; this route takes a JSON object");
        }

        private string Unexpected(Exception ex, HttpContext context)
        {
            logger.LogError(ex, "{Method} {Path} failed", context.Request.Method, context.Request.Path.Value);
            return $"the training server failed on this request ({ex.GetType().Name}: {ex.Message}); the failure is in its log";
        }

        private static bool Authorized(HttpRequest request, string apiKey)
        {
            string given = request.Headers["X-API-Key"].ToString();
            const string Bearer = "Bearer ";
            string authorization = request.Headers.Authorization.ToString();
            if (given.Length == 0 && authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
            {
                given = authorization[Bearer.Length..].Trim();
            }

            return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(apiKey));
        }
    }
}
