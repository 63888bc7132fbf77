using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeepResearcher.Web.Tests.Fakes;

/// <summary>
/// A loopback HTTP server standing in for a search provider: it answers every request, whatever the path, with the next scripted
/// <see cref="FakeReply"/> (or <see cref="Fallback"/>) and records what it was sent, so tests check both directions of the wire.
/// </summary>
public sealed class FakeSearchServer : IAsyncDisposable
{
    /// <summary>Hard cap so a runaway retry loop fails the test instead of spinning.</summary>
    public const int MaxRequests = 500;

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeReply> _replies = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private FakeSearchServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public FakeReply Fallback { get; set; } = FakeReply.Raw(500, """{"message":"the test script has no more replies"}""");

    public static async Task<FakeSearchServer> StartAsync(CancellationToken cancellationToken)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var server = new FakeSearchServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public FakeSearchServer Enqueue(params FakeReply[] replies)
    {
        foreach (FakeReply reply in replies)
        {
            _replies.Enqueue(reply);
        }

        return this;
    }

    private async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        string body = await new StreamReader(request.Body).ReadToEndAsync(context.RequestAborted);
        _requests.Enqueue(new RecordedRequest(
            request.Method,
            request.Path.Value ?? "/",
            request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal),
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body));
        FakeReply reply = _requests.Count > MaxRequests
            ? FakeReply.Raw(500, """{"message":"too many requests to the fake server"}""")
            : _replies.TryDequeue(out FakeReply? next) ? next : Fallback;
        if (reply.Delay > TimeSpan.Zero)
        {
            await Task.Delay(reply.Delay, context.RequestAborted);
        }

        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = reply.ContentType;
        foreach ((string name, string value) in reply.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(reply.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
