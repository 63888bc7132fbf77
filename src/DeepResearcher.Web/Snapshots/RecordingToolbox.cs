using System.Collections.Concurrent;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;

namespace DeepResearcher.Web.Snapshots;

/// <summary>Executes calls on the real toolbox and records every result in a snapshot store.</summary>
public sealed class RecordingToolbox(IToolbox inner, SnapshotStore store) : IToolbox
{
    private readonly ConcurrentDictionary<string, int> _occurrences = new(StringComparer.Ordinal);

    public async Task<ToolResult> ExecuteAsync(ToolCall call, ToolContext context, CancellationToken cancellationToken)
    {
        int occurrence = _occurrences.AddOrUpdate(SnapshotKey.CallIdentity(call, context), 0, (_, n) => n + 1);
        ToolResult result = await inner.ExecuteAsync(call, context, cancellationToken);
        await store.PutAsync(SnapshotKey.For(call, context, occurrence), result, cancellationToken);
        return result;
    }
}
