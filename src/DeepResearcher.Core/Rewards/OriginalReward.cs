using DeepResearcher.Core.Trajectories;

namespace DeepResearcher.Core.Rewards;

/// <summary>
/// The DeepResearcher reward (spec §5): −1 when the tags are unbalanced or there is no answer, otherwise the set-F1
/// of the answer against the best gold alias. The tag check runs over the policy's own text only: the original ran it
/// over the whole response, tool output included, so a stray tag inside a fetched page could cost a correct rollout −1.
/// The set-F1 is the original's unless <c>rules</c> name a departure (<see cref="MetricRules"/>).
/// </summary>
public static class OriginalReward
{
    public const double FormatPenalty = -1.0;

    public static RewardResult Compute(Trajectory trajectory, IReadOnlyList<string> golds, MetricRules rules = MetricRules.None)
        => Compute(TrajectoryOutcome.Of(trajectory), golds, rules);

    /// <summary>The reward of an outcome already read (<see cref="TrajectoryOutcome.EarnsFormatPenalty"/> is the −1 rule).</summary>
    public static RewardResult Compute(TrajectoryOutcome outcome, IReadOnlyList<string> golds, MetricRules rules = MetricRules.None)
    {
        if (outcome.UnbalancedTags is string problem)
        {
            return new RewardResult(FormatPenalty, $"unbalanced tags: {problem}");
        }

        if (!outcome.Answered)
        {
            return new RewardResult(FormatPenalty, $"no answer ({outcome.Termination})");
        }

        return new RewardResult(QaMetrics.SetF1(outcome.Answer!, golds, rules), null);
    }
}
