using System.Text.Json.Nodes;

namespace DeepResearcher.Core.Protocol;

/// <summary>A validated tool call: the tool name and its arguments as the model wrote them.</summary>
public sealed record ToolCall(string Name, JsonObject Arguments)
{
    /// <summary>Queries of a <c>web_search</c> call, after de-duplication and the per-call limit.</summary>
    public IReadOnlyList<string> Queries { get; init; } = [];

    /// <summary>URLs of a <c>browse_webpage</c> call, de-duplicated in order.</summary>
    public IReadOnlyList<string> Urls { get; init; } = [];

    /// <summary>Queries the model asked for beyond the per-call limit; they are not executed.</summary>
    public int DroppedQueries { get; init; }
}
