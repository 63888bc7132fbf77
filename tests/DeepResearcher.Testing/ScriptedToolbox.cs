using System.Collections.Concurrent;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Observations;

namespace DeepResearcher.Testing;

/// <summary>A toolbox that answers searches and browses from fixed tables and records the calls it got.</summary>
public sealed class ScriptedToolbox : IToolbox
{
    public ConcurrentQueue<ToolCall> Calls { get; } = new();

    public Func<ToolCall, CancellationToken, Task<ToolResult>>? Override { get; set; }

    public Dictionary<string, IReadOnlyList<SearchHit>> SearchResults { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Pages { get; } = new(StringComparer.Ordinal);

    public async Task<ToolResult> ExecuteAsync(ToolCall call, ToolContext context, CancellationToken cancellationToken)
    {
        Calls.Enqueue(call);
        if (Override is not null)
        {
            return await Override(call, cancellationToken);
        }

        return call.Name switch
        {
            ResearchTools.WebSearchName => new ToolResult(new SearchObservation(
                [.. call.Queries.Select(q => new QueryResults(q, SearchResults.GetValueOrDefault(q, [])))])),
            _ => new ToolResult(new BrowseObservation(
                [.. call.Urls.Select(u => Pages.TryGetValue(u, out string? text)
                    ? new PageFindings(u, [new PageInformation(0, text)])
                    : new PageFindings(u, [], "page not found"))])),
        };
    }
}
