using System.CommandLine;
using DeepResearcher.Environments.Composition;
using DeepResearcher.Web.Toolbox;

namespace DeepResearcher.Cli.Commands;

/// <summary>The options that say which research tools to use; shared by <c>research</c> and <c>tools serve</c>.</summary>
internal sealed class ToolOptions
{
    public Option<DirectoryInfo?> World { get; } = new("--world") { Description = "Research in this offline world (its pages, served on loopback, and its search)." };

    public Option<string?> Search { get; } = new("--search") { Description = "Search provider: auto (every one whose key is set, with failover), serper, brave, google, tavily, searxng, or local (the world's index in process, with --world)." };

    public Option<string> Reader { get; } = new("--reader") { Description = "Page reader: extractive (no LLM) or llm (the original's reading agent; needs --reader-model-url and --reader-model).", DefaultValueFactory = _ => "extractive" };

    public Option<string?> ReaderModelUrl { get; } = new("--reader-model-url") { Description = "OpenAI-compatible endpoint of the reader LLM." };

    public Option<string?> ReaderModel { get; } = new("--reader-model") { Description = "Model name of the reader LLM." };

    public Option<FileInfo?> Cache { get; } = new("--cache") { Description = "SQLite file caching search results, pages and tool state (7-day TTL)." };

    public Option<string?> PostgresCache { get; } = new("--postgres-cache") { Description = "PostgreSQL connection string of a cache shared by several tool servers." };

    public Option<DirectoryInfo?> Record { get; } = new("--record") { Description = "Record every tool call and its result into this snapshot directory." };

    public Option<DirectoryInfo?> Replay { get; } = new("--replay") { Description = "Answer tool calls only from this snapshot directory (offline, deterministic)." };

    public Option<bool> RenderJavaScript { get; } = new("--render-js") { Description = "Render JavaScript-only pages in Debian's Chromium (Playwright; slow, off by default)." };

    public Option<BrowseMode> Browse { get; } = new("--browse-mode") { Description = "Which URLs browse_webpage accepts: Strict (latest search results), Lenient (any results so far) or Any.", DefaultValueFactory = _ => BrowseMode.Strict };

    /// <summary>What research and eval run print when no option gives the agent a search backend (they still run: a closed-book run is a baseline).</summary>
    public const string NoSearchWarning =
        "warning: no search backend, so every web_search and browse_webpage call will fail; add --search auto (the providers whose keys are set), --world DIR (an offline world) or --replay DIR";

    /// <summary>True when none of --world, --search and --replay is given.</summary>
    public bool HasNoSearch(ParseResult parse) => parse.GetValue(World) is null && parse.GetValue(Search) is null && parse.GetValue(Replay) is null;

    public Option<string?> Proxy { get; } = ProxyOption.Create();

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { World, Search, Reader, ReaderModelUrl, ReaderModel, Cache, PostgresCache, Record, Replay, RenderJavaScript, Browse, Proxy })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The spec plus a started Chromium renderer when --render-js asks for one (dispose it with the toolbox).</summary>
    public async Task<(ToolboxSpec Spec, IAsyncDisposable? Renderer)> ToSpecAsync(ParseResult parse)
    {
        ToolboxSpec spec = ToSpec(parse);
        if (!parse.GetValue(RenderJavaScript))
        {
            return (spec, null);
        }

        var renderer = await DeepResearcher.Web.Rendering.ChromiumRenderer.StartAsync(spec.AllowedPrivateOrigins);
        return (spec with { Renderer = renderer }, renderer);
    }

    public ToolboxSpec ToSpec(ParseResult parse)
    {
        string? readerUrl = parse.GetValue(ReaderModelUrl);
        return new ToolboxSpec
        {
            WorldDir = parse.GetValue(World)?.FullName,
            Search = parse.GetValue(Search),
            Reader = parse.GetRequiredValue(Reader),
            ReaderModelUrl = readerUrl is null ? null : OptionUrl.Parse("--reader-model-url", readerUrl),
            ReaderModel = parse.GetValue(ReaderModel),
            CachePath = parse.GetValue(Cache)?.FullName,
            PostgresCache = parse.GetValue(PostgresCache),
            RecordDir = parse.GetValue(Record)?.FullName,
            ReplayDir = parse.GetValue(Replay)?.FullName,
            BrowseMode = parse.GetValue(Browse),
            Proxy = ProxyOption.Parse(parse.GetValue(Proxy)),
        };
    }
}
