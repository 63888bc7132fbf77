using System.Net;
using System.Text;
using DeepResearcher.World.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeepResearcher.World.Serving;

/// <summary>
/// Serves a world over HTTP on 127.0.0.1: GET pages (/wiki/…, /mirror/…, /fans/…, /forum/…, /list/…, /), 301 redirects for
/// aliases and /entity/{id}, 404 and 500 pages, slow pages, GET /search?q= (HTML results) and POST /search (Serper format).
/// </summary>
public static class WorldWebServer
{
    /// <summary>Binds 127.0.0.1:<paramref name="port"/> (0 = any free port); search answers link to <see cref="WorldOrigin.Uri"/>. A port in use gives an <see cref="IOException"/> saying so.</summary>
    public static Task<RunningWorldServer> StartAsync(WorldDirectory world, int port, CancellationToken ct)
        => StartAsync(world, port, WorldOrigin.Uri, ct);

    /// <summary>
    /// Binds 127.0.0.1:<paramref name="port"/> (0 = any free port). The links of POST /search answers start with
    /// <paramref name="publicBase"/>: the world's virtual origin for the toolbox, or an address a person can open (a
    /// proxy's); null = the address each request came to (this server's own, for curl). A port in use gives an
    /// <see cref="IOException"/> saying so.
    /// </summary>
    public static async Task<RunningWorldServer> StartAsync(WorldDirectory world, int port, Uri? publicBase, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(world);
        if (port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(port), port, "Port must be between 0 and 65535 (0 picks a free port).");
        if (publicBase is not null && (!publicBase.IsAbsoluteUri || (publicBase.Scheme != Uri.UriSchemeHttp && publicBase.Scheme != Uri.UriSchemeHttps) || publicBase.Query.Length > 0 || publicBase.Fragment.Length > 0))
        {
            throw new ArgumentException($"the public base '{publicBase}' is not an absolute http(s) URL without query or fragment, e.g. http://127.0.0.1:8080", nameof(publicBase));
        }

        string? linkBase = publicBase?.GetLeftPart(UriPartial.Path).TrimEnd('/');
        // The empty builder reads no appsettings.json, environment variables or command line, so nothing in the host process
        // (ASPNETCORE_URLS, a "Kestrel" config section) can add endpoints beyond loopback or turn on request logging.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(WorldWebServer).Assembly.GetName().Name, Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, EmbeddedHostLifetime>();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Listen(IPAddress.Loopback, port);
        });
        var app = builder.Build();
        var cache = new PageCache(world.Renderer);
        app.Run(ctx => HandleAsync(ctx, world, cache, linkBase));
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new PortInUseException(port, ex);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        string? bound = addresses?.FirstOrDefault();
        if (bound is null)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException("Kestrel started but reported no bound address.");
        }
        return new RunningWorldServer(app, new Uri(bound.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal)), linkBase is null ? null : new Uri(linkBase));
    }

    private static async Task HandleAsync(HttpContext ctx, WorldDirectory world, PageCache cache, string? linkBase)
    {
        var request = ctx.Request;
        string path = request.Path.HasValue ? request.Path.Value! : "/";
        if (path == "/search")
        {
            if (HttpMethods.IsPost(request.Method))
            {
                await SerperEndpoint.HandleAsync(ctx, world.SearchIndex, linkBase ?? request.Scheme + "://" + request.Host.Value).ConfigureAwait(false);
                return;
            }
            if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            {
                await WriteHtmlAsync(ctx, 200, Encoding.UTF8.GetBytes(SearchResultsPage.Render(world.SearchIndex, request.Query["q"].ToString()))).ConfigureAwait(false);
                return;
            }
        }
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            ctx.Response.StatusCode = 405;
            ctx.Response.Headers.Allow = "GET, HEAD";
            return;
        }
        var page = cache.Get(path);
        if (page.DelayMs > 0) await Task.Delay(page.DelayMs, ctx.RequestAborted).ConfigureAwait(false);
        if (page.Status is 301)
        {
            ctx.Response.StatusCode = 301;
            ctx.Response.Headers.Location = page.Location;
            return;
        }
        await WriteHtmlAsync(ctx, page.Status, page.Body).ConfigureAwait(false);
    }

    private static Task WriteHtmlAsync(HttpContext ctx, int status, byte[] body)
    {
        var response = ctx.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = body.Length;
        if (HttpMethods.IsHead(ctx.Request.Method)) return Task.CompletedTask;
        return response.Body.WriteAsync(body, 0, body.Length, ctx.RequestAborted);
    }
}
