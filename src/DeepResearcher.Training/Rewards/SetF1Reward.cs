using DeepResearcher.Core.Rewards;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Training.Rollouts;

namespace DeepResearcher.Training.Rewards;

/// <summary>
/// The original's reward (the default): set-F1 against the best gold alias, −1 for a format error or no answer; the
/// original's definition unless <paramref name="rules"/> name a departure.
/// </summary>
public sealed class SetF1Reward(MetricRules rules = MetricRules.None) : IRolloutReward
{
    public string Name => "f1";

    public Task<double> ScoreAsync(RolloutQuestion question, Trajectory trajectory, CancellationToken cancellationToken)
        => Task.FromResult(OriginalReward.Compute(trajectory, question.Answers, rules).Value);
}
