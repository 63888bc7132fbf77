using DeepResearcher.Core.Agent;
using DeepResearcher.Web.Fetching;
using DeepResearcher.Web.Pages;
using DeepResearcher.Web.Reading;
using DeepResearcher.Web.Search;
using DeepResearcher.Web.Toolbox;
using DeepResearcher.World.Serving;
using DeepResearcher.World.Storage;

namespace DeepResearcher.Environments.World;

/// <summary>
/// A running offline world and the research tools on it: its pages served over real HTTP on loopback, searched
/// through the real Serper adapter (or in process), fetched by the real fetcher (with the world server's origin, scheme, host and port, and only it,
/// allowlisted) and read by a page reader. The default environment of the main job, of CI and of evaluations.
/// Everything the tools return names the world's pages under <see cref="WorldOrigin.Uri"/>, never the server's port, so a
/// policy reads and writes the same URLs in training, in <c>eval run</c> and anywhere else.
/// </summary>
public sealed class OfflineWorld : IAsyncDisposable
{
    private readonly HttpClient _http = new();
    private readonly PageFetcher _fetcher;

    private OfflineWorld(WorldDirectory directory, RunningWorldServer server, bool searchOverHttp)
    {
        Directory = directory;
        Server = server;
        Search = searchOverHttp
            ? new SerperSearchProvider(_http, new SearchProviderOptions { BaseUrl = server.BaseUri, ApiKey = "offline-world" })
            : new WorldSearchProvider(directory.SearchIndex, WorldOrigin.Uri);
        _fetcher = new PageFetcher(new FetchOptions { AllowedPrivateOrigins = [new Uri(server.BaseUrl)] });
        Pages = new VirtualOriginPageSource(new HttpPageSource(_fetcher), WorldOrigin.Uri, server.BaseUri);
    }

    public WorldDirectory Directory { get; }

    public RunningWorldServer Server { get; }

    /// <summary>The origin the world's URLs name (the server's address is <see cref="RunningWorldServer.BaseUri"/>).</summary>
    public Uri Origin => WorldOrigin.Uri;

    public ISearchProvider Search { get; }

    public IPageSource Pages { get; }

    /// <summary>Opens a world directory and serves it on a free loopback port.</summary>
    /// <param name="searchOverHttp">Search through the Serper adapter and the world's HTTP endpoint (true) or the index in process.</param>
    public static Task<OfflineWorld> StartAsync(string directory, bool searchOverHttp, CancellationToken cancellationToken)
        => StartAsync(directory, searchOverHttp, 0, cancellationToken);

    /// <summary>Opens a world directory and serves it on the given loopback port (0 = any free port).</summary>
    /// <exception cref="IOException">The port is in use.</exception>
    public static async Task<OfflineWorld> StartAsync(string directory, bool searchOverHttp, int port, CancellationToken cancellationToken)
    {
        WorldDirectory world = await WorldDirectory.OpenAsync(directory, verifyHashes: false, cancellationToken);
        RunningWorldServer server;
        try
        {
            server = await WorldWebServer.StartAsync(world, port, cancellationToken);
        }
        catch
        {
            world.Dispose();
            throw;
        }

        return new OfflineWorld(world, server, searchOverHttp);
    }

    /// <summary>A toolbox on this world; each call gets its own trajectory state store unless one is given.</summary>
    /// <param name="search">Another search over this world (e.g. the world's search behind a cache); default: <see cref="Search"/>.</param>
    public IToolbox CreateToolbox(IPageReader? reader = null, IToolStateStore? state = null, WebToolboxOptions? options = null, ISearchProvider? search = null)
        => new WebToolbox(search ?? Search, Pages, reader ?? new ExtractivePageReader(), state ?? new InMemoryToolStateStore(), options);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _fetcher.Dispose();
        _http.Dispose();
        Directory.Dispose();
    }
}
