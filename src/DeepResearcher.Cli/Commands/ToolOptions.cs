using System.CommandLine;
using DeepResearcher.Environments.Composition;
using DeepResearcher.Web.Toolbox;

namespace DeepResearcher.Cli.Commands;

/// <summary>
/// The options that say which research tools to use, shared by <c>research</c>, <c>eval run</c> and <c>tools serve</c>;
/// they become one <see cref="ToolboxSpec"/>, which <see cref="ToolboxComposer"/> turns into the tools.
/// </summary>
internal sealed class ToolOptions
{
    /// <summary>What research and eval run print when no option gives the agent a search backend (they still run: a closed-book run is a baseline).</summary>
    public const string NoSearchWarning =
        "warning: no search backend, so every web_search and browse_webpage call will fail; add --search auto (the providers whose keys are set), --world DIR (an offline world), --tools-url URL (a tool server), --tools-mcp URL (an MCP server) or --replay DIR";

    public Option<DirectoryInfo?> World { get; } = new("--world") { Description = "Research in this offline world (its pages, served on loopback, and its search)." };

    public Option<string?> Search { get; } = new("--search") { Description = "Search provider: auto (every one whose key is set, with failover), serper, brave, google, tavily, searxng, or local (the world's index in process, with --world)." };

    public Option<string> Reader { get; } = new("--reader") { Description = "Page reader: extractive (no LLM) or llm (the original's reading agent; needs --reader-model-url and --reader-model).", DefaultValueFactory = _ => "extractive" };

    public ModelEndpointOptions ReaderModel { get; } = ModelEndpointOptions.Reader();

    public Option<string> Profile { get; } = new("--tool-profile")
    {
        Description = "How much of the tools' output the model reads: default (the original's: 10 results, whole snippets, 5 sentences per segment) or compact (3 results, 100-character snippets, 2 sentences: what 'train' trains with).",
        DefaultValueFactory = _ => ToolboxProfile.DefaultName,
    };

    public Option<FileInfo?> Cache { get; } = new("--cache") { Description = "SQLite file caching search results, pages and tool state (7-day TTL)." };

    public Option<string?> PostgresCache { get; } = new("--postgres-cache") { Description = "PostgreSQL connection string of a cache shared by several tool servers." };

    public Option<DirectoryInfo?> Record { get; } = new("--record") { Description = "Record every tool call and its result into this snapshot directory." };

    public Option<DirectoryInfo?> Replay { get; } = new("--replay") { Description = "Answer tool calls only from this snapshot directory (offline, deterministic)." };

    public Option<bool> RenderJavaScript { get; } = new("--render-js") { Description = "Render JavaScript-only pages in Debian's Chromium (Playwright; slow, off by default)." };

    public Option<BrowseMode> Browse { get; } = new("--browse-mode") { Description = "Which URLs browse_webpage accepts: Strict (latest search results), Lenient (any results so far) or Any.", DefaultValueFactory = _ => BrowseMode.Strict };

    public Option<string?> Proxy { get; } = ProxyOption.Create();

    public Option<string[]> ToolsUrl { get; } = new("--tools-url")
    {
        Description = "Call the tools of a tool server ('deepresearcher tools serve') at this address instead of building them here; repeat it for several servers (round robin, failover). Its own options decide world, search, reader, cache and profile.",
    };

    public Option<string?> ToolsMcp { get; } = new("--tools-mcp")
    {
        Description = "Call the tools of an MCP server (streamable HTTP, e.g. 'tools serve --mcp' at http://127.0.0.1:5000/mcp, or any MCP search server) instead of building them here; its own options decide what the tools return.",
        HelpName = "URL",
    };

    public Option<string?> ToolsMcpSearch { get; } = new("--tools-mcp-search")
    {
        Description = "The --tools-mcp server's tool that answers web_search (default: web_search).",
        HelpName = "NAME",
    };

    public Option<string?> ToolsMcpBrowse { get; } = new("--tools-mcp-browse")
    {
        Description = "The --tools-mcp server's tool that answers browse_webpage (default: browse_webpage); none when it has no such tool (browse calls then fail soft).",
        HelpName = "NAME",
    };

    /// <summary>Adds the options; <paramref name="remote"/> also offers <c>--tools-url</c> and <c>--tools-mcp</c> (not to the tool server itself).</summary>
    public void AddTo(Command command, bool remote)
    {
        foreach (Option option in LocalOptions.Append(Record))
        {
            command.Options.Add(option);
        }

        if (remote)
        {
            command.Options.Add(ToolsUrl);
            command.Options.Add(ToolsMcp);
            command.Options.Add(ToolsMcpSearch);
            command.Options.Add(ToolsMcpBrowse);
        }
    }

