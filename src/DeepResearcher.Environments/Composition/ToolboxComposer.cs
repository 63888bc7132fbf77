using DeepResearcher.ChatModels;
using DeepResearcher.Core.Agent;
using DeepResearcher.Environments.World;
using DeepResearcher.Web.Caching;
using DeepResearcher.Web.Fetching;
using DeepResearcher.Web.Mcp;
using DeepResearcher.Web.Pages;
using DeepResearcher.Web.Reading;
using DeepResearcher.Web.Remote;
using DeepResearcher.Web.Resilience;
using DeepResearcher.Web.Search;
using DeepResearcher.Web.Snapshots;
using DeepResearcher.Web.Toolbox;

namespace DeepResearcher.Environments.Composition;

/// <summary>Builds the research tools a <see cref="ToolboxSpec"/> describes; every misconfiguration is a clear error before any call.</summary>
public static class ToolboxComposer
{
    /// <summary>How long a tool server has to answer <c>/healthz</c> before composing fails with its address.</summary>
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The tools of <paramref name="spec"/>, starting the world it names (and disposing it with the toolbox).</summary>
    public static Task<ComposedToolbox> CreateAsync(ToolboxSpec spec, CancellationToken cancellationToken)
        => ComposeAsync(spec, running: null, cancellationToken);

    /// <summary>
    /// The tools of <paramref name="spec"/> on a world the caller has started and keeps (training starts it on its
    /// configured port and reads its names); <paramref name="spec"/> names no other world, search or server.
    /// </summary>
    public static Task<ComposedToolbox> CreateOnWorldAsync(OfflineWorld world, ToolboxSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(world);
        if (spec.WorldDir is not null || spec.ToolServers.Count > 0 || spec.McpServer is not null || spec.ReplayDir is not null)
        {
            throw new ArgumentException("a toolbox on a running world takes its world from the caller: leave WorldDir, ToolServers, McpServer and ReplayDir unset", nameof(spec));
        }

        return ComposeAsync(spec, world, cancellationToken);
    }

    /// <summary>The cache key namespace of a world's searches: the origin its URLs name, whichever port serves it.</summary>
    public static string WorldSearchNamespace(OfflineWorld world) => "world@" + world.Origin.GetLeftPart(UriPartial.Authority);

