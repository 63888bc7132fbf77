using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DeepResearcher.Evaluation.Datasets;
using DeepResearcher.Evaluation.Reporting;
using DeepResearcher.Evaluation.Runs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DeepResearcher.Server.Reports;

/// <summary>
/// A run's live view on loopback: <c>GET /</c> the page (<see cref="LiveReportPage"/>), <c>GET /api/live?offset=N</c>
/// the metrics lines after byte N and the newest groups (<see cref="LiveRunFeed"/>), <c>GET /report</c> the full
/// static report made from the files as they are now. It only reads the run directory, so it can serve a run that
/// another process is writing, or one that has not started writing yet.
/// </summary>
public sealed class LiveReportServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LiveReportServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The page's address.</summary>
    public Uri Url { get; }

    /// <param name="port">0 picks a free one.</param>
    /// <param name="pollMilliseconds">How often the page polls.</param>
    public static async Task<LiveReportServer> StartAsync(string runDirectory, string host, int port, CancellationToken cancellationToken, int pollMilliseconds = 2000)
    {
        var feed = new LiveRunFeed(runDirectory);
        string name = Path.GetFileName(feed.Root);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://{host}:{port}");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        string page = LiveReportPage.Write(name, pollMilliseconds);
        app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
        app.MapGet("/" + LiveReportPage.FeedPath, async (HttpContext context) =>
        {
            string? given = context.Request.Query["offset"];
            long offset = 0;
            if (given is not null && (!long.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset < 0))
            {
                return Results.Json(new { error = $"offset '{given}' is not a byte offset; give the offset the last answer returned (0 at first)" }, statusCode: (int)HttpStatusCode.BadRequest);
            }

            context.Response.Headers.CacheControl = "no-store";
            return Results.Content((await feed.PollAsync(offset, context.RequestAborted)).ToJsonString(), "application/json");
        });
        app.MapGet("/report", async (HttpContext context) =>
        {
            try
            {
                RunReportData data = await RunReportData.LoadAsync(RunDirectory.Open(feed.Root), context.RequestAborted);
                return Results.Content(HtmlReportWriter.Write(data), "text/html; charset=utf-8");
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or DataFileException)
            {
                return Results.Text($"no report yet: {ex.Message}", "text/plain", statusCode: (int)HttpStatusCode.NotFound);
            }
        });

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            await app.DisposeAsync();
            throw new InvalidOperationException($"port {port} on {host} is already in use; pick another (0 picks a free one)", ex);
        }

        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new LiveReportServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
