using System.Text.Json.Nodes;

namespace DeepResearcher.Core.Trajectories;

/// <summary>What one tool call did: what was asked, what came back, how long it took and whether a cache served it.</summary>
public sealed record ToolCallRecord
{
    public required string Name { get; init; }

    public required JsonObject Arguments { get; init; }

    public IReadOnlyList<string> Queries { get; init; } = [];

    public IReadOnlyList<string> Urls { get; init; } = [];

    public int DroppedQueries { get; init; }

    public double LatencyMs { get; init; }

    public CacheStatus Cache { get; init; }

    /// <summary>Set when the call failed soft (the error went back to the model as its observation).</summary>
    public string? Error { get; init; }

    /// <summary>The rendered observation text placed inside <c>&lt;tool_response&gt;</c>.</summary>
    public string Observation { get; init; } = string.Empty;
}
