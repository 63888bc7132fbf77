using DeepResearcher.ChatModels;
using DeepResearcher.Core.Agent;
using DeepResearcher.Environments.World;
using DeepResearcher.Web.Caching;
using DeepResearcher.Web.Fetching;
using DeepResearcher.Web.Pages;
using DeepResearcher.Web.Reading;
using DeepResearcher.Web.Resilience;
using DeepResearcher.Web.Search;
using DeepResearcher.Web.Snapshots;
using DeepResearcher.Web.Toolbox;

namespace DeepResearcher.Environments.Composition;

/// <summary>Builds the research tools a <see cref="ToolboxSpec"/> describes; every misconfiguration is a clear error before any call.</summary>
public static class ToolboxComposer
{
    public static async Task<ComposedToolbox> CreateAsync(ToolboxSpec spec, CancellationToken cancellationToken)
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

                SnapshotStore replay = await SnapshotStore.OpenAsync(spec.ReplayDir, create: false, cancellationToken);
                resources.Add(replay);
                return new ComposedToolbox(new ReplayToolbox(replay), $"replay of {replay.Root} ({replay.Count} recorded calls)", resources);
            }

            IToolCache? cache = await OpenCacheAsync(spec, resources, cancellationToken);
            IPageReader reader = CreateReader(spec);
            // Per-trajectory state goes to the cache only when it is shared (PostgreSQL): that is what lets any of several
            // tool servers serve any call. One process with a local file gains nothing from writing it to disk per call.
            IToolStateStore state = spec.PostgresCache is not null && cache is not null ? new CachedToolStateStore(cache) : new InMemoryToolStateStore();
            var options = new WebToolboxOptions { BrowseMode = spec.BrowseMode };
            IToolbox toolbox;
            string description;
            if (spec.WorldDir is not null)
            {
                OfflineWorld world = await OfflineWorld.StartAsync(spec.WorldDir, searchOverHttp: spec.Search != "local", cancellationToken);
                resources.Add(world);
                ISearchProvider worldSearch = world.Search;
                if (cache is not null)
                {
                    var cached = new CachedSearchProvider(worldSearch, cache);
                    resources.Add(cached);
                    metrics.Add(cached);
                    worldSearch = cached;
                }

                toolbox = world.CreateToolbox(reader, state, options, worldSearch);
                description = $"offline world {world.Directory.Root} at {world.Server.BaseUrl}, {reader.Name} reader" + (cache is null ? string.Empty : ", cached");
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
                description = $"web search '{search.Name}', {reader.Name} reader" + (spec.Proxy.IsNone ? string.Empty : $", proxy {spec.Proxy}") + (cache is null ? string.Empty : ", cached") + (spec.Renderer is null ? string.Empty : ", JavaScript rendering");
            }

            if (spec.RecordDir is not null)
            {
                SnapshotStore record = await SnapshotStore.OpenAsync(spec.RecordDir, create: true, cancellationToken);
                resources.Add(record);
                toolbox = new RecordingToolbox(toolbox, record);
                description += $", recorded to {record.Root}";
            }

            return new ComposedToolbox(toolbox, description, resources, metrics);
        }
        catch
        {
            await new ComposedToolbox(new UnconfiguredToolbox(), string.Empty, resources).DisposeAsync();
            throw;
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
        "extractive" => new ExtractivePageReader(),
        "llm" when spec.ReaderModelUrl is null || spec.ReaderModel is null
            => throw new ArgumentException("--reader llm needs --reader-model-url and --reader-model (an OpenAI-compatible endpoint)"),
        "llm" => new LlmPageReader(
            new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = spec.ReaderModelUrl!, Model = spec.ReaderModel!, ApiKeyEnvironmentVariable = spec.ReaderApiKeyEnvironmentVariable }),
            new ExtractivePageReader()),
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
