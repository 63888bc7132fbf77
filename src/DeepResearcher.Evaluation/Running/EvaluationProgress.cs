using DeepResearcher.Evaluation.Runs;

namespace DeepResearcher.Evaluation.Running;

/// <summary>
/// A run's progress: <paramref name="Done"/> of <paramref name="Total"/> trajectories are on disk (those resumed from an
/// earlier run included); <paramref name="Latest"/> is the one just finished, null in the first report.
/// </summary>
public sealed record EvaluationProgress(int Done, int Total, RunResult? Latest);
