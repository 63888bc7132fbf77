using DeepResearcher.Core.Trajectories;

namespace DeepResearcher.Training.Rollouts;

/// <summary>The G rollouts of one question, each with its reward and group-relative advantage.</summary>
public sealed record RolloutGroup
{
    public RolloutGroup(RolloutQuestion question, IReadOnlyList<Rollout> rollouts)
    {
        Question = question;
        Rollouts = rollouts;
        Trajectories = [.. rollouts.Select(r => r.Trajectory)];
        Rewards = [.. rollouts.Select(r => r.Reward)];
        Advantages = [.. rollouts.Select(r => r.Advantage)];
    }

    public RolloutQuestion Question { get; }

    public IReadOnlyList<Rollout> Rollouts { get; }

    /// <summary>The rollouts' trajectories, in rollout order.</summary>
    public IReadOnlyList<Trajectory> Trajectories { get; }

    /// <summary>The rollouts' rewards, in rollout order (a copy: the zero-variance check and the logs read it).</summary>
    public double[] Rewards { get; }

    /// <summary>The rollouts' advantages, in rollout order (a copy).</summary>
    public double[] Advantages { get; }
}
