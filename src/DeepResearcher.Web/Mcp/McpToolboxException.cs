namespace DeepResearcher.Web.Mcp;

/// <summary>An MCP server that cannot serve the agent's tools: nobody answers, or it lacks a tool the agent needs.</summary>
public sealed class McpToolboxException(string message, string? agentTool = null, Exception? inner = null) : InvalidOperationException(message, inner)
{
    /// <summary>The agent tool (<c>web_search</c>, <c>browse_webpage</c>) the server could not be bound to; null when it did not answer at all.</summary>
    public string? AgentTool => agentTool;
}
