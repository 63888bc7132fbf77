namespace DeepResearcher.Evaluation.Running;

/// <param name="Completed">Trajectories run and recorded now.</param>
/// <param name="Skipped">Already in results.jsonl from an earlier, interrupted run.</param>
/// <param name="ModelFailures">Not recorded because the model call failed; a rerun retries them.</param>
public sealed record EvaluationRunSummary(int Completed, int Skipped, int ModelFailures, TimeSpan Elapsed);
