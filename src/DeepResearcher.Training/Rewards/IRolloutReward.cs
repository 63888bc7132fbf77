using DeepResearcher.Core.Trajectories;
using DeepResearcher.Training.Rollouts;

namespace DeepResearcher.Training.Rewards;

/// <summary>The scalar a finished rollout earns; GRPO normalises it within the question's group.</summary>
public interface IRolloutReward
{
    /// <summary>What the run logs and the config names: <c>f1</c>, <c>em</c> or <c>judge</c>.</summary>
    string Name { get; }

    Task<double> ScoreAsync(RolloutQuestion question, Trajectory trajectory, CancellationToken cancellationToken);
}
