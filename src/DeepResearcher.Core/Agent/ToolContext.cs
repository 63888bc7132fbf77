namespace DeepResearcher.Core.Agent;

/// <summary>Who is calling a tool: tools keep per-trajectory state (latest search results, reading positions) under <see cref="TrajectoryId"/>.</summary>
public sealed record ToolContext(string TrajectoryId, string Question);
