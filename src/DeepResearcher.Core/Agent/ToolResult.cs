using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Core.Trajectories;

namespace DeepResearcher.Core.Agent;

/// <summary>The outcome of a tool call. A soft failure still carries an observation that tells the model what went wrong.</summary>
public sealed record ToolResult(ToolObservation Observation)
{
    public CacheStatus Cache { get; init; }

    /// <summary>Set when the call failed soft.</summary>
    public string? Error { get; init; }

    public static ToolResult Failure(string message) => new(new ToolErrorObservation(message)) { Error = message };
}