    private static async Task<ComposedToolbox> ComposeAsync(ToolboxSpec spec, OfflineWorld? running, CancellationToken cancellationToken)
    {
        var resources = new List<object>();
        var metrics = new ToolboxMetrics();
        try
        {
            if (spec.ReplayDir is not null)
            {
                if (spec.RecordDir is not null)
                {
                    throw new ArgumentException("--record and --replay cannot be used together");
                }

                if (spec.ToolServers.Count > 0 || spec.McpServer is not null)
                {
                    throw new ArgumentException($"--replay answers from a snapshot, {(spec.McpServer is null ? "--tools-url from a tool server" : "--tools-mcp from an MCP server")}: give one of them");
                }

                SnapshotStore replay = await SnapshotStore.OpenAsync(spec.ReplayDir, create: false, cancellationToken);
                resources.Add(replay);
                return new ComposedToolbox(new ReplayToolbox(replay), $"replay of {replay.Root} ({replay.Count} recorded calls)", resources, metrics);
            }

            if (spec.McpServer is not null)
            {
                McpToolbox mcp = await ConnectMcpAsync(spec, cancellationToken);
                resources.Add(mcp);
                return await RecordedAsync(spec, mcp, $"MCP server {mcp.ServerName} at {spec.McpServer} ({mcp.Bindings}; its own tools and profile)", resources, metrics, cancellationToken);
            }

            if (spec.ToolServers.Count > 0)
            {
                RemoteToolbox remote = await ConnectAsync(spec, cancellationToken);
                resources.Add(remote);
                return await RecordedAsync(spec, remote, $"tool server {string.Join(", ", spec.ToolServers)} (its own tools and profile)", resources, metrics, cancellationToken);
            }

            IToolCache? cache = await OpenCacheAsync(spec, resources, cancellationToken);
            IPageReader reader = CreateReader(spec);
            // Per-trajectory state goes to the cache only when it is shared (PostgreSQL): that is what lets any of several
            // tool servers serve any call. One process with a local file gains nothing from writing it to disk per call.
            IToolStateStore state = spec.PostgresCache is not null && cache is not null ? new CachedToolStateStore(cache) : new InMemoryToolStateStore();
            WebToolboxOptions options = spec.Profile.ApplyTo(new WebToolboxOptions { BrowseMode = spec.BrowseMode });
            IToolbox toolbox;
            string description;
            if (running is not null || spec.WorldDir is not null)
            {
                OfflineWorld world = running ?? await OfflineWorld.StartAsync(spec.WorldDir!, searchOverHttp: spec.Search != "local", cancellationToken);
                if (running is null)
                {
                    resources.Add(world);
                }

                ISearchProvider worldSearch = world.Search;
                if (cache is not null)
                {
                    var cached = new CachedSearchProvider(worldSearch, cache, new CachedSearchOptions { KeyNamespace = WorldSearchNamespace(world) });
                    resources.Add(cached);
                    metrics.Add(cached);
                    worldSearch = cached;
                }

                toolbox = world.CreateToolbox(reader, state, options, worldSearch);
                description = $"offline world {world.Directory.Root} ({world.Origin.GetLeftPart(UriPartial.Authority)}) served at {world.Server.BaseUrl}, {reader.Name} reader, {spec.Profile} profile" + (cache is null ? string.Empty : ", cached");
            }
            else if (spec.Search is null)
            {
                toolbox = new UnconfiguredToolbox();
                description = "no search backend";
            }
            else
            {
                // Search calls go through the proxy the fetcher uses, when one is given (users behind a corporate proxy).
                var http = spec.Proxy.CreateWebProxy() is { } proxy ? new HttpClient(new SocketsHttpHandler { UseProxy = true, Proxy = proxy }) : new HttpClient();
                resources.Add(http);
                ISearchProvider search = CreateSearch(spec.Search, http, metrics);
                if (cache is not null)
                {
                    var cached = new CachedSearchProvider(search, cache);
                    resources.Add(cached);
                    metrics.Add(cached);
                    search = cached;
                }

                var fetcher = new PageFetcher(new FetchOptions { AllowedPrivateOrigins = spec.AllowedPrivateOrigins, Proxy = spec.Proxy });
                resources.Add(fetcher);
                toolbox = new WebToolbox(search, new HttpPageSource(fetcher, cache: cache, renderer: spec.Renderer), reader, state, options);
                description = $"web search '{search.Name}', {reader.Name} reader, {spec.Profile} profile" + (spec.Proxy.IsNone ? string.Empty : $", proxy {spec.Proxy}") + (cache is null ? string.Empty : ", cached") + (spec.Renderer is null ? string.Empty : ", JavaScript rendering");
            }

            return await RecordedAsync(spec, toolbox, description, resources, metrics, cancellationToken);
        }
        catch
        {
            await new ComposedToolbox(new UnconfiguredToolbox(), string.Empty, resources, metrics).DisposeAsync();
            throw;
        }
    }

    private static async Task<ComposedToolbox> RecordedAsync(ToolboxSpec spec, IToolbox toolbox, string description, List<object> resources, ToolboxMetrics metrics, CancellationToken cancellationToken)
    {
        if (spec.RecordDir is not null)
        {
            SnapshotStore record = await SnapshotStore.OpenAsync(spec.RecordDir, create: true, cancellationToken);
            resources.Add(record);
            toolbox = new RecordingToolbox(toolbox, record);
            description += $", recorded to {record.Root}";
        }

        return new ComposedToolbox(toolbox, description, resources, metrics);
    }

