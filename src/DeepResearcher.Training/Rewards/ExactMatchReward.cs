using DeepResearcher.Core.Rewards;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Training.Rollouts;

namespace DeepResearcher.Training.Rewards;

/// <summary>Exact match (SQuAD normalisation) after the original's format check: 1, 0, or −1 for a format error.</summary>
public sealed class ExactMatchReward(MetricRules rules = MetricRules.None) : IRolloutReward
{
    public string Name => "em";

    public Task<double> ScoreAsync(RolloutQuestion question, Trajectory trajectory, CancellationToken cancellationToken)
    {
        RewardResult format = OriginalReward.Compute(trajectory, question.Answers, rules);
        return Task.FromResult(format.Penalty is not null ? format.Value : QaMetrics.ExactMatch(trajectory.FinalAnswer!, question.Answers, rules));
    }
}
