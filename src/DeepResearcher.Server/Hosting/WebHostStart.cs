using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeepResearcher.Server.Hosting;

/// <summary>
/// How the servers here start: Kestrel on one address with the body cap as a backstop, the caller's log only, and a
/// port in use as one clear error (the message the commands print) instead of the host's stack trace.
/// </summary>
internal static class WebHostStart
{
    public static WebApplicationBuilder CreateBuilder(string host, int port, long maxBodyBytes, ILoggerProvider? logger)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://{host}:{port}");
        // A backstop for bodies without a Content-Length; the endpoints refuse oversize bodies themselves with a clear 413.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxBodyBytes + 1);
        builder.Logging.ClearProviders();
        if (logger is not null)
        {
            builder.Logging.AddProvider(logger);
        }

        // A failed start is reported once, by StartAsync's own exception (the port in use), not also by the host's log.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        return builder;
    }

    /// <summary>Starts the app and returns its root URL (the port it got when 0 was asked for).</summary>
    /// <exception cref="InvalidOperationException">The port is in use; the message says so and how to pick another.</exception>
    public static async Task<Uri> StartAsync(WebApplication app, string host, int port, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            await app.DisposeAsync();
            throw new InvalidOperationException($"port {port} on {host} is already in use; pick another with --port (0 picks a free one)", ex);
        }

        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new Uri(address.TrimEnd('/') + "/");
    }
}
