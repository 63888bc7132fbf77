using DeepResearcher.Core.Protocol;

namespace DeepResearcher.Core.Agent;

/// <summary>
/// The environment: executes <c>web_search</c> and <c>browse_webpage</c>. Expected failures (dead pages, provider
/// outages, bad URLs) come back as <see cref="ToolResult.Failure"/>; an exception means the toolbox itself is broken
/// and ends the trajectory with <c>tool_failure</c>.
/// </summary>
public interface IToolbox
{
    Task<ToolResult> ExecuteAsync(ToolCall call, ToolContext context, CancellationToken cancellationToken);
}
