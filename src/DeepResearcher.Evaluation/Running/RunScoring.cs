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
        string prediction = TrajectoryOutcome.Of(trajectory).Prediction;
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

    /// <summary>The ending a <c>results.jsonl</c> termination name stands for (<see cref="TerminationName"/>'s inverse; an unknown name is <see cref="TerminationReason.None"/>).</summary>
    public static TerminationReason TerminationFromName(string name) => name switch
    {
        "protocol_error" => TerminationReason.ProtocolError,
        "max_turns" => TerminationReason.MaxTurns,
        "context_overflow" => TerminationReason.ContextOverflow,
        "tool_failure" => TerminationReason.ToolFailure,
        "model_failure" => TerminationReason.ModelFailure,
        "answered" => TerminationReason.Answered,
        _ => TerminationReason.None,
    };
}