    /// <summary>A client of the spec's tool servers, each of which has answered <c>/healthz</c>.</summary>
    private static async Task<RemoteToolbox> ConnectAsync(ToolboxSpec spec, CancellationToken cancellationToken)
    {
        if (spec.WorldDir is not null || spec.Search is not null || spec.CachePath is not null || spec.PostgresCache is not null || spec.Renderer is not null || spec.Reader != "extractive")
        {
            throw new ArgumentException("a tool server builds its own tools: give the world, search, reader and cache to 'deepresearcher tools serve', not with --tools-url");
        }

        var servers = new List<Uri>(spec.ToolServers.Count);
        foreach (Uri given in spec.ToolServers)
        {
            if (!given.IsAbsoluteUri || (given.Scheme != Uri.UriSchemeHttp && given.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"--tools-url '{given}' is not an absolute http(s) URL; give the address 'tools serve' prints, e.g. http://127.0.0.1:5000");
            }

            // Relative endpoint paths resolve under the base only when it ends in a slash (http://host/tools/ + v1/tools/…).
            servers.Add(given.AbsolutePath.EndsWith('/') ? given : new Uri(given.AbsoluteUri + "/"));
        }

        var options = new RemoteToolboxOptions
        {
            Servers = servers,
            // Evaluation names trajectories after their questions, and a server keeps each trajectory's reading state:
            // a per-process prefix keeps two runs against one long-lived server from resuming each other's pages.
            TrajectoryIdPrefix = Guid.NewGuid().ToString("N") + "/",
        };
        var http = new HttpClient { Timeout = options.RequestTimeout };
        try
        {
            foreach (Uri server in servers)
            {
                await CheckHealthAsync(http, server, cancellationToken);
            }
        }
        catch
        {
            http.Dispose();
            throw;
        }

        return new RemoteToolbox(options, http);
    }