    /// <summary>The options that build tools in this process, which a tool server given by <c>--tools-url</c> builds instead.</summary>
    private IEnumerable<Option> LocalOptions
        => new Option[] { World, Search, Reader }.Concat(ReaderModel.All).Concat([Profile, Cache, PostgresCache, Replay, RenderJavaScript, Browse, Proxy]);

    /// <summary>The tool server addresses given (none without <c>--tools-url</c>).</summary>
    public IReadOnlyList<string> ToolServers(ParseResult parse) => parse.GetValue(ToolsUrl) ?? [];

    /// <summary>True when --tools-url or --tools-mcp is given: a remote server's tools.</summary>
    public bool IsRemote(ParseResult parse) => ToolServers(parse).Count > 0 || parse.GetValue(ToolsMcp) is not null;

    /// <summary>True when none of --world, --search, --replay, --tools-url and --tools-mcp is given.</summary>
    public bool HasNoSearch(ParseResult parse)
        => parse.GetValue(World) is null && parse.GetValue(Search) is null && parse.GetValue(Replay) is null && !IsRemote(parse);

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

    /// <summary>The spec of the given options; a local tool option next to <c>--tools-url</c> is a usage error naming both.</summary>
    public ToolboxSpec ToSpec(ParseResult parse)
    {
        IReadOnlyList<string> servers = ToolServers(parse);
        string? mcp = parse.GetValue(ToolsMcp);
        if (mcp is null && (parse.GetValue(ToolsMcpSearch) is not null || parse.GetValue(ToolsMcpBrowse) is not null))
        {
            throw new UsageException("--tools-mcp-search and --tools-mcp-browse name tools of an MCP server: give its endpoint with --tools-mcp URL");
        }

        if (mcp is not null)
        {
            if (servers.Count > 0)
            {
                throw new UsageException("--tools-url and --tools-mcp cannot be used together: give one tool server, by its REST address or its MCP endpoint");
            }

            if (LocalOptions.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } local)
            {
                throw new UsageException($"--tools-mcp and {local.Name} cannot be used together: the MCP server has its own tools; give {local.Name} to 'deepresearcher tools serve --mcp' instead");
            }

            string? browse = parse.GetValue(ToolsMcpBrowse);
            return new ToolboxSpec
            {
                McpServer = OptionUrl.Parse("--tools-mcp", mcp),
                McpSearchTool = parse.GetValue(ToolsMcpSearch) ?? Core.Protocol.ResearchTools.WebSearchName,
                McpBrowseTool = browse is null ? Core.Protocol.ResearchTools.BrowseWebpageName : browse.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : browse,
                RecordDir = parse.GetValue(Record)?.FullName,
            };
        }

        if (servers.Count > 0)
        {
            // Only options given on the command line count: defaults (--reader extractive, --browse-mode Strict) are not a choice.
            if (LocalOptions.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } local)
            {
                throw new UsageException($"--tools-url and {local.Name} cannot be used together: the tool server builds its own tools; give {local.Name} to 'deepresearcher tools serve' instead");
            }

            return new ToolboxSpec
            {
                ToolServers = [.. servers.Select(s => OptionUrl.Parse("--tools-url", s))],
                RecordDir = parse.GetValue(Record)?.FullName,
            };
        }

        DeepResearcher.ChatModels.OpenAIChatModelOptions? reader = ReaderModel.Read(parse);
        return new ToolboxSpec
        {
            WorldDir = parse.GetValue(World)?.FullName,
            Search = parse.GetValue(Search),
            Reader = parse.GetRequiredValue(Reader),
            ReaderModelUrl = reader?.BaseUrl,
            ReaderModel = reader?.Model,
            ReaderApiKeyEnvironmentVariable = parse.GetRequiredValue(ReaderModel.ApiKeyEnv),
            Profile = ParseProfile(parse),
            CachePath = parse.GetValue(Cache)?.FullName,
            PostgresCache = parse.GetValue(PostgresCache),
            RecordDir = parse.GetValue(Record)?.FullName,
            ReplayDir = parse.GetValue(Replay)?.FullName,
            BrowseMode = parse.GetValue(Browse),
            Proxy = ProxyOption.Parse(parse.GetValue(Proxy)),
        };
    }

    /// <summary>The explicitly given <c>--tool-profile</c>, or null.</summary>
    public ToolboxProfile? GivenProfile(ParseResult parse)
        => parse.GetResult(Profile) is { Implicit: false } ? ParseProfile(parse) : null;

    private ToolboxProfile ParseProfile(ParseResult parse)
    {
        try
        {
            return ToolboxProfile.Parse(parse.GetRequiredValue(Profile));
        }
        catch (ArgumentException ex)
        {
            throw new UsageException("--tool-profile: " + CommandErrors.MessageOf(ex));
        }
    }
}
