using System.Collections.Concurrent;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;

namespace DeepResearcher.Web.Snapshots;

/// <summary>
/// Answers calls from a snapshot store only: offline, deterministic, free. A call that was never recorded fails soft
/// with an observation that says so (the policy took a path the recording did not).
/// </summary>
public sealed class ReplayToolbox(SnapshotStore store) : IToolbox
{
    private readonly ConcurrentDictionary<string, int> _occurrences = new(StringComparer.Ordinal);

    public int Misses => _misses;

    private int _misses;

    public async Task<ToolResult> ExecuteAsync(ToolCall call, ToolContext context, CancellationToken cancellationToken)
    {
        int occurrence = _occurrences.AddOrUpdate(SnapshotKey.CallIdentity(call, context), 0, (_, n) => n + 1);
        ToolResult? recorded = await store.GetAsync(SnapshotKey.For(call, context, occurrence), cancellationToken);
        if (recorded is not null)
        {
            return recorded;
        }

        Interlocked.Increment(ref _misses);
        string what = call.Name == ResearchTools.WebSearchName ? string.Join(" | ", call.Queries) : string.Join(" ", call.Urls);
        return ToolResult.Failure($"{call.Name} ({what}) is not in the snapshot {store.Root}: this call was not recorded");
    }
}
