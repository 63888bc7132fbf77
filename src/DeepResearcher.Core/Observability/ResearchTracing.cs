using System.Diagnostics;

namespace DeepResearcher.Core.Observability;

/// <summary>
/// The agent's spans (<see cref="System.Diagnostics.Activity"/>, the BCL's OpenTelemetry tracing API): one per
/// trajectory, one per turn under it, and under a turn its model call and its tool call. The trajectory id is a tag
/// of each, so a trajectory in the report viewer finds its spans in a tracing backend. Without a listener (no
/// <c>--otlp-endpoint</c>) no activity is created and nothing is recorded.
/// </summary>
public static class ResearchTracing
{
    public const string SourceName = "DeepResearcher.Agent";

    /// <summary>Every project source starts with this, so a host enables them all with one wildcard.</summary>
    public const string SourcePrefix = "DeepResearcher.";

    public const string TrajectoryIdTag = "deepresearcher.trajectory_id";
    public const string QuestionIdTag = "deepresearcher.question_id";
    public const string ModelTag = "deepresearcher.model";
    public const string TurnTag = "deepresearcher.turn";
    public const string ActionTag = "deepresearcher.action";
    public const string ToolTag = "deepresearcher.tool";
    public const string CacheTag = "deepresearcher.cache";
    public const string TerminationTag = "deepresearcher.termination";

    /// <summary>The key of <see cref="Trajectories.Trajectory.Tags"/> holding the trace id, when the trajectory was traced.</summary>
    public const string TraceIdKey = "trace_id";

    public static ActivitySource Source { get; } = new(SourceName);
}
