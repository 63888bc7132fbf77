using DeepResearcher.Serving;
using DeepResearcher.Serving.Models;
using Microsoft.Extensions.Logging;

namespace DeepResearcher.Server.Model;

/// <summary>
/// A checkpoint (and its adapters) behind the model server: the catalog loaded, the service over it, the server
/// started; disposing stops the server, then frees the models. <c>serve model</c> starts one where it is told to;
/// <c>research --checkpoint</c> and <c>eval run --checkpoint</c> start one in process on a free loopback port
/// (<see cref="StartLocalAsync"/>) and call it over HTTP like any served model.
/// </summary>
public sealed class ServedCheckpoint : IAsyncDisposable
{
    private ServedCheckpoint(ModelCatalog catalog, CompletionService service, ModelServer server)
    {
        Catalog = catalog;
        Service = service;
        Server = server;
    }

    public ModelCatalog Catalog { get; }

    public CompletionService Service { get; }

    public ModelServer Server { get; }

    /// <summary>The OpenAI base URL, <c>http://HOST:PORT/v1/</c>.</summary>
    public Uri ApiBaseUrl => new(Server.BaseUrl, "v1/");

    /// <summary>The base model's name in requests.</summary>
    public ServedModel BaseModel => Catalog.Models[0];

    /// <param name="name">The base model's name; null names it after the directory as given.</param>
    /// <exception cref="InvalidDataException">A directory is missing a file or an adapter does not fit the base.</exception>
    /// <exception cref="InvalidOperationException">The port is in use.</exception>
    public static async Task<ServedCheckpoint> StartAsync(
        string directory, IReadOnlyList<AdapterSource> adapters, ServingOptions serving, string? name, ModelServerOptions server, ILoggerProvider? logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ModelCatalog catalog = await ModelCatalog.LoadAsync(directory, adapters, serving, name, cancellationToken);
        try
        {
            var service = new CompletionService(catalog, serving);
            ModelServer started = await ModelServer.StartAsync(service, server, logger, cancellationToken);
            return new ServedCheckpoint(catalog, service, started);
        }
        catch
        {
            await catalog.DisposeAsync();
            throw;
        }
    }

    /// <summary>The checkpoint alone on a free port of 127.0.0.1, without a key: a policy for this process's own agent.</summary>
    public static Task<ServedCheckpoint> StartLocalAsync(string directory, ServingOptions serving, string name, ILoggerProvider? logger, CancellationToken cancellationToken)
        => StartAsync(directory, [], serving, name, new ModelServerOptions { Host = "127.0.0.1", Port = 0 }, logger, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Catalog.DisposeAsync();
    }
}
