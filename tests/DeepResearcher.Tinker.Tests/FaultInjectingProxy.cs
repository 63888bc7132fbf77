using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeepResearcher.Tinker.Tests;

/// <summary>
/// A loopback HTTP proxy in front of a training server that answers the first <see cref="FailuresLeft"/> requests to
/// one route with a status (a 429 storm by default) and forwards everything else, recording the idempotency key of
/// every request to that route.
/// </summary>
internal sealed class FaultInjectingProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _forward = new() { Timeout = TimeSpan.FromMinutes(5) };
    private int _failuresLeft;

    private FaultInjectingProxy(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public required Uri Target { get; init; }

    public required string Route { get; init; }

    public int Status { get; init; } = 429;

    public int FailuresLeft { get => Volatile.Read(ref _failuresLeft); init => _failuresLeft = value; }

    public ConcurrentQueue<string?> IdempotencyKeys { get; } = new();

    public static async Task<FaultInjectingProxy> StartAsync(Uri target, string route, int failures, CancellationToken cancellationToken)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        FaultInjectingProxy? proxy = null;
        app.Run(context => proxy!.HandleAsync(context));
        await app.StartAsync(cancellationToken);
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        proxy = new FaultInjectingProxy(app, new Uri(address.TrimEnd('/') + "/")) { Target = target, Route = route, FailuresLeft = failures };
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _forward.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        string path = context.Request.Path.Value ?? string.Empty;
        if (path == Route)
        {
            IdempotencyKeys.Enqueue(context.Request.Headers["X-Idempotency-Key"].FirstOrDefault());
            if (Interlocked.Decrement(ref _failuresLeft) >= 0)
            {
                context.Response.StatusCode = Status;
                await context.Response.WriteAsync("{\"detail\": \"injected fault\"}", context.RequestAborted);
                return;
            }
        }

        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(Target, path.TrimStart('/') + context.Request.QueryString));
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        if (body.Length > 0)
        {
            request.Content = new ByteArrayContent(body.ToArray());
            request.Content.Headers.TryAddWithoutValidation("Content-Type", context.Request.ContentType);
        }

        foreach (var header in context.Request.Headers.Where(h => h.Key.StartsWith("X-", StringComparison.OrdinalIgnoreCase)))
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
        }

        using HttpResponseMessage response = await _forward.SendAsync(request, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        if (response.Content.Headers.ContentType is { } type)
        {
            context.Response.ContentType = type.ToString();
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}
