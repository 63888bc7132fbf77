using DeepResearcher.Web.Toolbox;

namespace DeepResearcher.Environments.Composition;

/// <summary>
/// What research tools to build, as the command line or a config says it: one description that <c>train</c>,
/// <c>eval run</c>, <c>research</c> and <c>tools serve</c> all hand to <see cref="ToolboxComposer"/>, so the same
/// words give the same tools (and the same observations) everywhere.
/// </summary>
public sealed record ToolboxSpec
{
    /// <summary>How much of the tools' output the policy reads (<see cref="ToolboxProfile.Default"/> or <see cref="ToolboxProfile.Compact"/>).</summary>
    public ToolboxProfile Profile { get; init; } = ToolboxProfile.Default;

    /// <summary>
    /// Tool servers (<c>deepresearcher tools serve</c>) to call instead of building tools here; their own spec decides
    /// search, pages and presentation, so nothing local but <see cref="RecordDir"/> may be given with them.
    /// </summary>
    public IReadOnlyList<Uri> ToolServers { get; init; } = [];

    /// <summary>
    /// An MCP server's streamable-HTTP endpoint (<c>tools serve --mcp</c>'s <c>/mcp</c>, or any other server) whose tools
    /// to call instead of building tools here; like <see cref="ToolServers"/>, nothing local but <see cref="RecordDir"/>
    /// may be given with it.
    /// </summary>
    public Uri? McpServer { get; init; }

    /// <summary>True when the tools are a remote server's (<see cref="ToolServers"/> or <see cref="McpServer"/>), whose own options decide what the policy reads.</summary>
    public bool IsRemote => ToolServers.Count > 0 || McpServer is not null;

    /// <summary>The MCP server's tool that answers <c>web_search</c>.</summary>
    public string McpSearchTool { get; init; } = Core.Protocol.ResearchTools.WebSearchName;

    /// <summary>The MCP server's tool that answers <c>browse_webpage</c>; null when it has none (browse calls then fail soft).</summary>
    public string? McpBrowseTool { get; init; } = Core.Protocol.ResearchTools.BrowseWebpageName;

    /// <summary>An offline world directory: its server, search and pages become the tools.</summary>
    public string? WorldDir { get; init; }

    /// <summary>
    /// <c>auto</c> (every provider whose key is set, in failover order), a provider name (<c>serper</c>, <c>brave</c>,
    /// <c>google</c>, <c>tavily</c>, <c>searxng</c>), or <c>local</c> (the world's index in process). Null: none.
    /// </summary>
    public string? Search { get; init; }

    /// <summary><c>extractive</c> (no LLM) or <c>llm</c> (the original's reading agent, with the extractive one as fallback).</summary>
    public string Reader { get; init; } = "extractive";

    public Uri? ReaderModelUrl { get; init; }

    public string? ReaderModel { get; init; }

    public string ReaderApiKeyEnvironmentVariable { get; init; } = "OPENAI_API_KEY";

    /// <summary>
    /// SQLite file of the tool cache (search results and, on the web, pages); null = no cache. A world's searches are
    /// keyed by the world's virtual origin, so one file belongs to one world.
    /// </summary>
    public string? CachePath { get; init; }

    /// <summary>A PostgreSQL connection string for a cache shared by several tool servers (overrides <see cref="CachePath"/>).</summary>
    public string? PostgresCache { get; init; }

    public string? RecordDir { get; init; }

    public string? ReplayDir { get; init; }

    public BrowseMode BrowseMode { get; init; } = BrowseMode.Strict;

    /// <summary>Renders JavaScript-only pages (web search only; world pages are static). Null: no rendering.</summary>
    public DeepResearcher.Web.Pages.IJavaScriptRenderer? Renderer { get; init; }

    /// <summary>Origins (scheme://host:port) the fetcher may reach on loopback or private networks (your own test sites).</summary>
    public IReadOnlyList<Uri> AllowedPrivateOrigins { get; init; } = [];

    /// <summary>The proxy of web fetches and search calls (<c>--proxy</c>); default none, whatever HTTP_PROXY says.</summary>
    public DeepResearcher.Web.Fetching.FetchProxy Proxy { get; init; } = DeepResearcher.Web.Fetching.FetchProxy.None;
}
