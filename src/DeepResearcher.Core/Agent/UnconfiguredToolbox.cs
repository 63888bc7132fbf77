using DeepResearcher.Core.Protocol;

namespace DeepResearcher.Core.Agent;

/// <summary>The toolbox used when no search backend is configured: every call fails soft with a message that says how to configure one.</summary>
public sealed class UnconfiguredToolbox : IToolbox
{
    public const string Message = "no search backend is configured, so web_search and browse_webpage cannot run. Configure one (an offline world with --world DIR, or a search provider with --search) and try again.";

    public Task<ToolResult> ExecuteAsync(ToolCall call, ToolContext context, CancellationToken cancellationToken)
        => Task.FromResult(ToolResult.Failure($"{call.Name}: {Message}"));
}
