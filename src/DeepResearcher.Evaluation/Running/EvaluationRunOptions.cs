using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Rewards;

namespace DeepResearcher.Evaluation.Running;

public sealed record EvaluationRunOptions
{
    /// <summary>Questions researched at once.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>Trajectories per question; avg@n and pass@n are reported when above 1.</summary>
    public int Samples { get; init; } = 1;

    public ResearchAgentOptions Agent { get; init; } = new();

    /// <summary>Departures from the published metric definitions that results.jsonl is scored with (none by default).</summary>
    public MetricRules MetricRules { get; init; }

    /// <summary>Stop the run when this many questions failed on model errors before any succeeded (a dead endpoint).</summary>
    public int AbortAfterFailures { get; init; } = 5;
}
