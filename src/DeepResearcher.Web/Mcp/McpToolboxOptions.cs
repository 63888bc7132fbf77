namespace DeepResearcher.Web.Mcp;

public sealed record McpToolboxOptions
{
    /// <summary>The server's tool that runs <c>web_search</c> calls.</summary>
    public string SearchTool { get; init; } = Core.Protocol.ResearchTools.WebSearchName;

    /// <summary>The server's tool that runs <c>browse_webpage</c> calls; null when the server has none (browse calls then fail soft).</summary>
    public string? BrowseTool { get; init; } = Core.Protocol.ResearchTools.BrowseWebpageName;

    /// <summary>A call that takes longer answers with a timeout observation.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How long the server has to answer the MCP handshake before connecting fails with its address.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Put before every trajectory id sent (as <see cref="McpToolbox"/>'s request metadata); see <c>RemoteToolboxOptions.TrajectoryIdPrefix</c>.</summary>
    public string? TrajectoryIdPrefix { get; init; }
}
