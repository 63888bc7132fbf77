using DeepResearcher.Core.Rewards;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Evaluation.Datasets;
using DeepResearcher.Evaluation.Runs;

namespace DeepResearcher.Evaluation.Running;

/// <summary>Turns a finished trajectory into its <c>results.jsonl</c> line.</summary>
public static class RunScoring
{
    public static RunResult ToResult(QaExample example, int sample, Trajectory trajectory, MetricRules rules = MetricRules.None)
    {
        // No answer scores 0 on every metric, as the original's metric script does for format failures.
        string prediction = trajectory.Termination == TerminationReason.Answered ? trajectory.FinalAnswer ?? string.Empty : string.Empty;
        MetricScores scores = QaMetrics.Score(prediction, example.Answers, rules);
        return new RunResult
        {
            Id = example.Id,
            Source = example.Source,
            Question = example.Question,
            Answers = example.Answers,
            Sample = sample,
            Prediction = prediction,
            Em = scores.ExactMatch,
            F1 = scores.F1,
            SetF1 = scores.SetF1,
            CoverEm = scores.CoverExactMatch,
            Hops = example.Hops,
            Type = example.Type,
            Termination = TerminationName(trajectory.Termination),
            TrajectoryId = trajectory.Id,
        };
    }

    public static string TerminationName(TerminationReason reason) => reason switch
    {
        TerminationReason.ProtocolError => "protocol_error",
        TerminationReason.MaxTurns => "max_turns",
        TerminationReason.ContextOverflow => "context_overflow",
        TerminationReason.ToolFailure => "tool_failure",
        TerminationReason.ModelFailure => "model_failure",
        TerminationReason.Answered => "answered",
        _ => "none",
    };
}
