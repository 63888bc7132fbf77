using System.Threading;
using DeepResearcher.Core.Rewards;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Evaluation.Judging;
using DeepResearcher.Training.Rollouts;

namespace DeepResearcher.Training.Rewards;

/// <summary>
/// An LLM judge's verdict (the evaluation's MBE judge, with its cache and exact-match short cut) after the original's
/// format check: 1 when the judge says the answer means the gold, 0 when not, −1 for a format error. A verdict the
/// judge fails to give falls back to set-F1 and is counted, so a flaky judge costs signal, not a wrong label.
/// </summary>
public sealed class JudgeReward(MbeJudge judge, MetricRules rules = MetricRules.None) : IRolloutReward
{
    private long _fallbacks;

    public string Name => "judge";

    /// <summary>Rollouts scored by set-F1 because the judge gave no verdict.</summary>
    public long Fallbacks => Interlocked.Read(ref _fallbacks);

    public async Task<double> ScoreAsync(RolloutQuestion question, Trajectory trajectory, CancellationToken cancellationToken)
    {
        RewardResult format = OriginalReward.Compute(trajectory, question.Answers, rules);
        if (format.Penalty is not null)
        {
            return format.Value;
        }

        JudgeVerdict verdict = await judge.JudgeAsync(question.Question, question.Answers, trajectory.FinalAnswer!, cancellationToken);
        if (verdict.Correct is bool correct)
        {
            return correct ? 1.0 : 0.0;
        }

        Interlocked.Increment(ref _fallbacks);
        return format.Value;
    }
}
