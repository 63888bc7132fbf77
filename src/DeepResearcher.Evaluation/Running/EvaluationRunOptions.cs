using DeepResearcher.Core.Agent;

namespace DeepResearcher.Evaluation.Running;

public sealed record EvaluationRunOptions
{
    /// <summary>Questions researched at once.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>Trajectories per question; avg@n and pass@n are reported when above 1.</summary>
    public int Samples { get; init; } = 1;

    public ResearchAgentOptions Agent { get; init; } = new();

    /// <summary>Stop the run when this many questions failed on model errors before any succeeded (a dead endpoint).</summary>
    public int AbortAfterFailures { get; init; } = 5;
}