    /// <summary>A client of the spec's MCP server, its tools bound to the agent's; a server that cannot serve them is an error naming what it offers.</summary>
    private static async Task<McpToolbox> ConnectMcpAsync(ToolboxSpec spec, CancellationToken cancellationToken)
    {
        Uri endpoint = spec.McpServer!;
        if (spec.ToolServers.Count > 0)
        {
            throw new ArgumentException("--tools-url and --tools-mcp cannot be used together: give the tool server's REST address or its MCP endpoint, not both");
        }

        if (spec.WorldDir is not null || spec.Search is not null || spec.CachePath is not null || spec.PostgresCache is not null || spec.Renderer is not null || spec.Reader != "extractive")
        {
            throw new ArgumentException("an MCP server has its own tools: give the world, search, reader and cache to 'deepresearcher tools serve --mcp', not with --tools-mcp");
        }

        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"--tools-mcp '{endpoint}' is not an absolute http(s) URL; give the MCP endpoint, e.g. http://127.0.0.1:5000/mcp");
        }

        var options = new McpToolboxOptions
        {
            SearchTool = spec.McpSearchTool,
            BrowseTool = spec.McpBrowseTool,
            // As for --tools-url: one long-lived server, many runs whose trajectory ids repeat.
            TrajectoryIdPrefix = Guid.NewGuid().ToString("N") + "/",
        };
        try
        {
            return await McpToolbox.ConnectAsync(endpoint, options, cancellationToken);
        }
        catch (McpToolboxException ex) when (ex.AgentTool is null)
        {
            throw new ArgumentException($"--tools-mcp {endpoint}: {ex.Message}; start one with 'deepresearcher tools serve --world DIR --mcp' and give its /mcp address", ex);
        }
        catch (McpToolboxException ex)
        {
            string option = ex.AgentTool == Core.Protocol.ResearchTools.WebSearchName ? "--tools-mcp-search NAME" : "--tools-mcp-browse NAME (or none)";
            throw new ArgumentException($"--tools-mcp {endpoint}: {ex.Message}; name the server's tool for {ex.AgentTool} with {option}", ex);
        }
    }

    private static async Task CheckHealthAsync(HttpClient http, Uri server, CancellationToken cancellationToken)
    {
        string? problem;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(HealthTimeout);
        try
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri(server, "healthz"), deadline.Token);
            problem = response.IsSuccessStatusCode ? null : $"GET /healthz answered HTTP {(int)response.StatusCode}";
        }
        catch (HttpRequestException ex)
        {
            problem = ex.Message;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            problem = $"no answer to GET /healthz within {HealthTimeout.TotalSeconds:0} s";
        }

        if (problem is not null)
        {
            throw new ArgumentException($"no tool server answers at --tools-url {server} ({problem}); start one with 'deepresearcher tools serve --world DIR' (or --search auto) and give the address it prints");
        }
    }

    private static async Task<IToolCache?> OpenCacheAsync(ToolboxSpec spec, List<object> resources, CancellationToken cancellationToken)
    {
        IToolCache? cache = spec.PostgresCache is not null
            ? await PostgresToolCache.OpenAsync(spec.PostgresCache, cancellationToken: cancellationToken)
            : spec.CachePath is not null ? await SqliteToolCache.OpenAsync(spec.CachePath, null, cancellationToken) : null;
        if (cache is null)
        {
            return null;
        }

        resources.Add(cache);
        return new MemoryFrontedToolCache(cache);
    }

    private static IPageReader CreateReader(ToolboxSpec spec) => spec.Reader switch
    {
        "extractive" => new ExtractivePageReader(spec.Profile.ReaderOptions()),
        "llm" when spec.ReaderModelUrl is null || spec.ReaderModel is null
            => throw new ArgumentException("--reader llm needs --reader-model-url and --reader-model (an OpenAI-compatible endpoint)"),
        "llm" => new LlmPageReader(
            new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = spec.ReaderModelUrl!, Model = spec.ReaderModel!, ApiKeyEnvironmentVariable = spec.ReaderApiKeyEnvironmentVariable }),
            new ExtractivePageReader(spec.Profile.ReaderOptions())),
        _ => throw new ArgumentException($"unknown reader '{spec.Reader}'; use extractive or llm"),
    };

    private static ISearchProvider CreateSearch(string name, HttpClient http, ToolboxMetrics metrics)
    {
        IReadOnlyList<ISearchProvider> configured = SearchProviderEnvironment.CreateConfigured(http, Environment.GetEnvironmentVariable);
        if (name == "local")
        {
            throw new ArgumentException("--search local needs --world DIR (the offline world's index)");
        }

        if (name == "auto")
        {
            if (configured.Count == 0)
            {
                throw new ArgumentException("no search provider is configured: set SERPER_API_KEY, BRAVE_API_KEY, GOOGLE_CSE_KEY + GOOGLE_CSE_ID, TAVILY_API_KEY or SEARXNG_URL (see docs/search-providers.md), or use --world DIR");
            }

            var resilient = configured.Select(p => new ResilientSearchProvider(p, new ResilientSearchOptions())).ToList();
            resilient.ForEach(metrics.Add);
            return new FailoverSearchProvider([.. resilient], new FailoverOptions());
        }

        ISearchProvider? chosen = configured.FirstOrDefault(p => p.Name == name);
        if (chosen is null)
        {
            string hint = name switch
            {
                "serper" => "SERPER_API_KEY",
                "brave" => "BRAVE_API_KEY",
                "google" => "GOOGLE_CSE_KEY and GOOGLE_CSE_ID",
                "tavily" => "TAVILY_API_KEY",
                "searxng" => "SEARXNG_URL",
                _ => throw new ArgumentException($"unknown search provider '{name}'; use auto, serper, brave, google, tavily, searxng, or local with --world"),
            };
            throw new ArgumentException($"search provider '{name}' is not configured: set {hint} (see docs/search-providers.md)");
        }

        var single = new ResilientSearchProvider(chosen, new ResilientSearchOptions());
        metrics.Add(single);
        return single;
    }
}
