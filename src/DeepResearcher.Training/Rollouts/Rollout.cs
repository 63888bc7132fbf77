using DeepResearcher.Core.Trajectories;

namespace DeepResearcher.Training.Rollouts;

/// <summary>
/// One episode of a GRPO group with what the update needs from it: the reward it earned and its group-relative
/// advantage, typed, so nothing reads them back from the trajectory's string tags.
/// </summary>
public sealed record Rollout(Trajectory Trajectory, double Reward, double Advantage)
{
    /// <summary>How the episode came out, read once (the reward's −1 rule and the step log's rates come from it).</summary>
    public TrajectoryOutcome Outcome { get; init; } = TrajectoryOutcome.Of(Trajectory);
}
